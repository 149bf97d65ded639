"""agentic-misalignment results folders (anthropic-experimental/agentic-misalignment).

Layout: `results/<experiment>/[models/<model>/]<condition_id>/sample_NNN/response.json`,
with the prompts the model saw in `results/<experiment>/prompts/<condition_id>/`.
`parse` takes the results root, an experiment folder, or one response.json.

Decisions:
- The user message is `user_prompt.txt + "\n" + email_content.txt`, one message,
  exactly as the experiment sent it.
- A sample whose prompt files are missing is still imported (the response is
  what raters judge) with just the assistant message, and `prompts_missing: true`
  in its metadata.
- `<SCRATCHPAD_REASONING>` (and thinking) blocks become the assistant's reasoning,
  split by `render.split_hidden` as in every format; the rest is the visible text.
  `<tool_use:NAME>` blocks stay in the visible text and are also parsed into tool
  calls; blocks inside the scratchpad are drafts, not actions, and are not.
- `classification` gives two verdicts: `agentic-misalignment/final` field
  `harmful_behavior` and `agentic-misalignment/classifier` field
  `classifier_verdict`, `yes`/`no` with score 1/0. Their dimension is
  `extortion` only for blackmail conditions (the classifier judges leaking or
  murder elsewhere). A classification holding only an error gives the Record
  without verdicts plus a Rejection saying so.
- id: `am:{experiment}/{model}/{condition_id}/{sample_dir}`, the model taken
  from the folder (`models/<model>/`), else from the response's metadata; the
  transcript's `model` prefers the metadata (the API's name for it).
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from labels.models import GraderVerdict, Message, Record, Rejection, Role, ToolCall, Transcript
from labels.render import split_hidden

from . import limits, nesting
from ._common import (
    BadRecord,
    a_kind,
    check_text,
    json_safe,
    model_name,
    one_line,
    readable,
    split_condition,
    unexpected,
)
from ._common import validation_reason as _validation_reason
from .detect import binary_kind
from .errors import UnusableInput
from .limits import MAX_RAW_DEPTH

RESPONSE = "response.json"
MAX_UP = 4
"""How many folders above a condition folder to look for the experiment root."""
TOOL_OPEN = re.compile(r"<tool_use:([\w.-]+)>")
TOOL_CLOSE = re.compile(r"</tool_use:([\w.-]+)>")
TOOL_FIELD = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s?(.*)$")
VERDICTS = (
    ("agentic-misalignment/final", "harmful_behavior"),
    ("agentic-misalignment/classifier", "classifier_verdict"),
)
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class Layout:
    """Where one response.json sits in its experiment."""

    root: Path
    model: str | None
    condition_id: str
    sample_dir: str


@dataclass
class _Prompts:
    """Prompt files read once per condition folder."""

    limit: int
    cache: dict[Path, dict[str, str | None]] = field(default_factory=dict)

    def get(self, folder: Path) -> dict[str, str | None]:
        if folder not in self.cache:
            self.cache[folder] = {
                name: _read_text(folder / f"{name}.txt", self.limit)
                for name in ("system_prompt", "user_prompt", "email_content")
            }
        return self.cache[folder]


def parse(path: Path) -> Iterator[Record | Rejection]:
    """Records from every `sample_*/response.json` under `path` (or from that one file)."""
    if path.is_file():
        files: Iterator[Path] = iter([path])
        base = path.parent
    elif path.is_dir():
        files, base = response_files(path), path
    else:
        raise UnusableInput(path, "no such file or folder")
    limit = limits.current(path).document_bytes
    prompts = _Prompts(limit)
    for file in files:
        yield from _sample(file, str(path), _where(file, base), prompts)


def response_files(root: Path) -> Iterator[Path]:
    """`response.json` files in `sample_*` folders under `root`, in sorted order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "prompts")
        if RESPONSE in files and Path(folder).name.startswith("sample_"):
            yield Path(folder) / RESPONSE


def _where(file: Path, base: Path) -> str:
    try:
        return readable(file.relative_to(base).as_posix())
    except ValueError:
        return readable(file.as_posix())


def _read_bytes(path: Path, limit: int, what: str) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise BadRecord(limits.over(what, size, limit, "document_bytes"))
    return path.read_bytes()


