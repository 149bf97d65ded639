"""Transcripts as the rows the store writes: the one shape both readers produce.

The line-by-line readers yield `Record`s (pydantic models); the fast JSONL reader
builds Arrow tables directly. Both reach the store as `Rows` (`from_records`
turns records into them), so there is one write path, one duplicate check and
one ingest history row per file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import pyarrow as pa

from labels.models import CONDITION_FIELDS, GraderVerdict, Record, Transcript


def to_json(value: Any) -> str:
    """Canonical JSON for storage (keys sorted, text as is)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


TRANSCRIPT_COLUMNS = (
    "id",
    "source_format",
    "source_ref",
    "model",
    "scenario",
    "goal_type",
    "goal_value",
    "urgency_type",
    "metadata",
    "batch_id",
    "n_messages",
    "n_chars",
)
"""The `transcripts` table's columns, in its order."""
MESSAGE_COLUMNS = (
    "transcript_id",
    "idx",
    "role",
    "text",
    "reasoning",
    "tool_calls",
    "tool_call_id",
    "name",
)
"""The `messages` table's columns, in its order."""


class Rows(NamedTuple):
    """Some transcripts of one file as Arrow tables, ready to be written."""

    transcripts: pa.Table
    """The `TRANSCRIPT_COLUMNS` less batch_id (the store adds it), any order."""
    messages: pa.Table
    """The `MESSAGE_COLUMNS`."""
    parents: pa.Array
    """Per message row, the row of its transcript in `transcripts`."""
    verdicts: Sequence[GraderVerdict] = ()
    """Grader verdicts that came with these transcripts."""


def transcript_columns(ts: Sequence[Transcript]) -> dict[str, Any]:
    """The transcripts' rows, less batch_id."""
    text = ("id", "source_format", "source_ref", "model", *CONDITION_FIELDS)
    columns: dict[str, Any] = {
        name: pa.array([getattr(t, name) for t in ts], pa.string()) for name in text
    }
    columns["metadata"] = pa.array([to_json(t.metadata) for t in ts], pa.string())
    columns["n_messages"] = pa.array([t.n_messages for t in ts], pa.int32())
    columns["n_chars"] = pa.array([t.n_chars for t in ts], pa.int64())
    return columns


def message_columns(ts: Sequence[Transcript]) -> dict[str, Any]:
    """The rows of the transcripts' messages."""
    msgs = [(t.id, m) for t in ts for m in t.messages]
    return {
        "transcript_id": pa.array([tid for tid, _ in msgs], pa.string()),
        "idx": pa.array([m.index for _, m in msgs], pa.int32()),
        "role": pa.array([m.role for _, m in msgs], pa.string()),
        "text": pa.array([m.text for _, m in msgs], pa.string()),
        "reasoning": pa.array([m.reasoning for _, m in msgs], pa.string()),
        "tool_calls": pa.array(
            [
                to_json([c.model_dump() for c in m.tool_calls]) if m.tool_calls else None
                for _, m in msgs
            ],
            pa.string(),
        ),
        "tool_call_id": pa.array([m.tool_call_id for _, m in msgs], pa.string()),
        "name": pa.array([m.name for _, m in msgs], pa.string()),
    }


def from_records(records: Sequence[Record]) -> Rows:
    """Records (a transcript each, with its verdicts) as `Rows`."""
    ts = [r.transcript for r in records]
    parents = pa.array([row for row, t in enumerate(ts) for _ in t.messages], pa.int64())
    return Rows(
        pa.table(transcript_columns(ts)),
        pa.table(message_columns(ts)),
        parents,
        [v for r in records for v in r.verdicts],
    )
