"""Inspect AI logs (`.eval` and `.json`), read with inspect_ai's own reader.

One transcript per sample and epoch, id `inspect:{eval_id}:{sample_id}:{epoch}`.
A `.eval` log is a zip with one member per sample: samples are read one at a
time (`read_eval_log_sample`, the function `read_eval_log_samples` loops over),
each in its own try, so one unreadable sample becomes a Rejection and the rest
still come. The pairs to read are listed from the zip itself, so logs without
a sample list and cancelled logs work too. A `.json` log is one JSON document
that inspect_ai reads whole; if it cannot, the file is unusable.

Before inspect_ai opens an `.eval`, `_archive.check_eval` refuses unsafe
member names and zip bombs (by size, never by compression ratio) and measures
every member's nesting: a sample member too big, lying about its size, damaged or
nesting deeper than `MAX_RAW_DEPTH` is rejected without inspect_ai reading it (the
other samples still come), any other member failing a check refuses the file;
a `.json` log over the document size limit is refused before it is read (see
`limits`).

Every scorer's score becomes grader verdicts `inspect/{scorer}`: a dict value
such as `{"harmful": 1, "classifier_verdict": 0}` gives one verdict per key,
with field `{scorer}.{key}` (the store keys verdicts by grader, transcript and
field, so the keys must stay apart); any other value gives one verdict with
field `{scorer}`. Numbers and booleans also set `score`. inspect-evals'
`harmfulness_scorer` records the dimension extortion on blackmail samples.

An assistant's hidden blocks (`<SCRATCHPAD_REASONING>`, thinking tags: inspect-evals'
agentic_misalignment, Petri targets) join its reasoning content parts by
`render.split_hidden`, as in every format. A sample that stopped at a limit keeps it in
`metadata.inspect.limit` (type, limit, reason); a Petri 3 audit's sample keeps its input,
the auditor's seed instruction, as `metadata.seed_instructions`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample, read_eval_log, read_eval_log_sample
from inspect_ai.model import ChatMessage, ContentReasoning, ContentText
from inspect_ai.scorer import Score
from pydantic import ValidationError

from labels.models import (
    CONDITION_FIELDS,
    SEED_KEY,
    GraderVerdict,
    Message,
    Record,
    Rejection,
    ToolCall,
    Transcript,
)
from labels.render import join_reasoning, split_hidden

from . import limits, nesting
from ._archive import check_eval
from ._common import (
    BadRecord,
    check_id,
    condition_fields,
    finite,
    json_safe,
    model_name,
    one_line,
    unexpected,
    validation_reason,
    without,
)
from .detect import check_text_file, head_of
from .errors import UnusableInput
from .limits import MAX_RAW_DEPTH

SKIPPED_FIELDS = {"events", "events_data", "timelines", "store"}
"""Sample fields we never use; leaving them out keeps big samples small in memory. (Petri 3
samples carry `timelines` that inspect_ai 0.3.285 cannot validate when it reads a sample
without its events: every such sample failed with "200 validation errors".)"""
SCENARIO_SCORERS = {"harmfulness_scorer": {"blackmail": "extortion"}}
"""Scorers whose verdicts answer a label dimension in some scenarios only: inspect-evals'
agentic_misalignment classifier judges blackmail in blackmail samples (as the result-folder
reader decides; leaking and murder are no label dimension)."""
PETRI_TASKS = ("inspect_petri/", "petri/")
"""Task names of Petri 3 audits: their sample input is the auditor's seed instruction."""


@dataclass(frozen=True)
class _Eval:
    """What the log header says about every sample in it."""

    file: str
    eval_id: str
    task: str
    model: str | None
    run_id: str | None


def parse(path: Path) -> Iterator[Record | Rejection]:
    """Records (and rejected samples) from an Inspect log, sample by sample."""
    if not path.is_file():
        raise UnusableInput(path, "no such file")
    if path.suffix.lower() == ".eval":
        yield from _parse_eval(path)
    else:
        yield from _parse_json(path)


def _header(log: EvalLog, path: Path) -> _Eval:
    spec = log.eval
    return _Eval(
        file=str(path),
        eval_id=spec.eval_id or spec.task_id or spec.run_id,
        task=spec.task,
        model=spec.model or None,
        run_id=spec.run_id,
    )


def _read_header(path: Path) -> EvalLog:
    try:
        return read_eval_log(str(path), header_only=True)
    except Exception as exc:  # inspect raises many kinds; all mean the same here
        raise UnusableInput(path, f"is not a readable Inspect log ({one_line(exc)})") from exc