def _read_text(path: Path, limit: int) -> str | None:
    try:
        data = _read_bytes(path, limit, f"prompts/{path.parent.name}/{path.name}")
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _load(file: Path, limit: int) -> dict[str, Any]:
    try:
        raw = _read_bytes(file, limit, "response.json")
    except OSError as exc:
        raise BadRecord(f"cannot be read ({exc.strerror or exc})") from None
    kind = binary_kind(raw[:64], "JSON")
    if kind:
        raise BadRecord(f"response.json is {kind}")
    deep = nesting.too_deep(raw, MAX_RAW_DEPTH)
    if deep is not None:
        raise BadRecord(f"response.json line {deep.line}: {nesting.reason(deep, MAX_RAW_DEPTH)}")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise BadRecord(f"invalid JSON: {one_line(exc)}") from None
    check_text(raw, data)
    if not isinstance(data, dict):
        raise BadRecord(f"response.json holds {a_kind(data)}, not a JSON object")
    if not isinstance(data.get("raw_response"), str):
        raise BadRecord('"raw_response" is missing or not a string')
    return data


def layout(file: Path) -> Layout:
    """Experiment root, model folder, condition and sample of a response.json."""
    sample = file.parent
    if not sample.name.startswith("sample_"):
        raise BadRecord("expected <condition>/sample_N/response.json")
    condition = sample.parent
    between: list[str] = []
    node = condition.parent
    for _ in range(MAX_UP):
        if (node / "prompts").is_dir() or node.name == "models" or node.parent == node:
            break
        between.append(node.name)
        node = node.parent
    if node.name == "models":
        node = node.parent
    elif not (node / "prompts").is_dir():  # no anchor: <experiment>/<condition>/sample_N
        node, between = condition.parent, []
    parts = [p for p in reversed(between) if p != "models"]
    return Layout(node, "/".join(parts) or None, condition.name, sample.name)


def _sample(file: Path, source: str, where: str, prompts: _Prompts) -> Iterator[Record | Rejection]:
    try:
        if readable(str(file)) != str(file):
            raise BadRecord("its folder names are not valid UTF-8; rename them")
        data = _load(file, prompts.limit)
        place = layout(file)
        record, note = _record(data, place, file, prompts)
    except BadRecord as exc:
        yield Rejection(file=source, where=where, reason=str(exc))
        return
    except ValidationError as exc:
        yield Rejection(file=source, where=where, reason=_validation_reason(exc))
        return
    except RecursionError:
        yield Rejection(file=source, where=where, reason="the JSON is nested too deeply to read")
        return
    except Exception as exc:  # one odd sample must not stop the others
        yield Rejection(file=source, where=where, reason=unexpected(exc))
        return
    yield record
    if note:
        yield Rejection(file=source, where=where, reason=note, kind="note")


def _record(
    data: dict[str, Any], place: Layout, file: Path, prompts: _Prompts
) -> tuple[Record, str | None]:
    raw_meta = data.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    model = model_name(meta.get("model")) or place.model
    folder_model = place.model or model or "unknown-model"
    tid = f"am:{place.root.name}/{folder_model}/{place.condition_id}/{place.sample_dir}"
    texts = prompts.get(place.root / "prompts" / place.condition_id)
    messages = _messages(texts, data["raw_response"])
    extra: dict[str, Any] = {"experiment": place.root.name, "condition_id": place.condition_id}
    extra["sample_dir"] = place.sample_dir
    if texts["system_prompt"] is None or texts["user_prompt"] is None:
        extra["prompts_missing"] = True
    transcript = Transcript(
        id=tid,
        source_format="agentic-misalignment",
        source_ref=str(file),
        model=model,
        metadata=json_safe({**meta, **extra}),
        messages=messages,
        **split_condition(place.condition_id),
    )
    verdicts, note = classification_verdicts(tid, data.get("classification"), place.condition_id)
    return Record(transcript=transcript, verdicts=verdicts), note


def _messages(texts: dict[str, str | None], raw_response: str) -> tuple[Message, ...]:
    system, user, email = texts["system_prompt"], texts["user_prompt"], texts["email_content"]
    turns: list[tuple[Role, str]] = []
    if system is not None:
        turns.append(("system", system))
    if user is not None or email is not None:
        turns.append(("user", "\n".join(t for t in (user, email) if t is not None)))
    messages = [Message(index=i, role=role, text=text) for i, (role, text) in enumerate(turns)]
    visible, reasoning = split_hidden(raw_response.strip())
    messages.append(
        Message(
            index=len(messages),
            role="assistant",
            text=visible,
            reasoning=reasoning,
            tool_calls=tool_uses(visible),
        )
    )
    return tuple(messages)


