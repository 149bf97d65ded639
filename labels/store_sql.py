"""SQL text and Arrow row builders used by `store.py` (kept apart to keep it readable).

No connection here: `store.py` remains the only module that talks to DuckDB.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from labels.models import GraderVerdict, Label, Message, ToolCall, Transcript


def to_json(value: Any) -> str:
    """Canonical JSON for storage."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


INSERT_LABELS = (
    "INSERT INTO labels (transcript_id, rater, dimension, value, rationale, evidence, tags,"
    " schema_version, seconds, created_at) SELECT * FROM l_rows"
)

# Who holds a transcript: open or done assignments, and anyone who labeled it.
HOLDERS = (
    "SELECT transcript_id, rater FROM assignments WHERE state IN ('open', 'done')"
    " UNION SELECT DISTINCT transcript_id, rater FROM labels"
)

# Transcripts `rater` may still be given. Parameters: rater, k, rater.
# Holders with the time they took the item (first assignment or first label).
HOLDERS_SINCE = (
    "SELECT transcript_id, rater, min(since) AS since FROM ("
    " SELECT transcript_id, rater, created_at AS since FROM assignments"
    " WHERE state IN ('open', 'done')"
    " UNION ALL SELECT transcript_id, rater, created_at FROM labels) GROUP BY ALL"
)

# An item sent to audit is relabeled blind by k new raters: only holders who took
# it after it was queued count against k, and earlier holders still never get it again.
CANDIDATES = f"""
WITH audits AS (
    SELECT transcript_id, max(created_at) AS since FROM queue_items
    WHERE queue = 'audit' GROUP BY transcript_id
), counts AS (
    SELECT h.transcript_id,
           count(*) FILTER (WHERE a.since IS NULL OR h.since >= a.since) AS n,
           bool_or(h.rater = ?) AS mine
    FROM ({HOLDERS_SINCE}) h LEFT JOIN audits a USING (transcript_id)
    GROUP BY h.transcript_id
), priority AS (
    SELECT transcript_id, min(CASE queue WHEN 'audit' THEN 0 ELSE 1 END) AS p
    FROM queue_items GROUP BY transcript_id
)
SELECT t.id, coalesce(q.p, 2) AS p,
       CASE coalesce(q.p, 2) WHEN 0 THEN 'audit' WHEN 1 THEN 'gold-check' ELSE 'main' END AS queue
FROM transcripts t
LEFT JOIN counts c ON c.transcript_id = t.id
LEFT JOIN priority q ON q.transcript_id = t.id
WHERE coalesce(c.n, 0) < ? AND NOT coalesce(c.mine, FALSE)
  AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.transcript_id = t.id AND a.rater = ?)
"""  # noqa: S608 (constant text, no input)

# Parameters: rater, k, rater, seed.
NEXT_SQL = f"SELECT id, queue FROM ({CANDIDATES}) ORDER BY p, md5(? || id) LIMIT 1"  # noqa: S608

# Parameters: rater, rater, rater, k, rater.
PROGRESS_SQL = f"""
SELECT (SELECT count(DISTINCT transcript_id) FROM ({HOLDERS}) h WHERE h.rater = ?
        OR h.transcript_id IN (SELECT transcript_id FROM assignments WHERE rater = ?
                               AND state = 'skipped')) AS done_or_open,
       (SELECT count(*) FROM ({CANDIDATES})) AS left
"""  # noqa: S608

# Label state of each labeled transcript. Parameter: k.
STATE_SQL = """
WITH cur AS (
    SELECT transcript_id, rater, dimension, arg_max(value, created_at) AS value
    FROM labels GROUP BY ALL
), per_dim AS (
    SELECT transcript_id, dimension, count(DISTINCT value) AS kinds, count(*) AS n
    FROM cur GROUP BY ALL
), per_item AS (
    SELECT transcript_id, max(kinds) AS kinds, max(n) AS n FROM per_dim GROUP BY ALL
)
SELECT p.transcript_id,
       CASE WHEN g.transcript_id IS NOT NULL THEN 'gold'
            WHEN p.kinds > 1 THEN 'disputed'
            WHEN p.n < ? THEN 'in progress'
            ELSE 'agreed' END AS state
FROM per_item p
LEFT JOIN (SELECT DISTINCT transcript_id FROM gold) g USING (transcript_id)
"""

# The search index is derived data (rebuilt from messages whenever transcripts change).
BUILD_SEARCH_DOCS = """
CREATE OR REPLACE TABLE search_docs AS
SELECT transcript_id, string_agg(text || ' ' || coalesce(reasoning, ''), ' ' ORDER BY idx) AS body
FROM messages GROUP BY transcript_id
"""

FTS_SEARCH = """
SELECT transcript_id FROM (
    SELECT transcript_id,
           fts_main_search_docs.match_bm25(transcript_id, ?, conjunctive := 1) AS score
    FROM search_docs
) WHERE score IS NOT NULL ORDER BY score DESC
"""

