"""Petri transcripts (safety-research/petri): one audit per JSON file.

A transcript holds `metadata` (transcript_id, auditor_model, target_model,
description, judge_output, ...) and `events`. Each `transcript_event` applies
an `edit` to one or more views ("target", "auditor", "combined"): `add` a
message, `rollback` (drop the last `count` messages, or keep everything up to
and including the message with id `to_id`), `reset` to `new_messages`, or a
`json_patch` (RFC 6902) over the message list. A rollback whose `to_id` is not
in the view falls back to its `count`. We replay the edits on the
target view, so the transcript is the conversation the target model finally
saw; branches the auditor rolled back are not in it. Legacy files carry a
top-level `target_messages` or `messages` list instead. The auditor's seed instruction
(`metadata.description`) is also kept as `metadata.seed_instructions`, shown to raters.

A file over the document size limit, or that is not UTF-8 JSON at all, is
unusable; a transcript nested deeper than `limits.MAX_DEPTH` or longer than the
message limit is rejected (see `limits`).

Petri 3 writes Inspect logs, which the `inspect` reader reads. Judge scores become
verdicts `petri/judge`, field = the score's name, score = the number; the dimension
recorded is `extortion` for blackmail/extortion scores and `manipulation` for scores about
the model deceiving or manipulating (not for `manipulated_by_...`, where the model is the
one manipulated). The grader map (`labels.graders.map.PETRI_FIELDS`) decides first.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from labels.models import SEED_KEY, GraderVerdict, Record, Rejection, Transcript

from . import limits, nesting
from ._common import (
    BadRecord,
    a_kind,
    check_id,
    check_text,
    condition_fields,
    content_id,
    finite,
    json_safe,
    model_name,
    one_line,
    unexpected,
    validation_reason,
)
from ._messages import messages_from_list
from .detect import binary_kind
from .errors import UnusableInput
from .limits import MAX_RAW_DEPTH

TARGET = "target"
SKIPPED_ROLES = {"info"}
"""Petri's own notes in a view (e.g. about a rollback), not turns of the conversation."""


def parse(path: Path) -> Iterator[Record | Rejection]:
    """The one Record of a Petri transcript file, or a Rejection saying what is wrong."""
    bounds = limits.current(path)
    raw = _read(path, bounds)
    doc = _load(path, raw)
    try:
        check_text(raw, doc)
        yield _record(doc, path, bounds)
    except BadRecord as exc:
        yield Rejection(file=str(path), where=exc.where or "transcript", reason=str(exc))
    except ValidationError as exc:
        yield Rejection(file=str(path), where="transcript", reason=validation_reason(exc))
    except RecursionError:
        reason = "the JSON is nested too deeply to read"
        yield Rejection(file=str(path), where="transcript", reason=reason)
    except Exception as exc:  # an odd transcript must not stop the run
        yield Rejection(file=str(path), where="transcript", reason=unexpected(exc))


