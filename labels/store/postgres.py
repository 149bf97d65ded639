"""The store on PostgreSQL, for several app servers on one database.

`PostgresStore` is the same `Store` on a DuckDB connection that has the PostgreSQL
database attached as its default catalog, so every read and bulk write (ingest,
reports, exports) runs the store's own SQL, executed by DuckDB against the PostgreSQL
tables. What must hold across servers, or be fast for a person waiting, runs as
native PostgreSQL SQL through psycopg instead (`_native`): migrations (under an
advisory lock, so servers that start together apply each step once) and search.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

import duckdb
import duckdb_extensions

from labels.models import (
    AssignmentNote,
    Gold,
    Label,
    NoteKind,
    Rater,
    Transcript,
    utcnow,
)

from . import Store, migrations
from .backup import DERIVED, SEQUENCES, quote
from .errors import Conflict, StoreError, first_line
from .labels import insert_label_values
from .queue import ASSIGN, DELIVER, HELD_OR_WAITING, SEEN, SET_ASSIGNMENT, gold_check_due
from .transcripts import message

if TYPE_CHECKING:
    import pandas as pd
    import psycopg

T = TypeVar("T")

MIGRATION_LOCK = 0x601D5E7
"""The advisory lock key servers take while they migrate one database."""


def attach(url: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the PostgreSQL database attached as its default catalog."""
    con = duckdb.connect()
    duckdb_extensions.import_extension("postgres_scanner", con=con)
    con.execute("LOAD postgres_scanner")
    quoted = url.replace("'", "''")  # ATTACH takes no parameters: the URL as a literal
    con.execute(f"ATTACH '{quoted}' AS pg (TYPE postgres)")
    con.execute("USE pg")
    return con


def postgres_ddl(ddl: str) -> str:
    """A migration step's DuckDB DDL in PostgreSQL's words (the types that differ)."""
    return (
        ddl.replace(" TINYINT", " SMALLINT")
        .replace(" DOUBLE,", " DOUBLE PRECISION,")
        .replace(" DOUBLE\n", " DOUBLE PRECISION\n")
        .replace(" DOUBLE NOT NULL", " DOUBLE PRECISION NOT NULL")
    )


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    who, _, where = rest.rpartition("@")
    return f"{head}{sep}{who.split(':', 1)[0]}@{where}"


class Pool:
    """psycopg connections shared by one server's cursors, opened when first needed.

    A connection idle for `CHECK_AFTER` seconds is checked before it is handed out (the
    server may have closed it: a restart, an idle timeout, an administrator), and one
    that fails is closed, never handed out again."""

    CHECK_AFTER = 5.0

    def __init__(self, url: str) -> None:
        self.url = url
        self.idle: queue.SimpleQueue[tuple[float, psycopg.Connection[Any]]] = queue.SimpleQueue()

    def _get(self) -> psycopg.Connection[Any]:
        import psycopg

        while True:
            try:
                since, pg = self.idle.get_nowait()
            except queue.Empty:
                return psycopg.connect(self.url, autocommit=True, options="-c TimeZone=UTC")
            if time.monotonic() - since < self.CHECK_AFTER:
                return pg
            try:
                pg.execute("")
                return pg
            except psycopg.Error:
                pg.close()

    def discard_idle(self) -> None:
        """Close every idle connection (after one was lost, the others may be too)."""
        while True:
            try:
                self.idle.get_nowait()[1].close()
            except queue.Empty:
                return

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for one piece of work; back to the pool after it."""
        pg = self._get()
        try:
            yield pg
        except BaseException:
            pg.close()  # its state is unknown: never hand it out again
            raise
        if not pg.closed:
            self.idle.put((time.monotonic(), pg))


# -- the transactional path's SQL (PostgreSQL's words; `PostgresStore` runs it) -------------

CLAIM_LOCK = 0x601D5E8
"""The first key of the advisory lock a rater's claim takes (the second: a hash of the rater),
so one person asking from two servers at once still holds one open item."""
SCHEMA_LOCK = 0x601D5E9
"""The advisory lock key for adding a schema version (servers starting together)."""
RETRIES = 8

PG_OPEN_ASSIGNMENT = (
    "SELECT transcript_id FROM assignments WHERE rater = %s AND state = 'open'"
    " ORDER BY created_at LIMIT 1"
)
# `queue.NEXT_SQL`, locking the row it picks; k and the seed are in the text (whole numbers),
# so the planner walks the partial index `queue_index` makes for them, in order, and stops
# at the first row it may take (0.1 ms; sorting 20,000 candidates by their hash: 45 ms).
# Parameter: rater.
_CLAIM = """
SELECT q.transcript_id, CASE q.priority WHEN 0 THEN 'audit' ELSE 'main' END
FROM queue_state q
WHERE q.holders < {k}
  AND NOT EXISTS (SELECT 1 FROM assignments a
                  WHERE a.rater = %s AND a.transcript_id = q.transcript_id)