LIKE_SEARCH = (
    "SELECT DISTINCT transcript_id FROM messages"
    " WHERE text ILIKE ? ESCAPE '\\' OR reasoning ILIKE ? ESCAPE '\\' ORDER BY transcript_id"
)

# Current gold with provenance, for export. Parameters: dimension, dimension, dimension, dimension.
GOLD_EXPORT = """
WITH g AS (
    SELECT *, row_number() OVER (PARTITION BY transcript_id, dimension
                                 ORDER BY created_at DESC, id DESC) AS rn
    FROM gold WHERE dimension = ? OR ? IS NULL
), cur AS (
    SELECT transcript_id, dimension, rater, value, row_number() OVER (
        PARTITION BY transcript_id, dimension, rater ORDER BY created_at DESC, id DESC) AS rn
    FROM labels WHERE dimension = ? OR ? IS NULL
), votes AS (
    SELECT transcript_id, dimension, count(*) AS n_raters,
           to_json(map_from_entries(list(struct_pack(k := rater, v := value) ORDER BY rater)))
               AS rater_values
    FROM cur WHERE rn = 1 GROUP BY transcript_id, dimension
)
SELECT g.transcript_id, t.source_format AS source, t.source_ref, g.dimension, g.value,
       g.method, g.who, g.note, g.schema_version,
       coalesce(v.n_raters, 0) AS n_raters, coalesce(v.rater_values::VARCHAR, '{}') AS rater_values,
       strftime(timezone('UTC', g.created_at), '%Y-%m-%dT%H:%M:%S.%fZ') AS decided_at
FROM g
LEFT JOIN transcripts t ON t.id = g.transcript_id
LEFT JOIN votes v USING (transcript_id, dimension)
WHERE g.rn = 1
ORDER BY g.transcript_id, g.dimension
"""

LABEL_STATES = ("unlabeled", "in progress", "disputed", "agreed", "gold")


def like(text: str) -> str:
    """An ILIKE pattern matching `text` literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- row builders (models → Arrow columns) ----------------------------------


def transcript_columns(ts: list[Transcript], batch_id: str) -> dict[str, list[Any]]:
    return {
        "id": [t.id for t in ts],
        "source_format": [t.source_format for t in ts],
        "source_ref": [t.source_ref for t in ts],
        "model": [t.model for t in ts],
        "scenario": [t.scenario for t in ts],
        "goal_type": [t.goal_type for t in ts],
        "goal_value": [t.goal_value for t in ts],
        "urgency_type": [t.urgency_type for t in ts],
        "metadata": [to_json(t.metadata) for t in ts],
        "batch_id": [batch_id] * len(ts),
        "n_messages": [t.n_messages for t in ts],
        "n_chars": [t.n_chars for t in ts],
    }


def message_columns(ts: list[Transcript]) -> dict[str, list[Any]]:
    msgs = [(t.id, m) for t in ts for m in t.messages]
    return {
        "transcript_id": [tid for tid, _ in msgs],
        "idx": [m.index for _, m in msgs],
        "role": [m.role for _, m in msgs],
        "text": [m.text for _, m in msgs],
        "reasoning": [m.reasoning for _, m in msgs],
        "tool_calls": [
            to_json([c.model_dump() for c in m.tool_calls]) if m.tool_calls else None
            for _, m in msgs
        ],
        "tool_call_id": [m.tool_call_id for _, m in msgs],
        "name": [m.name for _, m in msgs],
    }


def verdict_columns(vs: list[GraderVerdict], batch_id: str | None) -> dict[str, list[Any]]:
    return {
        "grader": [v.grader for v in vs],
        "transcript_id": [v.transcript_id for v in vs],
        "field": [v.field for v in vs],
        "dimension": [v.dimension for v in vs],
        "value": [v.value for v in vs],
        "score": pa.array([v.score for v in vs], type=pa.float64()),
        "answer": [v.answer for v in vs],
        "explanation": [v.explanation for v in vs],
        "metadata": [to_json(v.metadata) if v.metadata else None for v in vs],
        "batch_id": [batch_id] * len(vs),
    }


def label_columns(ls: list[Label]) -> dict[str, Any]:
    return {
        "transcript_id": [x.transcript_id for x in ls],
        "rater": [x.rater for x in ls],
        "dimension": [x.dimension for x in ls],
        "value": [x.value for x in ls],
        "rationale": [x.rationale for x in ls],
        "evidence": [to_json([e.model_dump() for e in x.evidence]) for x in ls],
        "tags": pa.array([list(x.tags) for x in ls], type=pa.list_(pa.string())),
        "schema_version": [x.schema_version for x in ls],
        "seconds": pa.array([x.seconds for x in ls], type=pa.float64()),
        "created_at": pa.array([x.created_at for x in ls], type=pa.timestamp("us", tz="UTC")),
    }


def message(row: tuple[Any, ...]) -> Message:
    calls = json.loads(row[4]) if row[4] else []
    return Message(
        index=row[0],
        role=row[1],
        text=row[2],
        reasoning=row[3],
        tool_calls=tuple(ToolCall(**c) for c in calls),
        tool_call_id=row[5],
        name=row[6],
    )