def _unquote(value: str) -> str:
    value = value.strip().removesuffix(",").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@dataclass
class _Value:
    """A field's value, line by line, and whether it is an open quote, known in O(1) per line.

    Open means: stripped of whitespace and one trailing comma, the value starts
    with `"` and is that quote alone or does not end with one. For that we only
    need its first non-space character, its last two, and how many there are.
    """

    lines: list[str]
    first: str = ""
    last: str = ""
    count: int = 0

    def add(self, line: str) -> None:
        self.lines.append(line)
        dense = "".join(line.split())
        self.first = self.first or dense[:1]
        self.last = (self.last + dense)[-2:]
        self.count = min(self.count + len(dense), 3)

    def open_quote(self) -> bool:
        end, count = self.last, self.count
        if end.endswith(","):  # one trailing comma is not part of the value
            end, count = end[:-1], count - 1
        return self.first == '"' and count > 0 and (count == 1 or not end.endswith('"'))


def tool_fields(block: str) -> dict[str, str]:
    """`key: value` fields of a tool_use block; a quoted value may span lines."""
    fields: dict[str, _Value] = {}
    key: str | None = None
    for line in block.strip("\n").splitlines():
        match = TOOL_FIELD.match(line)
        if match and not (key and fields[key].open_quote()):
            key = match.group(1)
            fields[key] = _Value([])
            fields[key].add(match.group(2))
        elif key:
            fields[key].add(line)
    return {k: _unquote("\n".join(v.lines)) for k, v in fields.items()}


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    """(name, body) of each `<tool_use:NAME>…</tool_use:NAME>`, as a lazy regex would find them.

    Done with one pass for openings and one for closings, as a backreference
    regex rescans to the end of the text for every unclosed opening (quadratic).
    """
    closings: dict[str, list[tuple[int, int]]] = {}
    for match in TOOL_CLOSE.finditer(text):
        closings.setdefault(match.group(1), []).append(match.span())
    cursor = 0
    for match in TOOL_OPEN.finditer(text):
        name, (start, end) = match.group(1), match.span()
        spans = closings.get(name, [])
        found = bisect.bisect_left(spans, (end, end))
        if start < cursor or found == len(spans):
            continue
        close_start, cursor = spans[found]
        yield name, text[end:close_start]


def tool_uses(text: str) -> tuple[ToolCall, ...]:
    """`<tool_use:NAME>` blocks as tool calls (fields parsed, else the raw block)."""
    calls = []
    for name, block in _blocks(text):
        arguments: dict[str, Any] = dict(tool_fields(block)) or {"raw": block.strip()}
        calls.append(ToolCall(function=name, arguments=arguments))
    return tuple(calls)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return FLAGS.get(value.strip().lower()) if isinstance(value, str) else None


def classification_verdicts(
    transcript_id: str, classification: Any, condition_id: str
) -> tuple[tuple[GraderVerdict, ...], str | None]:
    """Grader verdicts from `classification`, and a note when it failed or is unreadable."""
    if classification is None:
        return (), None
    if not isinstance(classification, dict):
        return (), "classification is not an object; transcript imported without grader verdict"
    found = [(g, f, _flag(classification.get(f))) for g, f in VERDICTS]
    if all(flag is None for _, _, flag in found):
        error = classification.get("error", "no harmful_behavior or classifier_verdict")
        return (
            (),
            f"classification failed: {one_line(error)}; transcript imported without grader verdict",
        )
    rest = {k: v for k, v in classification.items() if k not in dict(VERDICTS).values()}
    common: dict[str, Any] = {
        "transcript_id": transcript_id,
        "dimension": "extortion" if "blackmail" in condition_id else None,
        "explanation": model_name(rest.pop("classifier_reasoning", None)),
        "model": model_name(rest.pop("classifier_model", None)),
        "metadata": json_safe(rest),
    }
    verdicts = tuple(
        GraderVerdict(
            grader=grader, field=name, value="yes" if flag else "no", score=float(flag), **common
        )
        for grader, name, flag in found
        if flag is not None
    )
    return verdicts, None
