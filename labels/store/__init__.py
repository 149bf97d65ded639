"""The store: the only package that talks to DuckDB.

One `Store` wraps one DuckDB connection. DuckDB lets one process write a file;
inside that process, every thread or Streamlit script run takes its own
`Store.cursor()`. All SQL uses `?` parameters; all DDL is in `migrations`.

`Store` is put together from one class per topic, each in its own module with
its SQL: `connection` (transactions, retries), `transcripts` (reads, label states,
search), `ingest` (files in), `labels` (labels, schema versions, raters), `queue`
(who labels what next), `gold` (gold and case notes), `graders` (verdicts, audit
draws), `activity` (what each rater has done), `backup` (backups), `copy` (restores,
and copies between DuckDB and PostgreSQL). What "current" means for the append-only
labels and gold is in `current`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from labels.models import utcnow

from . import migrations
from .activity import ActivityStore
from .backup import MANIFEST, BackupStore
from .errors import (
    Conflict,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseFailed,
    DatabaseReadOnly,
    DiskFull,
    StoreError,
    explain,
    sentence,
)
from .gold import GoldStore
from .ingest import FileResult, FileRows, IngestStore
from .labels import LabelStore
from .transcripts import LABEL_STATES, TranscriptStore

__all__ = [
    "LABEL_STATES",
    "MANIFEST",
    "Conflict",
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseFailed",
    "DatabaseReadOnly",
    "DiskFull",
    "FileResult",
    "FileRows",
    "Store",
    "StoreError",
    "explain",
    "is_postgres",
]


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: object) -> bool:
    """Whether a `--db` value names a PostgreSQL database rather than a DuckDB file."""
    return str(target).startswith(POSTGRES_SCHEMES)


class Store(IngestStore, LabelStore, GoldStore, TranscriptStore, BackupStore, ActivityStore):
    """Typed reads and writes over one DuckDB database."""

    @classmethod
    def open(cls, path: str | Path = ":memory:", *, read_only: bool = False) -> Store:
        """Open (creating if needed) and migrate a database file."""
        target = str(path)
        if is_postgres(target):
            from .postgres import PostgresStore

            return PostgresStore.open_url(target)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(target, read_only=read_only)
            store = cls(con, target, threading.Lock())
            if not read_only:
                store.migrate()
        except duckdb.Error as exc:
            raise sentence(target, exc) from exc
        return store

    def cursor(self) -> Store:
        """A store for another thread or script run, on the same database."""
        return type(self)(self.con.cursor(), self.path, self._lock)

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """A store to read many reports from at once (an export and its data card): on a
        DuckDB file, this one (its reads are local); on PostgreSQL, a local copy of every
        table but the messages, taken in one transaction (`PostgresStore.snapshot`)."""
        yield self

    def migrate(self, only: Collection[str] | None = None) -> list[str]:
        """Apply pending migrations (those in `only`, when given), each in one transaction."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS migrations"
            " (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM migrations").fetchall()}
        applied = []
        for name, ddl in migrations.MIGRATIONS:
            if name in done or (only is not None and name not in only):
                continue
            with self.transaction():
                if ddl.strip():
                    self.con.execute(ddl)
                self.con.execute("INSERT INTO migrations VALUES (?, ?)", [name, utcnow()])
            applied.append(name)
        return applied

    @classmethod
    def restore(cls, backup_dir: Path, db: str | Path) -> Store:
        """A new database (a new file, or an empty PostgreSQL database) from a backup folder.

        Every table must come back with the rows and hash the manifest gives; a
        short, damaged or foreign backup is refused with a sentence, and nothing is
        left behind (a file is made under another name and renamed when good; on
        PostgreSQL everything goes in one transaction).
        """
        from .copy import restore

        restore(backup_dir, str(db))
        return cls.open(db)
