"""The store on PostgreSQL, for several app servers on one database.

`PostgresStore` is the same `Store` on a DuckDB connection that has the PostgreSQL
database attached as its default catalog, so every read and bulk write (ingest,
reports, exports) runs the store's own SQL, executed by DuckDB against the PostgreSQL
tables. What must hold across servers, or be fast for a person waiting, runs as
native PostgreSQL SQL through psycopg instead (`_native`): migrations (under an
advisory lock, so servers that start together apply each step once) and search.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb
import duckdb_extensions

from labels.models import utcnow

from . import Store, migrations
from .backup import DERIVED, SEQUENCES
from .errors import StoreError, first_line

if TYPE_CHECKING:
    import psycopg

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
    """psycopg connections shared by one server's cursors, opened when first needed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.idle: queue.SimpleQueue[psycopg.Connection[Any]] = queue.SimpleQueue()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection for one piece of work; back to the pool after it."""
        import psycopg

        try:
            pg = self.idle.get_nowait()
        except queue.Empty:
            pg = psycopg.connect(self.url, autocommit=True)
        try:
            yield pg
        except BaseException:
            pg.close()  # its state is unknown: never hand it out again
            raise
        if not pg.closed:
            self.idle.put(pg)


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
        with self._native() as pg:
            pg.execute(
                "CREATE TABLE IF NOT EXISTS migrations"
                " (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
            )
            with pg.transaction():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
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
