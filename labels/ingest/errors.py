"""The two ways a whole input can fail, as opposed to one record in it."""

from __future__ import annotations

from pathlib import Path


class UnusableInput(ValueError):
    """A path that cannot be read at all: missing, unreadable, or not what its name says."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = " ".join(reason.split())
        super().__init__(f"{self.path}: {self.reason}")


class UnknownFormat(UnusableInput):
    """A readable path whose source format cannot be told."""
