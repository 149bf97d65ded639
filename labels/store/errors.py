"""Database errors as sentences for people, matched on DuckDB's own phrases."""

from __future__ import annotations

import duckdb


class StoreError(Exception):
    """A database problem described in a sentence for people."""


class DatabaseBusy(StoreError):
    """Another process holds the database file (DuckDB allows one writing process)."""


class Conflict(StoreError):
    """A write lost a transaction conflict more times than we retry."""


class DiskFull(StoreError):
    """The disk holding the database has no room: the write was not made."""


class DatabaseFailed(StoreError):
    """DuckDB stopped using the database after a failed write; it must be reopened."""


class DatabaseDamaged(StoreError):
    """The file is not a DuckDB database, or its contents are corrupt."""


class DatabaseReadOnly(StoreError):
    """The file, or the folder it is in, cannot be written."""


_BUSY = ("could not set lock on file", "conflicting lock")
_DAMAGED = ("not a valid duckdb database", "corrupt database file", "could not read enough bytes")
_READ_ONLY = ("read-only file system", "permission denied", "read-only mode")
_FULL = ("no space left on device", "disk quota exceeded", "file too large")


def sentence(path: str, exc: Exception) -> StoreError:
    """A DuckDB error on the database at `path` as the sentence a person reads.

    Matched on DuckDB's own phrases, never on a bare word: "lock" is in "block",
    which is in the message about a corrupt file.
    """
    text = str(exc).lower()
    if any(phrase in text for phrase in _FULL):
        return DiskFull(
            f"The disk holding {path} is full, so this was not saved; everything saved "
            "before is kept. Free some space and try again (no restart needed)."
        )
    if isinstance(exc, duckdb.FatalException) or "has been invalidated" in text:
        return DatabaseFailed(
            f"The database {path} stopped after a failed write ({first_line(exc)}); "
            "everything saved before it is kept. Reload the page to reopen it."
        )
    if any(phrase in text for phrase in _BUSY):
        return DatabaseBusy(
            f"{path} is open in another Goldset process (DuckDB allows one writer). "
            "Stop that process, or use the running app; see README, 'Running for a team'."
        )
    if any(phrase in text for phrase in _DAMAGED):
        return DatabaseDamaged(
            f"{path} is damaged or is not a Goldset database ({first_line(exc)}). "
            "Restore it from a backup into a new file: python -m labels restore DIR --db NEW."
        )
    if any(phrase in text for phrase in _READ_ONLY):
        return DatabaseReadOnly(
            f"{path} cannot be written: the file or its folder is read-only "
            f"({first_line(exc)}). Make it writable, or open a copy."
        )
    return StoreError(f"the database {path} failed: {first_line(exc)}")


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (or its type's name)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def explain(exc: BaseException, path: str) -> StoreError | None:
    """The sentence for a DuckDB error that reached a page, or None for any other error."""
    return sentence(path, exc) if isinstance(exc, duckdb.Error) else None
