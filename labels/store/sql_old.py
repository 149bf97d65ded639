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


_LABEL_COLUMNS = (
    "transcript_id, rater, dimension, value, rationale, evidence, tags, schema_version,"
    " seconds, created_at"
)
INSERT_LABELS = f"INSERT INTO labels ({_LABEL_COLUMNS}) SELECT * FROM l_rows"  # noqa: S608


def insert_label_values(labels: list[Label]) -> tuple[str, list[Any]]:
    """A parameterised INSERT of a few labels (one submit): faster than an Arrow scan."""
    group = "(" + ", ".join("?" * 10) + ")"
    text = f"INSERT INTO labels ({_LABEL_COLUMNS}) VALUES " + ", ".join([group] * len(labels))  # noqa: S608
    params: list[Any] = []
    for x in labels:
        params += [x.transcript_id, x.rater, x.dimension, x.value, x.rationale]
        params += [to_json([e.model_dump() for e in x.evidence]), list(x.tags)]
        params += [x.schema_version, x.seconds, x.created_at]
    return text, params


# -- the queue ---------------------------------------------------------------
# A rater holds a transcript from their first assignment on it (a label without one
# gets a 'done' assignment with queue 'import'): while it is open or done, or once they
# labeled it. `queue_state` keeps, per transcript, its priority (audit 0, gold-check 1,
# main 2), when it was last sent to audit, and how many raters hold it since then, so
# choosing the next item never groups the labels. Every write that changes a holder or
# a queue entry refreshes the transcripts it touched (`Store._refresh_queue`), and
# `REBUILD_QUEUE` derives it all again from the tables it summarizes.

