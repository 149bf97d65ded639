"""JSON Lines chats: one transcript per line.

A line is `{"id"?, "messages": [...], "metadata"?: {...}, "model"?}` with
OpenAI-style messages (see `_messages`). The id is the line's own `id` when it
has one, else `sha256:` and 24 hex digits of the line's canonical JSON, so the
same line always gets the same id. Every problem with a line becomes a
Rejection naming it (`line 12`); the file is read in binary, line by line, so a
large file never sits in memory at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from labels.models import CONDITION_FIELDS, Record, Rejection, Transcript

from ._common import (
    BadRecord,
    a_kind,
    condition_fields,
    content_id,
    json_safe,
    model_name,
    one_line,
    validation_reason,
    without,
)
from ._messages import messages_from_list
from .errors import UnusableInput

BOM = b"\xef\xbb\xbf"
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
KNOWN_KEYS = ("id", "messages", "metadata", "model")


def parse(path: Path) -> Iterator[Record | Rejection]:
    """Records and rejections from a JSONL file, in file order; blank lines are skipped."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc
    with handle:
        yield from parse_stream(handle, str(path))


def parse_stream(handle: IO[bytes], file: str) -> Iterator[Record | Rejection]:
    """Like `parse`, from an open binary stream (an upload, say) named `file`."""
    for number, raw in enumerate(handle, start=1):
        line = raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw
        if line.strip():
            yield read_line(line, number, file)


def read_line(line: bytes, number: int, file: str) -> Record | Rejection:
    """One line as a Record, or a Rejection saying why it could not be read."""
    where = f"line {number}"
    try:
        transcript = _transcript(_decode(line), f"{file}, {where}")
    except BadRecord as exc:
        return Rejection(file=file, where=where, reason=str(exc))
    except ValidationError as exc:
        return Rejection(file=file, where=where, reason=validation_reason(exc))
    except RecursionError:
        return Rejection(file=file, where=where, reason="the JSON is nested too deeply to read")
    return Record(transcript=transcript)


def _decode(line: bytes) -> Any:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise BadRecord(f"invalid JSON: {one_line(exc)}") from None
    if SURROGATE_ESCAPE.search(line):
        _check_encodable(obj)
    return obj


def _check_encodable(obj: Any) -> None:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRecord("the JSON holds an unpaired surrogate escape (\\ud800-\\udfff)") from None


def _transcript(obj: Any, source_ref: str) -> Transcript:
    if not isinstance(obj, dict):
        raise BadRecord(f"the line is {a_kind(obj)}, not a JSON object")
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        raise BadRecord(f'"metadata" is {a_kind(meta)}, not an object')
    messages = messages_from_list(obj.get("messages"))
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
    return str(own)
