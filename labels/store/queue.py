"""The queue: who labels what next (k raters per transcript, audits first, gold checks mixed in).

Its table is `queue_state` (made in `migrations`); its SQL is here, under one heading,
and so is every method that reads or changes who holds an item.

A rater holds a transcript from their first assignment on it (a label without one
gets a 'done' assignment with queue 'import'): while it is open or done, or once they
labeled it. `queue_state` keeps, per transcript, its priority (audit 0, main 2), when it
was last sent to audit, and how many raters hold it since then, so choosing the next item
never groups the labels. Every write that changes a holder or a queue entry refreshes the
transcripts it touched (`Queue._refresh_queue`), and `REBUILD_QUEUE` derives it all again
from the tables it summarizes.

Gold checks go to one rater each, past the k-raters rule: an item with gold is given to a
rater who never had it as a 'queued' assignment in queue 'gold-check' (`send_gold_checks`).
A queued assignment holds nothing (it is not counted against k, so the main and audit
queues are as they were) but keeps the item from that rater's main queue; each claim turns
one into an open item when a seeded coin for the rater's item count comes up under the
project's `gold_check_share`, or when nothing else is left for them, so the checks fall at
random among their work. Nothing the rater sees tells a gold check from any other item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from labels.models import AssignmentNote, NoteKind, utcnow

from .connection import Connection
from .current import current

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
SELECT transcript_id, CASE priority WHEN 0 THEN 'audit' ELSE 'main' END
FROM ({CANDIDATES}) ORDER BY priority, md5(? || transcript_id) LIMIT 1
"""  # noqa: S608
# (items the rater holds, skipped or was sent, of them open, of them gold checks waiting,
# candidates left). Parameters: k, rater, rater.
PROGRESS_SQL = f"""
SELECT count(*), count(*) FILTER (WHERE state = 'open'),
       count(*) FILTER (WHERE state = 'queued' AND NOT labeled),
       (SELECT count(*) FROM ({CANDIDATES}))
FROM assignments WHERE rater = ?
"""  # noqa: S608

# -- gold checks (the same text on both backends: `?` becomes `%s` on PostgreSQL) ----------

# A rater's open item (the oldest), else their next waiting gold check in a seeded order,
# with its state: one read for both, as every claim asks (1.3-1.5 ms on the 100k benchmark
# database, against 0.8-1.3 ms for the open item alone and 1.1 ms more for a second read).
# Parameters: rater, seed.
HELD_OR_WAITING = """
SELECT transcript_id, state FROM assignments
WHERE rater = ? AND (state = 'open' OR (state = 'queued' AND NOT labeled))
ORDER BY state <> 'open', CASE WHEN state = 'open' THEN created_at END, md5(? || transcript_id)
LIMIT 1
"""
# What the coin is tossed on: the items a rater has had (every assignment but waiting ones).
SEEN = "SELECT count(*) FROM assignments WHERE rater = ? AND state <> 'queued'"
# A waiting gold check becomes the rater's open item. Parameters: time, transcript, rater.
DELIVER = (
    "UPDATE assignments SET state = 'open', updated_at = ?"
    " WHERE transcript_id = ? AND rater = ? AND state = 'queued'"
)
# Per rater (a list), the gold items they may be sent: current gold of one of the methods (a
# list) on some dimension; no assignment of theirs on it (never one they labeled, skipped or
# were sent); not on an audit still short of its k raters. Of each rater's, the first
# `per_rater` in a seeded order (`min_by`'s top n: 3.6 s for 42 raters × 100,000 gold items,
# against 5.4 s for a row_number window), with how many there were. Parameters: methods,
# raters, seed, per_rater, k.
GOLD_CHECK_CHOICES = f"""
WITH gold_items AS (
    SELECT DISTINCT transcript_id FROM {current("gold", "", "transcript_id, method")}
    WHERE list_contains(?, method)
), people AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS rater), choices AS (
    SELECT p.rater, count(*) AS available,
           min_by(g.transcript_id, md5(? || ':' || p.rater || ':' || g.transcript_id), ?) AS picked
    FROM people p, gold_items g
    WHERE NOT EXISTS (SELECT 1 FROM assignments a
                      WHERE a.rater = p.rater AND a.transcript_id = g.transcript_id)
      AND NOT EXISTS (SELECT 1 FROM queue_state q WHERE q.transcript_id = g.transcript_id
                      AND q.priority = 0 AND q.holders < ?)
    GROUP BY p.rater
)
SELECT rater, unnest(picked) AS transcript_id, available FROM choices
"""  # noqa: S608 (fixed text)
SEND_GOLD_CHECKS = (
    "INSERT OR IGNORE INTO assignments (transcript_id, rater, queue, state, flagged, note,"
    " note_kind, created_at, updated_at, labeled) SELECT transcript_id, rater, 'gold-check',"
    " 'queued', FALSE, NULL, NULL, ?, ?, FALSE FROM gc_rows"
)


