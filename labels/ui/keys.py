"""Widget keys that name a case: built here only, so a page, its callbacks and its tests agree.

No key is parsed back: what a widget is about is kept beside it, never read out of its key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseKeys:
    """The Adjudicate page's widget keys for one case (a transcript and a dimension)."""

    transcript_id: str
    dimension: str

    @property
    def pick(self) -> str:
        """Session key of the gold value picked so far (set by the value buttons)."""
        return f"g-{self.transcript_id}-{self.dimension}"

    @property
    def note(self) -> str:
        """The note text area (why this value)."""
        return f"n-{self.transcript_id}-{self.dimension}"

    @property
    def question(self) -> str:
        """The question for the raters."""
        return f"qq-{self.transcript_id}-{self.dimension}"

    def value(self, name: str) -> str:
        """The button for one gold value (per dimension: the same buttons on every case)."""
        return f"gv-{self.dimension}-{name}"