ORDER BY q.priority, md5('{seed}' || q.transcript_id)
LIMIT 1
FOR UPDATE OF q"""
# The index the claim walks: per k and seed (the project's settings), made on first use.
QUEUE_INDEX = """
CREATE INDEX IF NOT EXISTS queue_next_k{k}_s{seed}
ON queue_state (priority, md5('{seed}' || transcript_id)) WHERE holders < {k}
"""


def claim_sql(k: int, seed: int, *, wait: bool = False) -> str:
    """The claim for these settings; `wait`: also rows others hold locked (none else left)."""
    text = _CLAIM.format(k=int(k), seed=int(seed))
    return text if wait else text + " SKIP LOCKED"


def queue_index(k: int, seed: int) -> str:
    return QUEUE_INDEX.format(k=int(k), seed=int(seed))


_COUNT = """SELECT count(*) FROM assignments a, queue_state q
WHERE a.transcript_id = %s AND q.transcript_id = %s
  AND (a.labeled OR a.state IN ('open', 'done'))
  AND (q.audit_since IS NULL OR a.created_at >= q.audit_since)"""
PG_HOLDERS = _COUNT
"""A transcript's holders (`queue._HOLDERS`). Parameters: transcript id, twice."""
PG_SET_HOLDERS = "UPDATE queue_state SET holders = %s WHERE transcript_id = %s"
PG_RECOUNT = f"UPDATE queue_state SET holders = ({_COUNT}) WHERE transcript_id = %s"  # noqa: S608
PG_LOCK_ITEM = "SELECT 1 FROM queue_state WHERE transcript_id = %s FOR UPDATE"
PG_ASSIGN = ASSIGN.replace("?", "%s") + " ON CONFLICT (transcript_id, rater) DO NOTHING RETURNING 1"
PG_SET_ASSIGNMENT = SET_ASSIGNMENT.replace("?", "%s")
PG_HELD_OR_WAITING, PG_SEEN, PG_DELIVER = (
    q.replace("?", "%s") for q in (HELD_OR_WAITING, SEEN, DELIVER)
)
# `queue.PROGRESS_SQL`, k in the text (as in the claim, for its index). Parameters: rater, twice.
_PROGRESS = """
SELECT count(*), count(*) FILTER (WHERE state = 'open'),
       count(*) FILTER (WHERE state = 'queued' AND NOT labeled),
       (SELECT count(*) FROM queue_state q WHERE q.holders < {k}
          AND NOT EXISTS (SELECT 1 FROM assignments a
                          WHERE a.rater = %s AND a.transcript_id = q.transcript_id))
FROM assignments WHERE rater = %s
"""


def progress_sql(k: int) -> str:
    return _PROGRESS.format(k=int(k))


