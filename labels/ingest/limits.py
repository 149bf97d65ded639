"""How much one input may ask of the machine, so hostile or broken files fail alone.

Sizes are checked before the data they guard is read into memory; message
counts before any message is built. A breach is reported like any other bad
input: a Rejection naming the line or sample, or UnusableInput for a whole file.
The sizes can be raised (or lowered) with environment variables, read each time
a file is parsed:

- one JSONL line (one transcript): 64 MiB, `GOLDSET_MAX_LINE_MB`;
- one JSON document read whole (a Petri transcript, a response.json or one of
  its prompt files, an Inspect `.json` log, one sample inside an `.eval`):
  256 MiB, `GOLDSET_MAX_DOCUMENT_MB`;
- everything inside one `.eval` zip, uncompressed: 16 GiB, `GOLDSET_MAX_EVAL_MB`;
- messages in one transcript: 250,000, `GOLDSET_MAX_MESSAGES`.

Three limits are fixed, as no real transcript comes near them. Free-form JSON
that is kept (metadata, tool-call arguments, score metadata) may nest at most
`MAX_DEPTH` levels: deeper data would exhaust Python's recursion when it is
stored, exported or shown; and text nesting deeper than `MAX_RAW_DEPTH` is refused
before any parser sees it (see `nesting`: one parser crashes the process on it).
An `.eval` member is judged by how big it expands, never by its compression
ratio: inspect_ai's zstd shrinks a long repetitive output 400-800 times, as much as
a deflate bomb, and such logs are real.
A JSONL file lists its first `MAX_LISTED` rejections and counts the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UnusableInput

MiB = 1 << 20
MAX_DEPTH = 100
"""Deepest JSON nesting accepted (an object or list inside another counts one level)."""
MAX_RAW_DEPTH = MAX_DEPTH + 10
"""Deepest nesting of JSON text handed to a parser, measured on the bytes first: room for
the levels around kept JSON (a line's object, its messages, a tool call, its arguments)."""
MAX_LISTED = 1000
"""Rejections listed one by one per JSONL file; further bad lines are counted in one more."""

_VARIABLES = {
    "line_bytes": ("GOLDSET_MAX_LINE_MB", 64, MiB),
    "document_bytes": ("GOLDSET_MAX_DOCUMENT_MB", 256, MiB),
    "eval_bytes": ("GOLDSET_MAX_EVAL_MB", 16 * 1024, MiB),
    "messages": ("GOLDSET_MAX_MESSAGES", 250_000, 1),
}


@dataclass(frozen=True)
class Limits:
    """The limits in force for one parse."""

    line_bytes: int = 64 * MiB
    document_bytes: int = 256 * MiB
    eval_bytes: int = 16 * 1024 * MiB
    messages: int = 250_000


def variable(name: str) -> str:
    """The environment variable that sets limit `name` (for error messages)."""
    return _VARIABLES[name][0]


def current(path: Path | str = "") -> Limits:
    """The limits from the environment, else the defaults.

    A setting that is not a whole number above 0 makes `path` (the file about to
    be read) unusable, with a reason naming the variable.
    """
    values: dict[str, int] = {}
    for name, (env, default, unit) in _VARIABLES.items():
        raw = os.environ.get(env, "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 13 and int(raw) > 0):
            reason = f"cannot be read: {env} must be a whole number above 0, not {raw!r}"
            raise UnusableInput(path, reason)
        values[name] = (int(raw) if raw else default) * unit
    return Limits(**values)


def size_text(n: int) -> str:
    """A byte count for people: `70,000,000 bytes (66.8 MiB)`."""
    return f"{n:,} bytes ({n / MiB:.1f} MiB)" if n >= MiB else f"{n:,} bytes"


def over(what: str, size: int, limit: int, name: str) -> str:
    """The reason for an input that is over a size limit, naming the knob that sets it."""
    return (
        f"{what} is {size_text(size)}, over the {limit // MiB:,} MiB limit "
        f"(raise it with {variable(name)})"
    )
