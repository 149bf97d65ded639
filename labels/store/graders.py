"""Grader verdicts, the graders that gave them, and spot-audit draws."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from labels.models import GraderVerdict, utcnow
from labels.rows import to_json

from .current import current
from .queue import QueueStore

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd


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


_AFTER_QUEUED = "JOIN q USING (transcript_id) WHERE created_at >= queued_at"
_GOLD = "transcript_id, dimension, value AS gold, method AS gold_method, created_at AS gold_at"
AUDIT_LABELS = f"""
WITH q AS (SELECT transcript_id, created_at AS queued_at FROM queue_items WHERE queue = 'audit'),
l AS {current("labels", _AFTER_QUEUED, "transcript_id, dimension, rater, value, queued_at")},
g AS {current("gold", columns=_GOLD)}
SELECT l.*, g.gold, g.gold_method, g.gold_at FROM l LEFT JOIN g USING (transcript_id, dimension)
ORDER BY l.transcript_id, l.dimension, l.rater
"""  # noqa: S608 (fixed text)
"""Each rater's latest label on an audit-queue item written after it was queued, with the
item's queue time and its current gold."""


class GraderStore(QueueStore):
    """Verdicts in and out; an audit draw also puts its items on the queue (hence `Queue`)."""

    def add_verdicts(
        self,
        verdicts: list[GraderVerdict],
        *,
        batch_id: str | None = None,
        source: str | None = None,
    ) -> int:
        """Add grader verdicts (existing grader/transcript/field rows are kept); returns added."""
        if not verdicts:
            return 0
        graders = {v.grader: v.model for v in verdicts}
        for name, model in graders.items():
            self.con.execute(
                "INSERT OR IGNORE INTO grader_runs VALUES (?, ?, NULL, ?, ?)",
                [name, model, source, utcnow()],
            )
        stored = self.con.execute(
            "SELECT grader, transcript_id, field FROM grader_verdicts"
            " WHERE transcript_id IN (SELECT unnest(?))",
            [sorted({v.transcript_id for v in verdicts})],
        ).fetchall()
        seen = {tuple(r) for r in stored}
        fresh = []
        for v in verdicts:
            key = (v.grader, v.transcript_id, v.field)
            if key not in seen:
                seen.add(key)
                fresh.append(v)
        if fresh:
            self.con.from_arrow(pa.table(verdict_columns(fresh, batch_id))).insert_into(
                "grader_verdicts"
            )
        return len(fresh)

    def verdicts(self, grader: str | None = None) -> pd.DataFrame:
        """Grader verdicts, optionally of one grader."""
        return self.df(
            "SELECT grader, transcript_id, field, dimension, value, score, answer, explanation"
            " FROM grader_verdicts WHERE grader = ? OR ? IS NULL"
            " ORDER BY grader, transcript_id, field",
            [grader, grader],
        )

    def verdict_count(self) -> int:
        """How many grader verdicts are stored (they are only ever added, by ingest)."""
        return int(self.scalar("SELECT count(*) FROM grader_verdicts"))

    def graders(self) -> pd.DataFrame:
        """Graders with their verdict counts."""
        return self.df(
            "SELECT r.grader, r.model, r.source, count(v.transcript_id) AS verdicts,"
            " count(DISTINCT v.transcript_id) AS transcripts"
            " FROM grader_runs r LEFT JOIN grader_verdicts v USING (grader)"
            " GROUP BY ALL ORDER BY r.grader"
        )

    def verdict_values(self, grader: str | None = None) -> pd.DataFrame:
        """Grader verdicts without their explanations or metadata."""
        return self._frame(
            "SELECT grader, transcript_id, field, dimension, value, score FROM grader_verdicts"
            " WHERE grader = ? OR ? IS NULL ORDER BY grader, transcript_id, field",
            [grader, grader],
        )

    def verdict_fields(self) -> pd.DataFrame:
        """Each grader's fields with the dimension stored at ingest (the most common one)."""
        return self.df(
            "SELECT grader, field, mode(dimension) AS dimension,"
            " count(dimension) AS with_dimension, count(*) AS verdicts"
            " FROM grader_verdicts GROUP BY grader, field"
            " ORDER BY grader, field"
        )

    def verdict_text(self, grader: str, transcript_id: str) -> pd.DataFrame:
        """One grader's verdicts on one transcript with their explanations."""
        return self.df(
            "SELECT field, dimension, value, score, answer, explanation FROM grader_verdicts"
            " WHERE grader = ? AND transcript_id = ? ORDER BY field",
            [grader, transcript_id],
        )

    def transcript_fields(self) -> pd.DataFrame:
        """Per transcript: model, scenario and each condition field (the groups of a rate)."""
        return self._frame(
            "SELECT id AS transcript_id, model, scenario, goal_type, goal_value, urgency_type"
            " FROM transcripts ORDER BY id"
        )

    def add_audit_draw(
        self,
        draw: dict[str, Any],
        items: pd.DataFrame,
        reason: str,
    ) -> int:
        """Record an audit draw and its items and put the items on the audit queue, at once.

        `draw` has the audit_draws columns (id, grader, n_requested, agree_share, seed,
        frame, strata, who, created_at); `items` has transcript_id, stratum, status,
        inclusion_prob. Returns how many items were new to the audit queue.
        """
        rows = pa.table(
            {
                "draw_id": [draw["id"]] * len(items),
                "transcript_id": items["transcript_id"].astype(str).tolist(),
                "stratum": items["stratum"].astype(str).tolist(),
                "status": items["status"].astype(str).tolist(),
                "inclusion_prob": pa.array(items["inclusion_prob"].tolist(), type=pa.float64()),
            }
        )
        keys = ("id", "grader", "n_requested", "agree_share", "seed", "frame", "strata", "who")

        def work() -> int:
            self.con.execute(
                "INSERT INTO audit_draws VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [draw[k] for k in keys] + [draw["created_at"]],
            )
            with self._arrow("a_rows", rows):
                self.con.execute("INSERT INTO audit_items SELECT * FROM a_rows")
            return self.enqueue(
                rows["transcript_id"].to_pylist(),
                "audit",
                rows["inclusion_prob"].to_pylist(),
                reason,
            )

        with self._lock:
            return self.retrying(work)

    def audit_draws(self, grader: str | None = None) -> pd.DataFrame:
        """Audit draws, newest first, with how many items each drew."""
        return self.df(
            "SELECT d.*, count(i.transcript_id) AS drawn FROM audit_draws d"
            " LEFT JOIN audit_items i ON i.draw_id = d.id WHERE d.grader = ? OR ? IS NULL"
            " GROUP BY ALL ORDER BY d.created_at DESC, d.id",
            [grader, grader],
        )

    def audit_items(self, draw_id: str) -> pd.DataFrame:
        """The items of one draw: transcript, stratum, status at the draw, inclusion prob."""
        return self.df(
            "SELECT transcript_id, stratum, status, inclusion_prob FROM audit_items"
            " WHERE draw_id = ? ORDER BY transcript_id",
            [draw_id],
        )

    def audit_queue_labels(self) -> pd.DataFrame:
        """Labels on audit-queue items written after the item was queued.

        One row per transcript, dimension and rater (the rater's latest such label), with
        the time the item was queued and the current gold's method and time, if any.
        """
        return self.df(AUDIT_LABELS)