def _parse_eval(path: Path) -> Iterator[Record | Rejection]:
    if not zipfile.is_zipfile(path):
        raise UnusableInput(path, "is named .eval but is not a zip archive")
    refused = check_eval(path, limits.current(path))
    log = _read_header(path)
    header = _header(log, path)
    order = [str(i) for i in (log.eval.dataset.sample_ids or [])]
    for sample_id, epoch, member in _sample_members(path, order):
        where = f"sample {sample_id} epoch {epoch}"
        if member in refused:  # inspect_ai's parser must not see it
            yield Rejection(file=header.file, where=where, reason=refused[member])
            continue
        try:
            sample = read_eval_log_sample(
                str(path),
                id=sample_id,
                epoch=epoch,
                resolve_attachments="core",
                exclude_fields=SKIPPED_FIELDS,
            )
        except Exception as exc:  # one bad sample must not stop the others
            reason = f"Inspect could not read this sample ({one_line(exc)})"
            yield Rejection(file=header.file, where=where, reason=reason)
            continue
        yield sample_record(sample, header)


def _sample_members(path: Path, order: list[str]) -> list[tuple[str, int, str]]:
    """(sample id, epoch, member) for every sample stored in the zip, in the dataset's order."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise UnusableInput(path, f"cannot be opened as a zip archive ({exc})") from exc
    pairs: list[tuple[str, int, str]] = []
    for name in names:
        stem = name.removeprefix("samples/").removesuffix(".json")
        sample_id, sep, epoch = stem.rpartition("_epoch_")
        if name.startswith("samples/") and name.endswith(".json") and sep and epoch.isdigit():
            pairs.append((sample_id, int(epoch), name))
    rank = {sample_id: n for n, sample_id in enumerate(order)}
    return sorted(pairs, key=lambda p: (rank.get(p[0], len(rank)), p[0], p[1]))


def _parse_json(path: Path) -> Iterator[Record | Rejection]:
    check_text_file(path, head_of(path), "an Inspect JSON log")
    limit = limits.current(path).document_bytes
    size = path.stat().st_size
    if size > limit:
        raise UnusableInput(path, limits.over("the log", size, limit, "document_bytes"))
    _check_nesting(path)
    try:
        log = read_eval_log(str(path), resolve_attachments="core")
    except Exception as exc:
        raise UnusableInput(path, f"is not a readable Inspect log ({one_line(exc)})") from exc
    header = _header(log, path)
    for sample in log.samples or []:
        yield sample_record(sample, header)


def _check_nesting(path: Path) -> None:
    """Refuse a JSON log nesting deeper than MAX_RAW_DEPTH before inspect_ai parses it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc
    deep = nesting.too_deep(raw, MAX_RAW_DEPTH)
    if deep is not None:
        raise UnusableInput(path, nesting.refusal(deep, MAX_RAW_DEPTH))


def sample_record(sample: EvalSample, header: _Eval) -> Record | Rejection:
    """One sample as a Record, or a Rejection when its content does not fit our models."""
    where = f"sample {sample.id} epoch {sample.epoch}"
    try:
        transcript = _transcript(sample, header, where)
        verdicts = _verdicts(transcript.id, sample.scores or {}, transcript.scenario)
    except ValidationError as exc:
        return Rejection(file=header.file, where=where, reason=validation_reason(exc))
    except (ValueError, TypeError, RecursionError) as exc:
        return Rejection(file=header.file, where=where, reason=one_line(exc))
    except Exception as exc:  # one odd sample must not stop the file
        return Rejection(file=header.file, where=where, reason=unexpected(exc))
    return Record(transcript=transcript, verdicts=verdicts)


def _transcript(sample: EvalSample, header: _Eval, where: str) -> Transcript:
    meta = json_safe(dict(sample.metadata or {}))
    output_model = sample.output.model if sample.output else None
    provenance = {
        "task": header.task,
        "eval_id": header.eval_id,
        "run_id": header.run_id,
        "sample_id": sample.id,
        "epoch": sample.epoch,
        "target": json_safe(sample.target),
        "error": sample.error.message if sample.error else None,
        "limit": _limit(sample),
    }
    if header.task.startswith(PETRI_TASKS):
        meta = {**meta, SEED_KEY: _input_text(sample.input)}
    return Transcript(
        id=check_id(f"inspect:{header.eval_id}:{sample.id}:{sample.epoch}", "the sample id"),
        source_format="inspect",
        source_ref=f"{header.file}, {where}",
        model=model_name(output_model, header.model),
        metadata={**without(meta, CONDITION_FIELDS), "inspect": provenance},
        messages=tuple(_message(m, i) for i, m in enumerate(sample.messages)),
        **condition_fields(meta),
    )


