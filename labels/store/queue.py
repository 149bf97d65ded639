"""The queue: who labels what next (k raters per transcript, audit and gold-check first).

Its table is `queue_state` (made in `migrations`); its SQL is here, under one heading,
and so is every method that reads or changes who holds an item.

A rater holds a transcript from their first assignment on it (a label without one
gets a 'done' assignment with queue 'import'): while it is open or done, or once they
labeled it. `queue_state` keeps, per transcript, its priority (audit 0, gold-check 1,
main 2), when it was last sent to audit, and how many raters hold it since then, so
choosing the next item never groups the labels. Every write that changes a holder or
a queue entry refreshes the transcripts it touched (`Queue._refresh_queue`), and
`REBUILD_QUEUE` derives it all again from the tables it summarizes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from labels.models import AssignmentNote, NoteKind, utcnow

from .connection import Connection

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

ASSIGN = (
    "INSERT INTO assignments (transcript_id, rater, queue, state, flagged, note, note_kind,"
    " created_at, updated_at, labeled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A rater's assignment moves to a new state; labeled stays TRUE once set. Parameters as ASSIGN.
SET_ASSIGNMENT = (
    ASSIGN + " ON CONFLICT (transcript_id, rater) DO UPDATE SET state = excluded.state,"
    " flagged = excluded.flagged, note = excluded.note, note_kind = excluded.note_kind,"
    " updated_at = excluded.updated_at,"
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


class QueueStore(Connection):
    """Assignments and the queue state they keep current."""

    def open_assignment(self, rater: str) -> str | None:
        """The transcript a rater holds open, if any."""
        value = self.scalar(
            "SELECT transcript_id FROM assignments WHERE rater = ? AND state = 'open'"
            " ORDER BY created_at LIMIT 1",
            [rater],
        )
        return None if value is None else str(value)

    def claim_next(self, rater: str, k: int, seed: int) -> str | None:
        """Give `rater` their open item, or assign the next one; None when nothing is left.

        A transcript is held by the raters with an open or done assignment or a
        label on it; it is offered only while fewer than `k` hold it and never to
        a rater who already had it. Priority: audit, then gold-check, then main;
        within a priority the order is a seeded hash, random but reproducible.
        The process lock and the transaction together keep two raters asking at
        once from both taking the last slot.
        """

        def work() -> str | None:
            held = self.open_assignment(rater)
            if held is not None:
                return held
            row = self.con.execute(NEXT_SQL, [k, rater, str(seed)]).fetchone()
            if row is None:
                return None
            now = utcnow()
            self.con.execute(
                ASSIGN, [row[0], rater, row[1], "open", False, None, None, now, now, False]
            )
            self._refresh_queue([str(row[0])])
            return str(row[0])

        with self._lock:
            return self.retrying(work)

    def finish_assignment(
        self,
        transcript_id: str,
        rater: str,
        state: str,
        flagged: bool = False,
        note: str = "",
        kind: NoteKind | None = None,
    ) -> None:
        """Set a rater's assignment to open, done or skipped (creating it if absent).

        `note` replaces the assignment's note (none clears it); `kind` says what it is.
        """
        now = utcnow()
        note_kind = kind if note else None
        params = [transcript_id, rater, "main", state, flagged, note or None, note_kind]
        params += [now, now, False]

        def work() -> None:
            self.con.execute(SET_ASSIGNMENT, params)
            self._refresh_queue([transcript_id])

        self.retrying(work)

    def rater_progress(self, rater: str, k: int) -> tuple[int, int]:
        """(items this rater has finished, items finished plus still available to them)."""
        row = self.con.execute(PROGRESS_SQL, [k, rater, rater]).fetchone()
        touched, open_, left = (int(x) for x in row) if row else (0, 0, 0)
        return touched - open_, touched + left

    def rater_items(self, rater: str) -> pd.DataFrame:
        """Items a rater has labeled or skipped, newest first."""
        return self.df(
            "SELECT transcript_id, state, flagged, note, updated_at FROM assignments"
            " WHERE rater = ? AND state IN ('done', 'skipped') ORDER BY updated_at DESC",
            [rater],
        )

    def enqueue(
        self,
        transcript_ids: list[str],
        queue: str,
        probs: list[float] | None = None,
        reason: str = "",
    ) -> int:
        """Put transcripts on the audit or gold-check queue; returns how many were new."""
        rows = pa.table(
            {
                "transcript_id": transcript_ids,
                "queue": [queue] * len(transcript_ids),
                "inclusion_prob": pa.array(probs, type=pa.float64())
                if probs is not None
                else pa.nulls(len(transcript_ids), pa.float64()),
                "reason": [reason] * len(transcript_ids),
                "created_at": pa.array(
                    [utcnow()] * len(transcript_ids), type=pa.timestamp("us", tz="UTC")
                ),
            }
        )

        def work() -> int:
            with self._arrow("q_rows", rows):
                row = self.con.execute(
                    "INSERT OR IGNORE INTO queue_items SELECT * FROM q_rows"
                ).fetchone()
            self._refresh_queue(transcript_ids, queued=True)
            return int(row[0]) if row else 0

        return self.retrying(work)

    def _refresh_queue(
        self, transcript_ids: list[str], *, new: bool = False, queued: bool = False
    ) -> None:
        """Bring `queue_state` up to date for these transcripts, inside the caller's transaction.

        `new`: they were just added (no one holds them yet); `queued`: their queue entries
        changed; otherwise only who holds them did.
        """
        if len(transcript_ids) == 1 and not (new or queued):
            self.con.execute(RECOUNT_ONE, transcript_ids * 3)
            return
        with self._arrow("q_ids", pa.table({"id": pa.array(transcript_ids, pa.string())})):
            if new:
                self.con.execute(ADD_TO_QUEUE)
                return
            if queued:
                self.con.execute(REFRESH_PRIORITY)
            self.con.execute(RECOUNT)

    def rebuild_queue(self) -> None:
        """Derive the queue state again from transcripts, labels, assignments and queue items.

        For databases written around the store (bulk loads, restores of old backups);
        the store's own writes keep it current.
        """
        self.retrying(lambda: self.con.execute(REBUILD_QUEUE))

    def reopen(self, transcript_id: str, raters: list[str], question: str) -> None:
        """Give an item back to raters who labeled it, with a question they will see first."""

        def work() -> None:
            for rater in raters:
                self.finish_assignment(transcript_id, rater, "open", note=question, kind="question")

        self.retrying(work)

    def assignment_note(self, rater: str, transcript_id: str) -> AssignmentNote | None:
        """The note on a rater's assignment and its kind (e.g. an adjudicator's question)."""
        row = self.con.execute(
            "SELECT note_kind, note FROM assignments"
            " WHERE rater = ? AND transcript_id = ? AND note IS NOT NULL",
            [rater, transcript_id],
        ).fetchone()
        return None if row is None else AssignmentNote(kind=row[0], text=str(row[1]))

    def flagged(self) -> pd.DataFrame:
        """Items raters flagged for discussion, newest first."""
        return self.df(
            "SELECT transcript_id, rater, updated_at FROM assignments WHERE flagged"
            " ORDER BY updated_at DESC"
        )
