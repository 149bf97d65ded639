"""Gold decisions (append-only) and the notes on cases (questions, unclear guidelines)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labels.models import Gold, utcnow

from .connection import Connection
from .current import current

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

_LABEL_VALUE = "transcript_id, dimension, rater, value"

# Current gold with provenance, for export. Parameters: dimension, four times.
GOLD_EXPORT = f"""
WITH g AS (SELECT * FROM {current("gold", "WHERE dimension = ? OR ? IS NULL")}
           ORDER BY transcript_id, dimension LIMIT ?),
cur AS {
    current(
        "labels",
        "WHERE (dimension = ? OR ? IS NULL) AND transcript_id IN (SELECT transcript_id FROM g)",
        _LABEL_VALUE,
    )
},
votes AS (
    SELECT transcript_id, dimension, count(*) AS n_raters,
           to_json(map_from_entries(list_sort(list(struct_pack(k := rater, v := value)))))
               AS rater_values
    FROM cur GROUP BY ALL
)
SELECT g.transcript_id, t.source_format AS source, t.source_ref, g.dimension, g.value,
       g.method, g.who, g.note, g.schema_version,
       coalesce(v.n_raters, 0) AS n_raters, coalesce(v.rater_values::VARCHAR, '{{}}')
           AS rater_values,
       strftime(timezone('UTC', g.created_at), '%Y-%m-%dT%H:%M:%S.%fZ') AS decided_at
FROM g
LEFT JOIN transcripts t ON t.id = g.transcript_id
LEFT JOIN votes v USING (transcript_id, dimension)
ORDER BY g.transcript_id, g.dimension
"""  # noqa: S608 (fixed text)

GOLD_VALUE = "transcript_id, value, method, created_at"
"""The columns of a gold row that comparisons with graders read."""


class GoldStore(Connection):
    """Gold rows in and out, with the case notes adjudication leaves."""

    def add_gold(self, golds: list[Gold]) -> int:
        """Append gold rows (a change is a new row; the latest is current)."""
        rows = [
            [
                g.transcript_id,
                g.dimension,
                g.value,
                g.method,
                g.who,
                g.note,
                g.schema_version,
                g.created_at,
            ]
            for g in golds
        ]

        def work() -> None:
            self.con.executemany(
                "INSERT INTO gold (transcript_id, dimension, value, method, who, note,"
                " schema_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

        if rows:
            self.retrying(work)
        return len(rows)

    def current_gold(self, dimension: str | None = None) -> pd.DataFrame:
        """The latest gold row per transcript and dimension."""
        return self.df(
            f"SELECT * FROM {current('gold', 'WHERE dimension = ? OR ? IS NULL')}"  # noqa: S608
            " ORDER BY transcript_id, dimension",
            [dimension, dimension],
        )

    def gold_values(self, dimension: str) -> pd.DataFrame:
        """The current gold value, method and time per transcript for one dimension."""
        return self._frame(
            f"SELECT * FROM {current('gold', 'WHERE dimension = ?', GOLD_VALUE)}",  # noqa: S608
            [dimension],
        )

    def gold_since(self, dimension: str, since: Any) -> pd.DataFrame:
        """Current gold rows of a dimension written at or after `since` (audit outcomes)."""
        return self.df(
            f"SELECT transcript_id, value, method FROM {current('gold', 'WHERE dimension = ?')}"  # noqa: S608
            " WHERE created_at >= ?",
            [dimension, since],
        )

    def gold_with_sources(
        self, dimension: str | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Current gold rows with their transcript's source and the raters' current values
        (the first `limit` of them, when given, read without the others).

        `rater_values` is a JSON object {rater: value} in rater order; `decided_at` is UTC text.
        """
        return self.df(GOLD_EXPORT, [dimension, dimension, limit, dimension, dimension])

    def gold_count(self, dimension: str | None = None) -> int:
        """How many transcript-dimensions have gold."""
        return int(
            self.scalar(
                "SELECT count(*) FROM (SELECT DISTINCT transcript_id, dimension FROM gold"
                " WHERE dimension = ? OR ? IS NULL)",
                [dimension, dimension],
            )
        )

    def add_case_note(
        self, transcript_id: str, dimension: str, kind: str, who: str, note: str
    ) -> None:
        """Record an adjudicator's question or a "guideline unclear" mark on a case."""
        self.retrying(
            lambda: self.con.execute(
                "INSERT INTO case_notes (transcript_id, dimension, kind, who, note, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [transcript_id, dimension, kind, who, note, utcnow()],
            )
        )

    def case_notes(self, kind: str | None = None) -> pd.DataFrame:
        """Case notes, newest first."""
        return self.df(
            "SELECT created_at, kind, transcript_id, dimension, who, note FROM case_notes"
            " WHERE kind = ? OR ? IS NULL ORDER BY created_at DESC, id DESC",
            [kind, kind],
        )