def _read(path: Path, bounds: limits.Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > bounds.document_bytes:
            reason = limits.over("the file", size, bounds.document_bytes, "document_bytes")
            raise UnusableInput(path, reason)
        return path.read_bytes()
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc


def _load(path: Path, raw: bytes) -> dict[str, Any]:
    kind = binary_kind(raw[:64], "a Petri transcript")
    if kind:
        raise UnusableInput(path, f"is {kind}")
    deep = nesting.too_deep(raw, MAX_RAW_DEPTH)
    if deep is not None:
        raise UnusableInput(path, nesting.refusal(deep, MAX_RAW_DEPTH))
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UnusableInput(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (ValueError, RecursionError) as exc:
        raise UnusableInput(path, f"is not valid JSON ({one_line(exc)})") from exc
    if not isinstance(doc, dict):
        raise UnusableInput(path, f"holds {a_kind(doc)}, not a Petri transcript object")
    if not any(k in doc for k in ("events", "messages", "target_messages")):
        raise UnusableInput(path, "is not a Petri transcript (no events or messages)")
    return doc


def _record(doc: dict[str, Any], path: Path, bounds: limits.Limits) -> Record:
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise BadRecord(f'"metadata" is {a_kind(meta)}, not an object')
    raw = [m for m in target_messages(doc) if not _skipped(m)]
    if not raw:
        raise BadRecord("the target view has no messages")
    tid = _id(doc, meta)
    transcript = Transcript(
        id=tid,
        source_format="petri",
        source_ref=str(path),
        model=model_name(meta.get("target_model")),
        metadata=json_safe(
            {**_seed(meta), **{k: v for k, v in meta.items() if k != "judge_output"}}
        ),
        messages=messages_from_list(raw, bounds.messages),
        **condition_fields(meta),
    )
    return Record(transcript=transcript, verdicts=judge_verdicts(tid, meta))


def _seed(meta: dict[str, Any]) -> dict[str, Any]:
    """The auditor's seed instruction, which Petri's transcript metadata calls `description`."""
    seed = meta.get("description")
    return {SEED_KEY: seed} if isinstance(seed, str) and seed.strip() else {}


def _id(doc: dict[str, Any], meta: dict[str, Any]) -> str:
    own = model_name(meta.get("transcript_id"))
    if own:
        return check_id(f"petri:{own}", "metadata.transcript_id")
    return content_id(doc, prefix="petri:sha256:")


def _skipped(message: Any) -> bool:
    return isinstance(message, dict) and str(message.get("role")) in SKIPPED_ROLES


def target_messages(doc: dict[str, Any]) -> list[Any]:
    """The target view's messages after replaying every edit (or the legacy list)."""
    events = doc.get("events")
    if isinstance(events, list) and any(_is_edit(e) for e in events):
        return _replay(events)
    for key in ("target_messages", "messages"):
        listed = doc.get(key)
        if isinstance(listed, list) and listed:
            return listed
    if events is not None and not isinstance(events, list):
        raise BadRecord(f'"events" is {a_kind(events)}, not a list')
    return []


def _is_edit(event: Any) -> bool:
    return isinstance(event, dict) and event.get("type") == "transcript_event"


def _in_target(view: Any) -> bool:
    return view == TARGET or (isinstance(view, list) and TARGET in view)


def _replay(events: list[Any]) -> list[Any]:
    messages: list[Any] = []
    for number, event in enumerate(events):
        if _is_edit(event) and _in_target(event.get("view")):
            messages = apply_edit(event.get("edit"), messages, f"event {number}")
    return messages


def apply_edit(edit: Any, messages: list[Any], where: str) -> list[Any]:
    """The message list after one edit; a BadRecord (naming `where`) for an edit we cannot apply.

    `add` appends to `messages` in place (a transcript of n adds is O(n), not O(n²));
    the other edits return a new list.
    """
    if not isinstance(edit, dict):
        raise BadRecord(f"the edit is {a_kind(edit)}, not an object", where)
    operation = edit.get("operation")
    if operation == "add":
        messages.append(edit.get("message"))
        return messages
    if operation == "rollback":
        return _rollback(edit, messages, where)
    if operation == "reset":
        new = edit.get("new_messages") or []
        if not isinstance(new, list):
            raise BadRecord(f"reset: new_messages is {a_kind(new)}, not a list", where)
        return list(new)
    if operation == "json_patch":
        return json_patch(messages, edit.get("patch"), where)
    raise BadRecord(f"unknown edit operation {operation!r}", where)


def _rollback(edit: dict[str, Any], messages: list[Any], where: str) -> list[Any]:
    to_id = edit.get("to_id")
    for number, message in enumerate(messages if to_id is not None else []):
        if isinstance(message, dict) and message.get("id") == to_id:
            return messages[: number + 1]
    count = edit.get("count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise BadRecord(f"rollback: count {count!r} is not a whole number >= 0", where)
    return messages[: len(messages) - count] if count else messages


# -- RFC 6902 JSON patch, just enough for message lists ------------------------


def _pointer(path: Any, where: str) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise BadRecord(f"json_patch: bad path {path!r}", where)
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def _index(container: list[Any], token: str, where: str, adding: bool = False) -> int:
    if adding and token == "-":
        return len(container)
    limit = len(container) + (1 if adding else 0)
    digits = token.isascii() and token.isdigit() and len(token) < 19
    if not digits or int(token) >= limit:
        raise BadRecord(f"json_patch: no list position {token!r}", where)
    return int(token)


def _parent(doc: Any, tokens: list[str], where: str) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, list):
            node = node[_index(node, token, where)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise BadRecord(f"json_patch: path /{'/'.join(tokens)} does not exist", where)
    return node


def _get(doc: Any, tokens: list[str], where: str) -> Any:
    if not tokens:
        return doc
    parent = _parent(doc, tokens, where)
    if isinstance(parent, list):
        return parent[_index(parent, tokens[-1], where)]
    if isinstance(parent, dict) and tokens[-1] in parent:
        return parent[tokens[-1]]
    raise BadRecord(f"json_patch: path /{'/'.join(tokens)} does not exist", where)


def _remove(doc: Any, tokens: list[str], where: str) -> Any:
    if not tokens:  # the whole document: the patch leaves no message list
        return doc
    _get(doc, tokens, where)  # raises when absent
    parent = _parent(doc, tokens, where)
    if isinstance(parent, list):
        return parent.pop(_index(parent, tokens[-1], where))
    return parent.pop(tokens[-1])


def _add(doc: Any, tokens: list[str], value: Any, where: str, replace: bool = False) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens, where)
    if isinstance(parent, list):
        position = _index(parent, tokens[-1], where, adding=not replace)
        if replace:
            parent[position] = value
        else:
            parent.insert(position, value)
    elif isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        raise BadRecord(f"json_patch: cannot add under {a_kind(parent)}", where)
    return doc


def _operation(doc: Any, op: dict[str, Any], where: str) -> Any:
    kind, tokens = op.get("op"), _pointer(op.get("path"), where)
    if kind in ("add", "replace"):
        if kind == "replace":
            _get(doc, tokens, where)
        return _add(doc, tokens, copy.deepcopy(op.get("value")), where, replace=kind == "replace")
    if kind == "remove":
        _remove(doc, tokens, where)
        return doc if tokens else None
    if kind in ("move", "copy"):
        source = _pointer(op.get("from"), where)
        value = _remove(doc, source, where) if kind == "move" else _get(doc, source, where)
        return _add(doc, tokens, copy.deepcopy(value), where)
    if kind == "test":
        if _get(doc, tokens, where) != op.get("value"):
            raise BadRecord(f"json_patch: test failed at {op.get('path')!r}", where)
        return doc
    raise BadRecord(f"json_patch: unknown op {kind!r}", where)


def json_patch(messages: list[Any], patch: Any, where: str) -> list[Any]:
    """`messages` after an RFC 6902 patch (applied to a copy)."""
    if not isinstance(patch, list):
        raise BadRecord(f"json_patch: patch is {a_kind(patch)}, not a list", where)
    doc: Any = copy.deepcopy(messages)
    for op in patch:
        if not isinstance(op, dict):
            raise BadRecord(f"json_patch: an operation is {a_kind(op)}", where)
        doc = _operation(doc, op, where)
    if not isinstance(doc, list):
        raise BadRecord("json_patch: the result is not a message list", where)
    return doc


# -- judge ---------------------------------------------------------------------


def score_dimension(name: str) -> str | None:
    """The label dimension a judge score plainly answers, if any."""
    key = name.lower()
    if "blackmail" in key or "extortion" in key:
        return "extortion"
    if "manipulated" in key:
        return None
    if "deception" in key or "deceptive" in key or "manipulat" in key:
        return "manipulation"
    return None


def judge_verdicts(transcript_id: str, meta: dict[str, Any]) -> tuple[GraderVerdict, ...]:
    """One verdict per judge score; none when the transcript was not judged."""
    judge = meta.get("judge_output")
    if not isinstance(judge, dict) or not isinstance(judge.get("scores"), dict):
        return ()
    explanation = model_name(judge.get("justification"), judge.get("summary"))
    described = judge.get("score_descriptions")
    descriptions = described if isinstance(described, dict) else {}
    model = model_name(meta.get("judge_model"), judge.get("model"))
    verdicts = []
    for name, raw in judge["scores"].items():
        number = finite(raw)
        note = descriptions.get(name)
        verdicts.append(
            GraderVerdict(
                transcript_id=transcript_id,
                grader="petri/judge",
                field=str(name),
                dimension=score_dimension(str(name)),
                value=None if raw is None else str(raw),
                score=number,
                explanation=explanation,
                model=model,
                metadata={"description": note} if isinstance(note, str) else {},
            )
        )
    return tuple(verdicts)