def _limit(sample: EvalSample) -> dict[str, Any] | None:
    """The limit a sample stopped at (message, token, time...), as inspect_ai recorded it."""
    hit = sample.limit
    if hit is None:
        return None
    return {"type": hit.type, "limit": finite(hit.limit), "reason": hit.reason or None}


def _input_text(raw: str | list[ChatMessage]) -> str:
    """A sample's input as text: the string, or its user messages' text."""
    if isinstance(raw, str):
        return raw
    return "\n\n".join(m.text for m in raw if m.role == "user")


def _reasoning_text(part: ContentReasoning) -> str:
    if part.redacted:
        return part.summary or "[redacted reasoning]"
    return part.reasoning or part.summary or ""


def _content(content: str | list[Any]) -> tuple[str, str | None]:
    """Visible text and reasoning; parts that are neither become a placeholder like [image]."""
    if isinstance(content, str):
        return content, None
    texts: list[str] = []
    thoughts: list[str] = []
    for part in content:
        if isinstance(part, ContentText):
            texts.append(part.text)
        elif isinstance(part, ContentReasoning):
            thoughts.append(_reasoning_text(part))
        else:
            texts.append(f"[{getattr(part, 'type', 'content')}]")
    return "\n".join(texts), join_reasoning(*thoughts)


def _tool_calls(message: ChatMessage) -> tuple[ToolCall, ...]:
    if message.role != "assistant" or not message.tool_calls:
        return ()
    return tuple(
        ToolCall(id=c.id or "", function=c.function, arguments=_arguments(c.arguments))
        for c in message.tool_calls
    )


def _arguments(raw: Any) -> dict[str, Any]:
    value = json_safe(raw)
    return value if isinstance(value, dict) else {"_raw": value}


def _message(message: ChatMessage, index: int) -> Message:
    text, reasoning = _content(message.content)
    if message.role == "assistant":
        text, hidden = split_hidden(text)
        reasoning = join_reasoning(reasoning, hidden)
    tool_call_id = name = None
    if message.role == "tool":
        tool_call_id, name = message.tool_call_id, message.function
        if message.error is not None:
            error = f"Error ({message.error.type}): {message.error.message}"
            text = f"{text}\n{error}" if text else error
    return Message(
        index=index,
        role=message.role,
        text=text,
        reasoning=reasoning,
        tool_calls=_tool_calls(message),
        tool_call_id=tool_call_id,
        name=name,
    )


def score_value(value: Any) -> tuple[str | None, float | None]:
    """A score value as (text, number): booleans are true/false and 1/0.

    An integer a float cannot hold keeps its text but no number; a NaN or infinite
    float (1e999 reads as one) is a BadRecord, never the verdict "inf".
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), float(value)
    if isinstance(value, int | float):
        number = finite(value)
        if number is None and isinstance(value, float):  # an int too big for a float is text
            raise BadRecord(
                f"a score is {value} (NaN, an infinity, or too big), which no verdict can hold"
            )
        return str(value), number
    if isinstance(value, str):
        return value, None
    return json.dumps(json_safe(value), ensure_ascii=False), None


def _verdicts(
    transcript_id: str, scores: dict[str, Score], scenario: str | None
) -> tuple[GraderVerdict, ...]:
    verdicts: list[GraderVerdict] = []
    for scorer, score in scores.items():
        common: dict[str, Any] = {
            "transcript_id": transcript_id,
            "grader": f"inspect/{scorer}",
            "dimension": SCENARIO_SCORERS.get(scorer, {}).get(scenario or ""),
            "answer": None if score.answer is None else str(score.answer),
            "explanation": score.explanation or getattr(score, "reason", None) or None,
            "metadata": json_safe(dict(score.metadata or {})),
        }
        items = score.value.items() if isinstance(score.value, dict) else [(None, score.value)]
        for key, raw in items:
            value, number = score_value(raw)
            field = scorer if key is None else f"{scorer}.{key}"
            verdicts.append(GraderVerdict(field=field, value=value, score=number, **common))
    return tuple(verdicts)
