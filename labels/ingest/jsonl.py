"""JSON Lines chats: one transcript per line.

A line is `{"id"?, "messages": [...], "metadata"?: {...}, "model"?}` with
OpenAI-style messages (see `_messages`). The id is the line's own `id` when it
has one, else `sha256:` and 24 hex digits of the line's canonical JSON, so the
same line always gets the same id. Every problem with a line becomes a
Rejection naming it (`line 12`); the file is read in binary, line by line, so a
large file never sits in memory at once, and a line longer than the line limit
(64 MiB unless `GOLDSET_MAX_LINE_MB` says otherwise; see `limits`) is skipped
unread, with a Rejection giving its size. A file that is not JSON Lines text at
all (an image, an archive) is refused whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from labels.models import CONDITION_FIELDS, Record, Rejection, Transcript

from . import limits, nesting
from ._common import (
    BadRecord,
    a_kind,
    check_id,
    check_text,
    condition_fields,
    content_id,
    json_safe,
    model_name,
    one_line,
    unexpected,
    validation_reason,
    without,
)
from ._messages import messages_from_list
from .detect import check_jsonl_head, head_of
from .errors import UnusableInput
from .limits import MAX_RAW_DEPTH

BOM = b"\xef\xbb\xbf"
KNOWN_KEYS = ("id", "messages", "metadata", "model")
DRAIN = 1 << 20
"""Bytes read at a time while skipping the rest of an over-long line."""


def parse(path: Path) -> Iterator[Record | Rejection]:
    """Records and rejections from a JSONL file, in file order; blank lines are skipped."""
    check_jsonl_head(path, head_of(path))
    bounds = limits.current(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc
    with handle:
        yield from parse_stream(handle, str(path), bounds)


def parse_stream(
    handle: IO[bytes], file: str, bounds: limits.Limits | None = None
) -> Iterator[Record | Rejection]:
    """Like `parse`, from an open binary stream (an upload, say) named `file`.

    At most `limits.MAX_LISTED` rejections are listed one by one; the rest of
    the bad lines are counted in one last Rejection, so a file of garbage
    cannot fill memory with reasons.
    """
    listed, first, last = 0, 0, 0
    for number, item in _items(handle, file, bounds or limits.Limits()):
        if isinstance(item, Rejection):
            listed += 1
            if listed > limits.MAX_LISTED:
                first, last = first or number, number
                continue
        yield item
    if first:
        more = listed - limits.MAX_LISTED
        reason = f"{more:,} more bad lines, not listed (a file lists {limits.MAX_LISTED:,} at most)"
        yield Rejection(file=file, where=f"lines {first}-{last}", reason=reason)


def _items(
    handle: IO[bytes], file: str, bounds: limits.Limits
) -> Iterator[tuple[int, Record | Rejection]]:
    for number, (raw, size) in enumerate(_lines(handle, bounds.line_bytes), start=1):
        if size > bounds.line_bytes:
            reason = limits.over("the line", size, bounds.line_bytes, "line_bytes")
            yield number, Rejection(file=file, where=f"line {number}", reason=reason)
            continue
        line = raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw
        if line.strip():
            yield number, read_line(line, number, file, bounds)


def _lines(handle: IO[bytes], limit: int) -> Iterator[tuple[bytes, int]]:
    """(line, its size in bytes); a line over `limit` comes as (b"", size), never held whole."""
    while raw := handle.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw, len(raw)
            continue
        size = len(raw)
        while not raw.endswith(b"\n") and (raw := handle.readline(DRAIN)):
            size += len(raw)
        yield b"", size


def read_line(
    line: bytes, number: int, file: str, bounds: limits.Limits | None = None
) -> Record | Rejection:
    """One line as a Record, or a Rejection saying why it could not be read."""
    where = f"line {number}"
    try:
        obj = _decode(line.rstrip(b"\r\n"))  # so a cut line is "unterminated", not "\n"
        transcript = _transcript(obj, f"{file}, {where}", bounds or limits.Limits())
    except BadRecord as exc:
        return Rejection(file=file, where=where, reason=str(exc))
    except ValidationError as exc:
        return Rejection(file=file, where=where, reason=validation_reason(exc))
    except RecursionError:
        return Rejection(file=file, where=where, reason="the JSON is nested too deeply to read")
    except Exception as exc:  # one odd line must not stop the file
        return Rejection(file=file, where=where, reason=unexpected(exc))
    return Record(transcript=transcript)


def _decode(line: bytes) -> Any:
    _check_nesting(line)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise BadRecord(f"invalid JSON: {message} at column {exc.colno}") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise BadRecord(f"invalid JSON: {one_line(exc)}") from None
    check_text(line, obj)
    return obj


def _check_nesting(line: bytes) -> None:
    """A BadRecord for a line nesting deeper than MAX_RAW_DEPTH, before any parser sees it."""
    found = nesting.too_deep(line, MAX_RAW_DEPTH)
    if found is not None:
        raise BadRecord(nesting.reason(found, MAX_RAW_DEPTH))


def _transcript(obj: Any, source_ref: str, bounds: limits.Limits) -> Transcript:
    if not isinstance(obj, dict):
        raise BadRecord(f"the line is {a_kind(obj)}, not a JSON object")
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        raise BadRecord(f'"metadata" is {a_kind(meta)}, not an object')
    messages = messages_from_list(obj.get("messages"), bounds.messages)
    extras = {k: v for k, v in obj.items() if k not in KNOWN_KEYS and k not in meta}
    return Transcript(
        id=_id(obj),
        source_format="jsonl",
        source_ref=source_ref,
        model=model_name(obj.get("model"), meta.get("model")),
        metadata=json_safe(without({**meta, **extras}, (*CONDITION_FIELDS, "model"))),
        messages=messages,
        **condition_fields(meta),
    )


def _id(obj: dict[str, Any]) -> str:
    own = obj.get("id")
    if isinstance(own, bool | dict | list):
        raise BadRecord(f'"id" is {a_kind(own)}, not a string or a number')
    if own is None or own == "":
        return content_id(obj)
    return check_id(str(own))
