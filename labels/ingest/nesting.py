"""How deeply JSON text nests, measured on its bytes before any parser sees them.

Parsers recurse: Python's `json` raises RecursionError, but Arrow's JSON reader
crashes the whole process (a segfault) on a line nesting 20,000 `[` deep. So
every reader measures the nesting of the raw bytes first, with numpy, and
refuses text that nests deeper than its limit.

The measure is exact for any prefix of the text that is valid JSON: brackets
count only outside strings, and a quote ends a string unless an odd run of
backslashes comes before it. A parser stops at the first byte that is not
valid JSON, so it can never nest deeper than the measure says. With `lines`
set, each line is measured on its own (a JSON string cannot hold a raw
newline, and a JSON Lines parser starts afresh on each line).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_OPEN, _CLOSE, _QUOTE, _BACKSLASH, _NEWLINE = 1, 2, 3, 4, 5
"""What `_CLASSES` makes of the bytes that matter; every other byte becomes 0."""
_CLASSES = bytes(
    {ord("["): _OPEN, ord("{"): _OPEN, ord("]"): _CLOSE, ord("}"): _CLOSE}.get(b, 0)
    or {ord('"'): _QUOTE, ord("\\"): _BACKSLASH, ord("\n"): _NEWLINE}.get(b, 0)
    for b in range(256)
)


class Deepest(NamedTuple):
    """The deepest nesting found, and where."""

    depth: int
    """Levels of lists and objects (`[[1]]` is 2)."""
    line: int
    """The line it is on, from 1 (in the text measured)."""


def deepest(data: bytes | memoryview, lines: bool = False) -> Deepest:
    """The deepest nesting of lists and objects in JSON text, and the line it is on."""
    classes = np.frombuffer(bytes(data).translate(_CLASSES), np.uint8)
    at = np.flatnonzero(classes.view(np.bool_))  # the bytes that matter, in order
    kind = classes[at]
    quote = kind == _QUOTE
    quote[_escaped(at, kind)] = False
    breaks = kind == _NEWLINE if lines else np.zeros(len(at), np.bool_)
    inside = _per_line_sum(quote.astype(np.int64), breaks) % 2 == 1
    step = ((kind == _OPEN).astype(np.int64) - (kind == _CLOSE)) * ~inside
    level = _per_line_sum(step, breaks)
    if not len(level) or level.max() <= 0:
        return Deepest(0, 1)
    top = int(level.argmax())
    return Deepest(int(level[top]), int(np.count_nonzero(kind[:top] == _NEWLINE)) + 1)


def _per_line_sum(values: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Running sums of `values` that start again from 0 after each `breaks` event."""
    total = np.cumsum(values)
    ends = np.flatnonzero(breaks)
    if len(ends):
        values = values.copy()
        values[ends] -= np.diff(np.concatenate(([0], total[ends])))  # back to 0 at each end
        total = np.cumsum(values)
    return total


def _escaped(at: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Indexes of the quotes after an odd run of backslashes (inside a string, not an end)."""
    slash = kind == _BACKSLASH
    joined = np.concatenate(([False], slash[:-1] & (np.diff(at) == 1)))  # right after a `\\`
    after = np.flatnonzero((kind == _QUOTE) & joined)
    if not len(after):
        return after
    run_start = np.flatnonzero(slash & ~joined)  # first `\\` of each run
    run = after - run_start[np.searchsorted(run_start, after - 1, side="right") - 1]
    escaped: np.ndarray = after[run % 2 == 1]
    return escaped


def too_deep(data: bytes | memoryview, limit: int) -> Deepest | None:
    """The deepest point when one JSON text nests more than `limit` levels, else None.

    Text with no more than `limit` opening brackets in all cannot, and is passed
    at the cost of two byte counts.
    """
    raw = bytes(data)
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return None
    found = deepest(raw)
    return found if found.depth > limit else None


def too_deep_line(data: bytes | memoryview, limit: int) -> Deepest | None:
    """Like `too_deep` for JSON Lines text: the first line nesting more than `limit`, if any."""
    found = deepest(data, lines=True)
    return found if found.depth > limit else None


def reason(found: Deepest, limit: int) -> str:
    """The sentence for text that nests too deeply."""
    return f"the JSON nests deeper than {limit} levels ({found.depth:,} deep)"


def refusal(found: Deepest, limit: int) -> str:
    """The sentence for a whole document that nests too deeply, with its line."""
    return f"is refused: {reason(found, limit)} (line {found.line})"


class Meter:
    """The deepest nesting of JSON text fed to it in pieces (an `.eval` member as it inflates).

    The same measure as `deepest`, carried across pieces: the level, whether a
    string is open, and whether the piece ended in an odd run of backslashes.
    """

    def __init__(self) -> None:
        self.level = 0
        self.inside = False
        self.odd_slashes = False
        self.line = 1
        self.found = Deepest(0, 1)

    def feed(self, data: bytes | memoryview) -> None:
        """Measure the next piece of the text."""
        raw = bytes(data)
        if not raw:
            return
        lead = b"\\" if self.odd_slashes else b""  # one `\\` stands for the run's parity
        classes = np.frombuffer((lead + raw).translate(_CLASSES), np.uint8)
        at = np.flatnonzero(classes.view(np.bool_))
        kind = classes[at]
        quote = kind == _QUOTE
        quote[_escaped(at, kind)] = False
        inside = (np.cumsum(quote) + self.inside) % 2 == 1
        step = ((kind == _OPEN).astype(np.int64) - (kind == _CLOSE)) * ~inside
        level = self.level + np.cumsum(step)
        if len(level) and int(level.max()) > self.found.depth:
            top = int(level.argmax())
            line = self.line + int(np.count_nonzero(kind[:top] == _NEWLINE))
            self.found = Deepest(int(level[top]), line)
        if len(level):
            self.level, self.inside = int(level[-1]), bool(inside[-1])
        self.line += raw.count(b"\n")
        trail = len(raw) - len(raw.rstrip(b"\\"))
        self.odd_slashes = (trail + (len(lead) if trail == len(raw) else 0)) % 2 == 1