ASSIGN = (
    "INSERT INTO assignments (transcript_id, rater, queue, state, flagged, note, created_at,"
    " updated_at, labeled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A rater's assignment moves to a new state; labeled stays TRUE once set. Parameters as ASSIGN.
SET_ASSIGNMENT = (
    ASSIGN + " ON CONFLICT (transcript_id, rater) DO UPDATE SET state = excluded.state,"
    " flagged = excluded.flagged, note = excluded.note, updated_at = excluded.updated_at,"
    " labeled = assignments.labeled OR excluded.labeled"
)
# Mark the raters of newly written labels (in `l_rows`) as holders.
LABELED = (
    "INSERT INTO assignments (transcript_id, rater, queue, state, flagged, note, created_at,"
    " updated_at, labeled) SELECT transcript_id, rater, 'import', 'done', FALSE, NULL,"
    " min(created_at), max(created_at), TRUE FROM l_rows GROUP BY ALL"
    " ON CONFLICT (transcript_id, rater) DO UPDATE SET labeled = TRUE"
)

_PRIORITY = """SELECT transcript_id,
       min(CASE queue WHEN 'audit' THEN 0 ELSE 1 END)::TINYINT AS priority,
       max(created_at) FILTER (WHERE queue = 'audit') AS audit_since
FROM queue_items"""

# Holders counted against k: since the item was last sent to audit, if it was.
_HOLDERS = """(SELECT count(*) FROM assignments a
 WHERE a.transcript_id = q.transcript_id AND (a.labeled OR a.state IN ('open', 'done'))
   AND (q.audit_since IS NULL OR a.created_at >= q.audit_since))"""

# Everything derived again: label holders without an assignment, labeled flags, queue state.
REBUILD_QUEUE = f"""
INSERT INTO assignments (transcript_id, rater, queue, state, flagged, note, created_at,
                         updated_at, labeled)
SELECT transcript_id, rater, 'import', 'done', FALSE, NULL, min(created_at), max(created_at), TRUE
FROM labels GROUP BY ALL
ON CONFLICT (transcript_id, rater) DO UPDATE SET labeled = TRUE;
DELETE FROM queue_state;
INSERT INTO queue_state
SELECT t.id, coalesce(p.priority, 2), p.audit_since, 0
FROM transcripts t LEFT JOIN ({_PRIORITY} GROUP BY ALL) p ON p.transcript_id = t.id;
UPDATE queue_state q SET holders = {_HOLDERS};
"""  # noqa: S608 (constant text, no input)

# New transcripts (their ids in `q_ids`) enter the queue with no holders.
ADD_TO_QUEUE = f"""
INSERT INTO queue_state
SELECT i.id, coalesce(p.priority, 2), p.audit_since, 0 FROM q_ids i
LEFT JOIN ({_PRIORITY} WHERE transcript_id IN (SELECT id FROM q_ids) GROUP BY ALL) p
  ON p.transcript_id = i.id
"""  # noqa: S608

# Refresh priority and holder counts for the transcripts in `q_ids`.
REFRESH_PRIORITY = f"""
UPDATE queue_state q SET priority = p.priority, audit_since = p.audit_since
FROM ({_PRIORITY} WHERE transcript_id IN (SELECT id FROM q_ids) GROUP BY ALL) p
WHERE q.transcript_id = p.transcript_id
"""  # noqa: S608
RECOUNT = (
    f"UPDATE queue_state q SET holders = {_HOLDERS} WHERE q.transcript_id IN (SELECT id FROM q_ids)"  # noqa: S608, E501
)
# The same for one transcript (the label loop's path; twice as fast as RECOUNT's
# correlated form). Parameters: transcript id, three times.
RECOUNT_ONE = """
WITH c AS (
    SELECT count(*) AS n FROM assignments a, queue_state q
    WHERE a.transcript_id = ? AND q.transcript_id = ?
      AND (a.labeled OR a.state IN ('open', 'done'))
      AND (q.audit_since IS NULL OR a.created_at >= q.audit_since)
)
UPDATE queue_state SET holders = (SELECT n FROM c) WHERE transcript_id = ?
"""

# Transcripts `rater` may still be given: fewer than k holders, and never one they had.
# Parameters: k, rater.
CANDIDATES = """
SELECT q.transcript_id, q.priority FROM queue_state q
WHERE q.holders < ?
  AND NOT EXISTS (SELECT 1 FROM assignments a
                  WHERE a.rater = ? AND a.transcript_id = q.transcript_id)
"""
# Within a priority the order is a seeded hash: random but reproducible. Parameters: k, rater, seed.
NEXT_SQL = f"""
SELECT transcript_id, CASE priority WHEN 0 THEN 'audit' WHEN 1 THEN 'gold-check' ELSE 'main' END
FROM ({CANDIDATES}) ORDER BY priority, md5(? || transcript_id) LIMIT 1
"""  # noqa: S608
# (items the rater holds or skipped, of them open, candidates left). Parameters: k, rater, rater.
PROGRESS_SQL = f"""
SELECT count(*), count(*) FILTER (WHERE state = 'open'), (SELECT count(*) FROM ({CANDIDATES}))
FROM assignments WHERE rater = ?
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
# (arg_max and list_sort rather than window functions and ORDER BY inside the aggregate:
# a third of the time on a million labels.)
GOLD_EXPORT = """
WITH g AS (
    SELECT transcript_id, dimension, max(created_at) AS created_at,
           arg_max(value, (created_at, id)) AS value, arg_max(method, (created_at, id)) AS method,
           arg_max(who, (created_at, id)) AS who, arg_max(note, (created_at, id)) AS note,
           arg_max(schema_version, (created_at, id)) AS schema_version
    FROM gold WHERE dimension = ? OR ? IS NULL GROUP BY ALL
), cur AS (
    SELECT transcript_id, dimension, rater, arg_max(value, (created_at, id)) AS value
    FROM labels WHERE dimension = ? OR ? IS NULL GROUP BY ALL
), votes AS (
    SELECT transcript_id, dimension, count(*) AS n_raters,
           to_json(map_from_entries(list_sort(list(struct_pack(k := rater, v := value)))))
               AS rater_values
    FROM cur GROUP BY ALL
)
SELECT g.transcript_id, t.source_format AS source, t.source_ref, g.dimension, g.value,
       g.method, g.who, g.note, g.schema_version,
       coalesce(v.n_raters, 0) AS n_raters, coalesce(v.rater_values::VARCHAR, '{}') AS rater_values,
       strftime(timezone('UTC', g.created_at), '%Y-%m-%dT%H:%M:%S.%fZ') AS decided_at
FROM g
LEFT JOIN transcripts t ON t.id = g.transcript_id
LEFT JOIN votes v USING (transcript_id, dimension)
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


DIFFERENT_CONTENT = """
    WITH incoming_texts AS (
        SELECT dup_row, md5(string_agg(to_json(struct_pack(
            idx := idx, role := role, text := text, reasoning := reasoning,
            tool_calls := tool_calls::JSON, tool_call_id := tool_call_id, name := name
        ))::VARCHAR, chr(30) ORDER BY idx)) AS texts
        FROM dup_messages GROUP BY dup_row
    ),
    stored_texts AS (
        SELECT transcript_id, md5(string_agg(to_json(struct_pack(
            idx := idx, role := role, text := text, reasoning := reasoning,
            tool_calls := tool_calls::JSON, tool_call_id := tool_call_id, name := name
        ))::VARCHAR, chr(30) ORDER BY idx)) AS texts
        FROM messages WHERE transcript_id IN (SELECT id FROM dup_transcripts)
        GROUP BY transcript_id
    )
    SELECT i.id, i.source_ref, s.source_ref
    FROM dup_transcripts i
    JOIN transcripts s ON i.id = s.id
    LEFT JOIN incoming_texts it ON it.dup_row = i.dup_row
    LEFT JOIN stored_texts st ON st.transcript_id = s.id
    WHERE (i.model, i.scenario, i.goal_type, i.goal_value, i.urgency_type) IS DISTINCT FROM
            (s.model, s.scenario, s.goal_type, s.goal_value, s.urgency_type)
        OR (i.metadata::JSON, it.texts) IS DISTINCT FROM (s.metadata, st.texts)
    ORDER BY i.source_ref
"""
"""Incoming transcripts (`dup_transcripts`, `dup_messages`, joined on `dup_row`, as one file
may hold an id many times) whose id is stored with other content: the condition fields,
metadata and a digest of every message field, compared with the stored ones."""