PG_RATER_ITEMS = (
    "SELECT transcript_id, state, flagged, note, updated_at FROM assignments"
    " WHERE rater = %s AND state IN ('done', 'skipped') ORDER BY updated_at DESC"
)
PG_FLAGGED = (
    "SELECT transcript_id, rater, updated_at FROM assignments WHERE flagged"
    " ORDER BY updated_at DESC"
)
PG_ASSIGNMENT_NOTE = (
    "SELECT note_kind, note FROM assignments"
    " WHERE rater = %s AND transcript_id = %s AND note IS NOT NULL"
)
# The current label (`current.current`: latest created_at, then highest id) per key.
PG_OWN_LABELS = """
SELECT DISTINCT ON (dimension) dimension, value, rationale, evidence::text AS evidence, tags,
       schema_version, created_at
FROM labels WHERE rater = %s AND transcript_id = %s
ORDER BY dimension, created_at DESC, id DESC
"""
PG_CASE_LABELS = """
SELECT DISTINCT ON (rater) id, transcript_id, rater, dimension, value, rationale,
       evidence::text AS evidence, tags, schema_version, seconds, created_at
FROM labels WHERE transcript_id = %s AND dimension = %s
ORDER BY rater, created_at DESC, id DESC
"""
PG_VERSION = (
    "SELECT coalesce(sum(n) FILTER (WHERE tab = 'labels'), 0),"
    " coalesce(sum(n) FILTER (WHERE tab = 'gold'), 0) FROM change_counter"
)
PG_LABEL_SAVED = (
    "SELECT 1 FROM labels WHERE transcript_id = %s AND rater = %s AND dimension = %s"
    " AND created_at = %s"
)
PG_GOLD_SAVED = "SELECT 1 FROM gold WHERE transcript_id = %s AND dimension = %s AND created_at = %s"
PG_ADD_GOLD = (
    "INSERT INTO gold (transcript_id, dimension, value, method, who, note, schema_version,"
    " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
PG_TRANSCRIPT = (
    "SELECT id, source_format, source_ref, model, scenario, goal_type, goal_value,"
    " urgency_type, metadata::text FROM transcripts WHERE id = %s"
)
PG_MESSAGES = (
    "SELECT idx, role, text, reasoning, tool_calls::text, tool_call_id, name FROM messages"
    " WHERE transcript_id = %s ORDER BY idx"
)
PG_RATERS = "SELECT id, name, role, active FROM raters WHERE active OR NOT %s ORDER BY id"


_INDEXED: set[tuple[str, int, int]] = set()
"""(database URL, k, seed) whose claim index this process has made sure of."""


def _redo(pg: psycopg.Connection[Any]) -> bool:
    """For work that is safe to run twice: after a lost COMMIT, run it again."""
    return False


class _Retry(Exception):
    """Another server changed what this transaction relied on: run it again."""


def _set_assignment(
    pg: psycopg.Connection[Any],
    transcript_id: str,
    rater: str,
    state: str,
    flagged: bool,
    note: str,
    kind: NoteKind | None,
    labeled: bool = False,
) -> None:
    """`finish_assignment`'s write, under the transcript's queue row lock, holders recounted."""
    now = utcnow()
    pg.execute(PG_LOCK_ITEM, [transcript_id])
    pg.execute(
        PG_SET_ASSIGNMENT,
        [transcript_id, rater, "main", state, flagged, note or None, kind if note else None]
        + [now, now, labeled],
    )
    pg.execute(PG_RECOUNT, [transcript_id] * 3)


def _deliver(pg: psycopg.Connection[Any], transcript_id: str, rater: str) -> str:
    """`QueueStore._deliver`: a waiting gold check opens, under the item's queue row lock."""
    pg.execute(PG_LOCK_ITEM, [transcript_id])
    pg.execute(PG_DELIVER, [utcnow(), transcript_id, rater])
    pg.execute(PG_RECOUNT, [transcript_id] * 3)
    return transcript_id


class PostgresStore(Store):
    """A `Store` whose tables live in PostgreSQL."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: str,
        lock: threading.Lock,
        pool: Pool | None = None,
    ) -> None:
        super().__init__(con, path, lock)
        self._pool = pool or Pool(path)

    @classmethod
    def open_url(cls, url: str) -> PostgresStore:
        """A store on the PostgreSQL database at `url`, migrated."""
        pool = Pool(url)
        try:
            store = cls(attach(url), url, threading.Lock(), pool)
            store.migrate()
        except StoreError:
            raise
        except Exception as exc:  # psycopg or DuckDB: the server is down, refuses us, …
            raise StoreError(
                f"the PostgreSQL database {safe_url(url)} cannot be used: {first_line(exc)}"
            ) from exc
        return store

    def cursor(self) -> PostgresStore:
        """A store for another thread or script run, on the same database."""
        con = self.con.cursor()
        con.execute("USE pg")  # the default catalog is per connection
        return PostgresStore(con, self.path, self._lock, self._pool)

    @contextmanager
    def _native(self) -> Iterator[psycopg.Connection[Any]]:
        """A psycopg connection for native PostgreSQL SQL (autocommit; use `.transaction()`)."""
        with self._pool.connection() as pg:
            yield pg

    def migrate(self, only: Collection[str] | None = None) -> list[str]:
        """Apply pending migrations (those in `only`, when given) natively, one transaction
        for all, under an advisory lock."""
        applied = []
        with self._native() as pg, pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            # Under the lock: two servers creating it at once can collide in pg_type.
            pg.execute(
                "CREATE TABLE IF NOT EXISTS migrations"
                " (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
            )
            done = {r[0] for r in pg.execute("SELECT name FROM migrations").fetchall()}
            for name, ddl in migrations.MIGRATIONS:
                if name in done or (only is not None and name not in only):
                    continue
                text = postgres_ddl(migrations.POSTGRES.get(name, ddl))
                if text.strip():
                    pg.execute(text.encode())
                pg.execute("INSERT INTO migrations VALUES (%s, %s)", [name, utcnow()])
                applied.append(name)
        if applied:
            self.con.execute("CALL pg_clear_cache()")  # DuckDB caches the catalog it attached
        return applied

    # -- the transactional path, as native PostgreSQL SQL ----------------------
    #
    # What a rater's key press or submit runs, each in one PostgreSQL transaction through
    # psycopg (DuckDB's scanner takes 76-122 ms per such statement). Uniqueness rests on the
    # database, not on this process: a rater's claims are serialized by an advisory lock on
    # the rater, a transcript's holders by its `queue_state` row lock (every write that
    # changes them takes it first and recounts under it), and `assignments`' primary key.
    # Called inside a DuckDB-side transaction (`self._open`), each falls back to the store's
    # own SQL so that it stays part of that transaction.

    def _pg_retrying(
        self,
        work: Callable[[psycopg.Connection[Any]], T],
        saved: Callable[[psycopg.Connection[Any]], bool] | None = None,
    ) -> T:
        """`work(pg)` in one PostgreSQL transaction, retried on serialization failures,
        deadlocks and a lost connection (a fresh connection each time: the pool drops one
        that failed). A connection lost during the COMMIT leaves it unknown whether the
        work was saved: `saved(pg)` looks (by the work's own key, e.g. a submit's labels
        and their time) and the work is redone only when it was not; without `saved`,
        the person is told to look."""
        import psycopg
        import psycopg.errors as pge

        for attempt in range(RETRIES):
            done, result = False, None
            try:
                with self._native() as pg:
                    with pg.transaction():
                        result = work(pg)
                        done = True
                    if pg.closed:  # psycopg skips the COMMIT of a closed connection
                        raise psycopg.OperationalError("the connection closed before COMMIT")
                return result
            except (pge.SerializationFailure, pge.DeadlockDetected, _Retry):
                pass
            except psycopg.OperationalError as exc:
                self._pool.discard_idle()
                if done:  # the COMMIT itself failed: it may have happened
                    if saved is None:
                        raise StoreError(
                            "the connection to the database was lost while saving, so it "
                            "is not known whether this was saved; reload the page to see"
                        ) from exc
                    if self._saved(saved):
                        return cast(T, result)
            time.sleep(0.005 * 2**attempt)
        raise Conflict("the database was too busy to save this; please try again")

    def _saved(self, saved: Callable[[psycopg.Connection[Any]], bool]) -> bool:
        import psycopg

        for attempt in range(RETRIES):
            try:
                with self._native() as pg:
                    return saved(pg)
            except psycopg.OperationalError:
                time.sleep(0.05 * 2**attempt)
        raise StoreError(
            "the database cannot be reached, and the last save may not have been made; "
            "reload the page to see"
        )

    def _pg_frame(self, sql: str, params: list[Any]) -> pd.DataFrame:
        """A native query's rows as a DataFrame (column names from the query)."""
        import pandas as pd

        with self._native() as pg:
            cur = pg.execute(sql, params)
            rows = cur.fetchall()
            names = [d.name for d in cur.description or ()]
        return pd.DataFrame.from_records(rows, columns=names)

    def open_assignment(self, rater: str) -> str | None:
        if self._open:
            return super().open_assignment(rater)
        with self._native() as pg:
            row = pg.execute(PG_OPEN_ASSIGNMENT, [rater]).fetchone()
        return None if row is None else str(row[0])

    def claim_next(self, rater: str, k: int, seed: int, gold_share: float = 0.0) -> str | None:
        if self._open:
            return super().claim_next(rater, k, seed, gold_share)
        self._queue_index(k, seed)

        def work(pg: psycopg.Connection[Any]) -> str | None:
            pg.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CLAIM_LOCK, rater])
            mine = pg.execute(PG_HELD_OR_WAITING, [rater, str(seed)]).fetchone()
            if mine is not None and mine[1] == "open":
                return str(mine[0])
            waiting = None if mine is None else str(mine[0])
            if waiting is not None:
                seen = pg.execute(PG_SEEN, [rater]).fetchone()
                if gold_check_due(seed, rater, int(seen[0]) if seen else 0, gold_share):
                    return _deliver(pg, waiting, rater)
            while True:
                row = pg.execute(claim_sql(k, seed), [rater]).fetchone()
                if row is None:  # none left, or all that are left are being claimed now
                    row = pg.execute(claim_sql(k, seed, wait=True), [rater]).fetchone()
                if row is None:
                    return None if waiting is None else _deliver(pg, waiting, rater)
                tid, queue = str(row[0]), str(row[1])
                # Under the row lock, count again what others committed since the pick.
                holders = pg.execute(PG_HOLDERS, [tid, tid]).fetchone()
                if holders is not None and int(holders[0]) >= k:
                    pg.execute(PG_SET_HOLDERS, [int(holders[0]), tid])
                    continue
                now = utcnow()
                added = pg.execute(
                    PG_ASSIGN, [tid, rater, queue, "open", False, None, None, now, now, False]
                ).fetchone()
                if added is None:  # another server gave it to this rater already
                    raise _Retry
                pg.execute(PG_RECOUNT, [tid, tid, tid])
                return tid

        return self._pg_retrying(work, _redo)  # a claim already made is found again

    def _queue_index(self, k: int, seed: int) -> None:
        """Make the claim's index for these settings, once per database and process."""
        key = (self.path, int(k), int(seed))
        if key in _INDEXED:
            return
        name = f"queue_next_k{int(k)}_s{int(seed)}"
        with self._native() as pg, pg.transaction():
            # Looked up first: CREATE INDEX IF NOT EXISTS locks the table even when it exists.
            if pg.execute("SELECT to_regclass(%s)", [name]).fetchone() == (None,):
                pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])  # servers at once
                pg.execute(queue_index(k, seed))
        _INDEXED.add(key)

    def finish_assignment(
        self,
        transcript_id: str,
        rater: str,
        state: str,
        flagged: bool = False,
        note: str = "",
        kind: NoteKind | None = None,
    ) -> None:
        if self._open:
            super().finish_assignment(transcript_id, rater, state, flagged, note, kind)
            return

        def work(pg: psycopg.Connection[Any]) -> None:
            _set_assignment(pg, transcript_id, rater, state, flagged, note, kind, False)

        self._pg_retrying(work, _redo)  # setting the same state twice is setting it once

    def reopen(self, transcript_id: str, raters: list[str], question: str) -> None:
        if self._open:
            super().reopen(transcript_id, raters, question)
            return

        def work(pg: psycopg.Connection[Any]) -> None:
            for rater in raters:
                _set_assignment(pg, transcript_id, rater, "open", False, question, "question")

        self._pg_retrying(work, _redo)  # setting the same state twice is setting it once

    def submit(self, labels: list[Label], flagged: bool = False, note: str = "") -> None:
        if self._open:
            super().submit(labels, flagged, note)
            return
        if not labels:
            raise ValueError("nothing to submit")
        first = labels[0]
        insert, params = insert_label_values(labels)

        def work(pg: psycopg.Connection[Any]) -> None:
            pg.execute(PG_LOCK_ITEM, [first.transcript_id])
            pg.execute(insert.replace("?", "%s"), params)
            kind: NoteKind | None = "flag" if note else None
            _set_assignment(pg, first.transcript_id, first.rater, "done", flagged, note, kind, True)

        def saved(pg: psycopg.Connection[Any]) -> bool:  # a submit's key: rater, item, time
            key = [first.transcript_id, first.rater, first.dimension, first.created_at]
            return pg.execute(PG_LABEL_SAVED, key).fetchone() is not None

        self._pg_retrying(work, saved)

    def rater_progress(self, rater: str, k: int) -> tuple[int, int]:
        with self._native() as pg:
            row = pg.execute(progress_sql(k), [rater, rater]).fetchone()
        touched, open_, waiting, left = (int(x) for x in row) if row else (0, 0, 0, 0)
        return touched - open_ - waiting, touched + left

    def rater_items(self, rater: str) -> pd.DataFrame:
        return self._pg_frame(PG_RATER_ITEMS, [rater])

    def flagged(self) -> pd.DataFrame:
        return self._pg_frame(PG_FLAGGED, [])

    def assignment_note(self, rater: str, transcript_id: str) -> AssignmentNote | None:
        with self._native() as pg:
            row = pg.execute(PG_ASSIGNMENT_NOTE, [rater, transcript_id]).fetchone()
        return None if row is None else AssignmentNote(kind=row[0], text=str(row[1]))

    def own_labels(self, rater: str, transcript_id: str) -> pd.DataFrame:
        return self._pg_frame(PG_OWN_LABELS, [rater, transcript_id])

    def case_labels(self, transcript_id: str, dimension: str) -> pd.DataFrame:
        return self._pg_frame(PG_CASE_LABELS, [transcript_id, dimension])

    def labels_and_gold_version(self) -> tuple[int, int]:
        """How many committed statements wrote labels, and gold (migration 0009)."""
        with self._native() as pg:
            row = pg.execute(PG_VERSION).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def add_gold(self, golds: list[Gold]) -> int:
        if self._open:
            return super().add_gold(golds)
        rows = [
            [g.transcript_id, g.dimension, g.value, g.method, g.who, g.note, g.schema_version]
            + [g.created_at]
            for g in golds
        ]

        def work(pg: psycopg.Connection[Any]) -> None:
            with pg.cursor() as cur:
                cur.executemany(PG_ADD_GOLD, rows)

        def saved(pg: psycopg.Connection[Any]) -> bool:  # the first row's item and time
            key = [rows[0][0], rows[0][1], rows[0][-1]]
            return pg.execute(PG_GOLD_SAVED, key).fetchone() is not None

        if rows:
            self._pg_retrying(work, saved)
        return len(rows)

    def get_transcript(self, transcript_id: str) -> Transcript | None:
        with self._native() as pg:
            row = pg.execute(PG_TRANSCRIPT, [transcript_id]).fetchone()
            if row is None:
                return None
            msgs = pg.execute(PG_MESSAGES, [transcript_id]).fetchall()
        keys = ("id", "source_format", "source_ref", "model", "scenario", "goal_type")
        fields = dict(zip(keys + ("goal_value", "urgency_type"), row[:8], strict=True))
        return Transcript(
            **fields,
            metadata=json.loads(row[8]) if row[8] else {},
            messages=tuple(message(m) for m in msgs),
        )

    def ensure_schema_version(self, body: str, sha256: str) -> int:
        """As on DuckDB, under an advisory lock: servers starting together add it once."""
        if self._open:
            return super().ensure_schema_version(body, sha256)

        def work(pg: psycopg.Connection[Any]) -> int:
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
            latest = pg.execute(
                "SELECT version, sha256 FROM schema_versions ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if latest and latest[1] == sha256:
                return int(latest[0])
            version = (int(latest[0]) if latest else 0) + 1
            pg.execute(
                "INSERT INTO schema_versions VALUES (%s, %s, %s, %s)",
                [version, sha256, body, utcnow()],
            )
            return version

        return self._pg_retrying(work, _redo)  # a version already added is found again

    def raters(self, active_only: bool = False) -> list[Rater]:
        with self._native() as pg:
            rows = pg.execute(PG_RATERS, [active_only]).fetchall()
        return [Rater(id=r[0], name=r[1], role=r[2], active=r[3]) for r in rows]

    # -- search -------------------------------------------------------------

    def text_search(self, text: str) -> list[str]:
        """Transcript ids whose messages contain every word of `text`, best first.

        PostgreSQL's own text search (`to_tsvector('simple', …)` per transcript, kept
        in `search_docs` with a GIN index, filled for new transcripts on first use);
        text with no letter or digit is a literal ILIKE match, as on DuckDB.
        """
        from .transcripts import _words, like

        words = _words(text)
        with self._native() as pg:
            if not words:
                rows = pg.execute(
                    "SELECT DISTINCT transcript_id FROM messages WHERE text ILIKE %s"
                    " OR reasoning ILIKE %s ORDER BY transcript_id",
                    [like(text)] * 2,
                ).fetchall()
                return [str(r[0]) for r in rows]
            pg.execute(SEARCH_DOCS)
            rows = pg.execute(SEARCH, [words, words]).fetchall()
        return [str(r[0]) for r in rows]

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """A local DuckDB copy of every table but the messages (and the derived ones), read
        in one transaction: a report that reads labels five times over the scanner (an
        export and its data card) pulls them once, and sees one moment of the data."""
        local = attach(self.path)
        try:
            local.execute("ATTACH ':memory:' AS snap")
            local.execute("BEGIN TRANSACTION")
            for name in self._table_names():
                if name != "messages":
                    local.execute(
                        f"CREATE TABLE snap.{quote(name)} AS SELECT * FROM pg.{quote(name)}"  # noqa: S608
                    )
            local.execute("COMMIT")
            local.execute("USE snap")
            local.execute("DETACH pg")
        except duckdb.Error as exc:
            local.close()
            raise StoreError(
                f"the PostgreSQL database {safe_url(self.path)} could not be read: "
                f"{first_line(exc)}"
            ) from exc
        try:
            yield Store(local, self.path, threading.Lock())
        finally:
            local.close()

    # -- backups, restores and copies (labels/store/copy.py) -----------------

    def _table_names(self) -> list[str]:
        """The database's own tables in `public` (derived ones left out), by name."""
        names = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pg'"
            " AND schema_name = 'public' ORDER BY 1"
        ).fetchall()
        return [str(n) for (n,) in names if n not in DERIVED]

    def _continue_sequences(self) -> None:
        """Make each sequence continue past the ids its table holds (`setval`)."""
        with self._native() as pg:
            for sequence, table in SEQUENCES:
                top = self.scalar(f"SELECT max(id) FROM {table}")  # noqa: S608
                if top is not None:
                    pg.execute("SELECT setval(%s, %s)", [sequence, int(top)])


# Transcripts are never changed once stored, so their search documents are made once.
SEARCH_DOCS = """
INSERT INTO search_docs (transcript_id, body)
SELECT m.transcript_id,
       to_tsvector('simple', string_agg(m.text || ' ' || coalesce(m.reasoning, ''), ' '
                                        ORDER BY m.idx))
FROM messages m
WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.transcript_id = m.transcript_id)
GROUP BY m.transcript_id
"""
SEARCH = """
SELECT transcript_id FROM search_docs
WHERE body @@ plainto_tsquery('simple', %s)
ORDER BY ts_rank(body, plainto_tsquery('simple', %s)) DESC, transcript_id
"""