def gold_check_due(seed: int, rater: str, seen: int, share: float) -> bool:
    """Whether a rater's next item is one of their waiting gold checks: a coin, seeded by
    the project, the rater and how many items they have had, that comes up with
    probability `share` (so the checks fall at random among their work, the same way on
    every run and backend)."""
    digest = hashlib.sha256(f"{seed}:{rater}:{seen}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


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

    def claim_next(self, rater: str, k: int, seed: int, gold_share: float = 0.0) -> str | None:
        """Give `rater` their open item, or assign the next one; None when nothing is left.

        A transcript is held by the raters with an open or done assignment or a
        label on it; it is offered only while fewer than `k` hold it and never to
        a rater who already had it. Priority: audit, then main; within a priority
        the order is a seeded hash, random but reproducible. A gold check waiting
        for the rater comes first when `gold_check_due` says so (`gold_share`), or
        when nothing else is left. The process lock and the transaction together
        keep two raters asking at once from both taking the last slot.
        """

        def work() -> str | None:
            mine = self.con.execute(HELD_OR_WAITING, [rater, str(seed)]).fetchone()
            if mine is not None and mine[1] == "open":
                return str(mine[0])
            waiting = None if mine is None else str(mine[0])
            if waiting is not None:
                seen = int(self.scalar(SEEN, [rater]))
                if gold_check_due(seed, rater, seen, gold_share):
                    return self._deliver(waiting, rater)
            row = self.con.execute(NEXT_SQL, [k, rater, str(seed)]).fetchone()
            if row is None:
                return None if waiting is None else self._deliver(waiting, rater)
            now = utcnow()
            self.con.execute(
                ASSIGN, [row[0], rater, row[1], "open", False, None, None, now, now, False]
            )
            self._refresh_queue([str(row[0])])
            return str(row[0])

        with self._lock:
            return self.retrying(work)

    def _deliver(self, transcript_id: str, rater: str) -> str:
        """A waiting gold check becomes the rater's open item (it now holds the item)."""
        self.con.execute(DELIVER, [utcnow(), transcript_id, rater])
        self._refresh_queue([transcript_id])
        return transcript_id

    def send_gold_checks(
        self, raters: Sequence[str], per_rater: int, methods: Sequence[str], k: int, seed: int
    ) -> dict[str, tuple[int, int]]:
        """Send each rater up to `per_rater` gold checks; per rater, (sent, there were).

        The items are chosen by `GOLD_CHECK_CHOICES` (gold of one of `methods`, never one the
        rater had) in the project's seeded order, and wait as queued assignments until
        `claim_next` gives them out; they change no item's holders.
        """

        def work() -> dict[str, tuple[int, int]]:
            params = [list(methods), list(raters), str(seed), per_rater, k]
            rows = self.con.execute(GOLD_CHECK_CHOICES, params).to_arrow_table()
            with self._arrow("gc_rows", rows):
                self.con.execute(SEND_GOLD_CHECKS, [utcnow()] * 2)
            found = {r: (0, 0) for r in raters}
            for who, available in zip(
                rows["rater"].to_pylist(), rows["available"].to_pylist(), strict=True
            ):
                found[who] = (found[who][0] + 1, int(available))
            return found

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
        touched, open_, waiting, left = (int(x) for x in row) if row else (0, 0, 0, 0)
        return touched - open_ - waiting, touched + left

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
        """Put transcripts on the audit queue; returns how many were new."""
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
