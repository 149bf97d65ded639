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
- `<SCRATCHPAD_REASONING>` blocks become the assistant's reasoning (an unclosed
  block runs to the end); the rest is the visible text. `<tool_use:NAME>` blocks
  stay in the visible text and are also parsed into tool calls; blocks inside
  the scratchpad are drafts, not actions, and are not.
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

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from labels.models import GraderVerdict, Message, Record, Rejection, Role, ToolCall, Transcript

from ._common import BadRecord, a_kind, json_safe, model_name, one_line, split_condition
from ._common import validation_reason as _validation_reason
from .errors import UnusableInput

RESPONSE = "response.json"
MAX_UP = 4
"""How many folders above a condition folder to look for the experiment root."""
SCRATCHPAD = re.compile(
    r"<SCRATCHPAD_REASONING>(.*?)(?:</SCRATCHPAD_REASONING>|\Z)", re.DOTALL | re.IGNORECASE
)
TOOL_USE = re.compile(r"<tool_use:([\w.-]+)>(.*?)</tool_use:\1>", re.DOTALL)
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

    cache: dict[Path, dict[str, str | None]] = field(default_factory=dict)

    def get(self, folder: Path) -> dict[str, str | None]:
        if folder not in self.cache:
            self.cache[folder] = {
                name: _read_text(folder / f"{name}.txt")
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
    prompts = _Prompts()
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
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.as_posix()


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _load(file: Path) -> dict[str, Any]:
    try:
        data = json.loads(file.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise BadRecord(f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise BadRecord(f"invalid JSON: {one_line(exc)}") from None
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
        data = _load(file)
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
    yield record
    if note:
        yield Rejection(file=source, where=where, reason=note)


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
    visible, reasoning = split_scratchpad(raw_response)
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


def split_scratchpad(raw: str) -> tuple[str, str | None]:
    """(visible text, scratchpad reasoning or None) of a response."""
    thoughts = [m.group(1).strip() for m in SCRATCHPAD.finditer(raw)]
    visible = SCRATCHPAD.sub("", raw).strip()
    return visible, "\n\n".join(t for t in thoughts if t) or None


def _unquote(value: str) -> str:
    value = value.strip().removesuffix(",").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _open_quote(lines: list[str]) -> bool:
    value = "\n".join(lines).strip().removesuffix(",").rstrip()
    return value.startswith('"') and (len(value) == 1 or not value.endswith('"'))


def tool_fields(block: str) -> dict[str, str]:
    """`key: value` fields of a tool_use block; a quoted value may span lines."""
    fields: dict[str, list[str]] = {}
    key: str | None = None
    for line in block.strip("\n").splitlines():
        match = TOOL_FIELD.match(line)
        if match and not (key and _open_quote(fields[key])):
            key = match.group(1)
            fields[key] = [match.group(2)]
        elif key:
            fields[key].append(line)
    return {k: _unquote("\n".join(v)) for k, v in fields.items()}


def tool_uses(text: str) -> tuple[ToolCall, ...]:
    """`<tool_use:NAME>` blocks as tool calls (fields parsed, else the raw block)."""
    calls = []
    for match in TOOL_USE.finditer(text):
        block = match.group(2)
        arguments: dict[str, Any] = dict(tool_fields(block)) or {"raw": block.strip()}
        calls.append(ToolCall(function=match.group(1), arguments=arguments))
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
