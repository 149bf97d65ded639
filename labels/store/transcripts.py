"""Transcripts and their messages: reading, filtering, label states, full-text search."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import duckdb
import duckdb_extensions

from labels.models import Message, ToolCall, Transcript

from .connection import Connection
from .current import current

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

# Label state of each labeled transcript. Parameter: k.
STATE_SQL = f"""
WITH cur AS {current("labels", "WHERE_IDS", columns="transcript_id, rater, dimension, value")},
per_dim AS (
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
LEFT JOIN (SELECT DISTINCT transcript_id FROM gold WHERE_IDS) g USING (transcript_id)
"""  # noqa: S608 (fixed text)
IDS = "WHERE transcript_id IN (SELECT unnest(?::VARCHAR[]))"
LISTING = (
    "SELECT id, source_format, model, scenario, goal_type, goal_value, urgency_type,"
    " n_messages, n_chars, source_ref FROM transcripts"
    " WHERE (source_format = ? OR ? IS NULL) AND (model = ? OR ? IS NULL)"
    " AND (scenario = ? OR ? IS NULL)"
    " AND (concat_ws('_', goal_type || '-' || goal_value, urgency_type) = ? OR ? IS NULL)"
)

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

LABEL_STATES = ("unlabeled", "in progress", "disputed", "agreed", "gold")
"""What `search` can filter on; only people who may see labels are shown a state."""


def like(text: str) -> str:
    """An ILIKE pattern matching `text` literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words(text: str) -> str:
    """The words of a search as the full-text index splits them (letters and digits).

    The index drops everything else; left in the query, a `%` becomes an empty word
    that no transcript holds ("100%" found nothing) or, alone, no word at all.
    """
    return " ".join(re.findall(r"[^\W_]+", text))


def message(row: tuple[Any, ...]) -> Message:
    """A `messages` row (idx, role, text, reasoning, tool_calls, tool_call_id, name)."""
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


class TranscriptStore(Connection):
    """Transcripts out of the store (they go in through `IngestStore`)."""

    def transcript_ids(self) -> list[str]:
        """Every transcript id, sorted."""
        return [r[0] for r in self.con.execute("SELECT id FROM transcripts ORDER BY id").fetchall()]

    def get_transcript(self, transcript_id: str) -> Transcript | None:
        """One transcript with its messages, or None."""
        row = self.con.execute(
            "SELECT id, source_format, source_ref, model, scenario, goal_type, goal_value,"
            " urgency_type, metadata FROM transcripts WHERE id = ?",
            [transcript_id],
        ).fetchone()
        if row is None:
            return None
        msgs = self.con.execute(
            "SELECT idx, role, text, reasoning, tool_calls, tool_call_id, name FROM messages"
            " WHERE transcript_id = ? ORDER BY idx",
            [transcript_id],
        ).fetchall()
        keys = ("id", "source_format", "source_ref", "model", "scenario", "goal_type")
        fields = dict(zip(keys + ("goal_value", "urgency_type"), row[:8], strict=True))
        return Transcript(
            **fields,
            metadata=json.loads(row[8]) if row[8] else {},
            messages=tuple(message(m) for m in msgs),
        )

    def transcripts(
        self,
        source_format: str | None = None,
        model: str | None = None,
        scenario: str | None = None,
        condition: str | None = None,
        ids: list[str] | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Transcript summaries by id; each filter given must match (None matches all),
        among `ids` when given, the first `limit` of them when given."""
        among = "" if ids is None else " AND id IN (SELECT unnest(?::VARCHAR[]))"
        sql = LISTING + among + " ORDER BY id LIMIT ?"
        return self.df(
            sql,
            [source_format, source_format, model, model, scenario, scenario, condition, condition]
            + ([] if ids is None else [ids])
            + [limit],
        )

    def transcript_facets(self) -> dict[str, list[str]]:
        """The distinct source formats, models and scenarios, sorted (Browse's filters)."""
        columns = ("source_format", "model", "scenario")
        lists = ", ".join(f"list_sort(list(DISTINCT {c}))" for c in columns)
        row = self.con.execute(f"SELECT {lists} FROM transcripts").fetchone()  # noqa: S608
        return {
            c: [str(v) for v in (values or []) if v is not None]
            for c, values in zip(columns, row or [None] * 3, strict=True)
        }

    def label_states(self, k: int, ids: list[str] | None = None) -> pd.DataFrame:
        """(transcript_id, state) of every labeled transcript (or of `ids`), with `k` raters
        per item: gold, disputed, in progress or agreed."""
        where = "" if ids is None else IDS
        params = [] if ids is None else [ids]  # the CTE's, then k, then gold's
        return self.df(STATE_SQL.replace("WHERE_IDS", where), [*params, k, *params])

    def transcript_strata(self) -> pd.DataFrame:
        """Per transcript: model, scenario and condition (goal_type-goal_value_urgency_type)."""
        return self._frame(
            "SELECT id AS transcript_id, model, scenario,"
            " concat_ws('_', goal_type || '-' || goal_value, urgency_type) AS condition"
            " FROM transcripts ORDER BY id"
        )

    def batches(self) -> pd.DataFrame:
        """Ingest batches, newest first."""
        return self.df(
            "SELECT file, source_format, started_at, finished_at, added, duplicates,"
            " grader_verdicts, (SELECT count(*) FROM unnest(CAST(rejected AS JSON[])) AS r(x)"
            " WHERE x->>'kind' IS DISTINCT FROM 'note') AS rejected, rejected AS reasons"
            " FROM ingest_batches ORDER BY started_at DESC"
        )

    def search(
        self,
        text: str = "",
        state: str | None = None,
        k: int | None = 3,
        limit: int = 500,
        **filters: str | None,
    ) -> pd.DataFrame:
        """Transcripts matching filters, a label state and a text (searched in messages).

        With `k` (raters per item) each row has its label state; `k=None` is the view of
        someone who may not see labels (blind raters): no state column, and no state filter.
        """
        hits = self.text_search(text) if text.strip() else None
        every = hits is not None or (k is not None and bool(state))
        frame = self.transcripts(**filters, ids=hits, limit=None if every else limit)
        if k is not None:
            # Label states of the rows shown only, unless a state is asked for.
            shown = None if state and hits is None else frame["id"].tolist()
            states = self.label_states(k, shown)
            frame = frame.merge(states, how="left", left_on="id", right_on="transcript_id")
            frame["state"] = frame["state"].fillna("unlabeled")
            frame = frame.drop(columns=["transcript_id"])
            if state:
                frame = frame[frame["state"] == state]
        if hits is not None:
            frame = frame.assign(_rank=frame["id"].map({t: i for i, t in enumerate(hits)}))
            frame = frame.sort_values("_rank").drop(columns=["_rank"])
        return frame.head(limit).reset_index(drop=True)

    def text_search(self, text: str) -> list[str]:
        """Transcript ids whose messages contain every word of `text`, best first.

        Uses DuckDB's full-text index (BM25, stemmed words) when the `fts`
        extension loads from its wheel; otherwise, and for text with no letter or
        digit (which the index ignores, so `%` would match everything), a literal
        ILIKE substring match.
        """
        words = _words(text)
        if words and self._fts_ready():
            rows = self.con.execute(FTS_SEARCH, [words]).fetchall()
        else:
            rows = self.con.execute(LIKE_SEARCH, [like(text)] * 2).fetchall()
        return [str(r[0]) for r in rows]

    def _fts_ready(self) -> bool:
        """Load fts and (re)build the derived search index when transcripts changed."""
        try:
            duckdb_extensions.import_extension("fts", con=self.con)
            self.con.execute("LOAD fts")
            indexed = self.scalar(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_docs'"
            )
            docs = self.scalar("SELECT count(*) FROM search_docs") if indexed else -1
            if docs != self.scalar("SELECT count(*) FROM transcripts"):
                with self._lock:
                    self.con.execute(BUILD_SEARCH_DOCS)
                    self.con.execute(
                        "PRAGMA create_fts_index('search_docs', 'transcript_id', 'body',"
                        " stopwords = 'none', ignore = '(\\.|[^a-z0-9])+', overwrite = 1)"
                    )
            return True
        except (duckdb.Error, ImportError, OSError):
            return False
