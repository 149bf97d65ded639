"""Reading transcripts from files: one module per source format, plus detection.

`parse(path)` yields `Record`s (a transcript with the grader verdicts that came
with it) and `Rejection`s (a record that could not be read, with where and
why), one at a time. A path that cannot be read at all raises `UnusableInput`;
one whose format cannot be told raises `UnknownFormat` (a kind of UnusableInput).

Input is untrusted: whatever a file holds, parsing raises nothing else. Each
reader turns a record it cannot read into a Rejection; an error no reader
foresaw, or a file that stops being readable half way, ends that file with
UnusableInput (so its transaction rolls back and the run goes on). Size and
nesting limits are in `limits`; `.eval` zips are checked by `_archive`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import get_args

from labels.models import Record, Rejection, SourceFormat

from ._common import readable, unexpected
from .detect import detect_format, iter_inputs
from .errors import UnknownFormat, UnusableInput

FORMATS: tuple[str, ...] = get_args(SourceFormat)
_MODULES = {
    "jsonl": "labels.ingest.jsonl",
    "inspect": "labels.ingest.inspect",
    "agentic-misalignment": "labels.ingest.agentic_misalignment",
    "petri": "labels.ingest.petri",
}

__all__ = [
    "FORMATS",
    "UnknownFormat",
    "UnusableInput",
    "detect_format",
    "iter_inputs",
    "parse",
    "reader",
]


def reader(path: Path | str, fmt: str = "auto") -> ModuleType:
    """The reader module for one input, with its format detected unless given.

    Checks the path and the format without reading records: UnusableInput at once.
    """
    path = Path(path)
    if readable(str(path)) != str(path):
        raise UnusableInput(readable(str(path)), "its name is not valid UTF-8; rename it")
    if not path.exists():
        raise UnusableInput(path, "no such file or folder")
    chosen = detect_format(path) if fmt == "auto" else fmt
    if chosen not in _MODULES:
        raise UnknownFormat(path, f"unknown format {fmt!r}; choose auto or {', '.join(FORMATS)}")
    try:
        return importlib.import_module(_MODULES[chosen])
    except ImportError as exc:
        need = "inspect_ai (pip install 'goldset[inspect]')"
        raise UnusableInput(path, f"reading {chosen} needs {need}: {exc}") from exc


def parse(path: Path | str, fmt: str = "auto") -> Iterator[Record | Rejection]:
    """Records and rejections from one input, with its format detected unless given.

    The path and format are checked now (UnusableInput at once); problems
    found while reading are raised, or yielded as rejections, as iteration goes.
    """
    records: Iterator[Record | Rejection] = reader(path, fmt).parse(Path(path))
    return _guarded(Path(path), records)


def _guarded(path: Path, records: Iterator[Record | Rejection]) -> Iterator[Record | Rejection]:
    """`records`, with any error other than UnusableInput made one (naming the file)."""
    try:
        yield from records
    except UnusableInput:
        raise
    except OSError as exc:
        reason = f"could not be read to the end ({exc.strerror or exc})"
        raise UnusableInput(path, reason) from exc
    except Exception as exc:
        raise UnusableInput(path, unexpected(exc)) from exc
