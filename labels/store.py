"""The only module that talks to DuckDB.

One `Store` wraps one DuckDB connection. DuckDB lets one process write a file;
inside that process, every thread or Streamlit script run takes its own
`Store.cursor()`. All SQL uses `?` parameters; all DDL is in `migrations.py`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import duckdb_extensions
import pyarrow as pa
import pyarrow.compute as pc

from labels import migrations
from labels import store_sql as sql
from labels.models import (
    Gold,
    GraderVerdict,
    Label,
    Rater,
    Record,
    Rejection,
    Transcript,
    utcnow,
)

if TYPE_CHECKING:  # the frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

T = TypeVar("T")
Repeated = tuple[pa.Table, pa.Table, pa.Array]
"""Transcripts whose ids were met before, their messages and those messages' parents."""
CHUNK = 2000  # transcripts per insert batch inside one file's transaction


def _latest_labels(where: str) -> str:
    """Each rater's latest label per transcript and dimension among `labels` rows `where`.

    `where` is fixed SQL text from this module (a WHERE or JOIN clause with `?` markers).
    """
    return (
        "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY"  # noqa: S608
        " transcript_id, rater, dimension ORDER BY created_at DESC, id DESC) AS rn"
        f" FROM labels {where}) WHERE rn = 1 ORDER BY transcript_id, dimension, rater"
    )


class StoreError(Exception):
    """A database problem described in a sentence for people."""


class DatabaseBusy(StoreError):
    """Another process holds the database file (DuckDB allows one writing process)."""


class Conflict(StoreError):
    """A write lost a transaction conflict more times than we retry."""


class DiskFull(StoreError):
    """The disk holding the database has no room: the write was not made."""


class DatabaseFailed(StoreError):
    """DuckDB stopped using the database after a failed write; it must be reopened."""


class DatabaseDamaged(StoreError):
    """The file is not a DuckDB database, or its contents are corrupt."""


class DatabaseReadOnly(StoreError):
    """The file, or the folder it is in, cannot be written."""


_BUSY = ("could not set lock on file", "conflicting lock")
_DAMAGED = ("not a valid duckdb database", "corrupt database file", "could not read enough bytes")
_READ_ONLY = ("read-only file system", "permission denied", "read-only mode")
_FULL = ("no space left on device", "disk quota exceeded", "file too large")


def _sentence(path: str, exc: Exception) -> StoreError:
    """A DuckDB error on the database at `path` as the sentence a person reads.

    Matched on DuckDB's own phrases, never on a bare word: "lock" is in "block",
    which is in the message about a corrupt file.
    """
    text = str(exc).lower()
    if any(phrase in text for phrase in _FULL):
        return DiskFull(
            f"The disk holding {path} is full, so this was not saved; everything saved "
            "before is kept. Free some space and try again (no restart needed)."
        )
    if isinstance(exc, duckdb.FatalException) or "has been invalidated" in text:
        return DatabaseFailed(
            f"The database {path} stopped after a failed write ({_first_line(exc)}); "
            "everything saved before it is kept. Reload the page to reopen it."
        )
    if any(phrase in text for phrase in _BUSY):
        return DatabaseBusy(
            f"{path} is open in another Goldset process (DuckDB allows one writer). "
            "Stop that process, or use the running app; see README, 'Running for a team'."
        )
    if any(phrase in text for phrase in _DAMAGED):
        return DatabaseDamaged(
            f"{path} is damaged or is not a Goldset database ({_first_line(exc)}). "
            "Restore it from a backup into a new file: python -m labels restore DIR --db NEW."
        )
    if any(phrase in text for phrase in _READ_ONLY):
        return DatabaseReadOnly(
            f"{path} cannot be written: the file or its folder is read-only "
            f"({_first_line(exc)}). Make it writable, or open a copy."
        )
    return StoreError(f"the database {path} failed: {_first_line(exc)}")


def _rows(
    transcripts: pa.Table, messages: pa.Table, parents: pa.Array, keep: pa.Array
) -> tuple[pa.Table, pa.Table, pa.Array]:
    """The transcripts where `keep` is true, with their messages and those messages' parents
    (renumbered: the row of each message's transcript among those kept)."""
    kept = keep.take(parents)
    renumbered = pc.subtract(pc.cumulative_sum(keep.cast(pa.int64())), 1).take(parents)
    return transcripts.filter(keep), messages.filter(kept), renumbered.filter(kept)


def _concat_repeated(parts: list[Repeated]) -> Repeated:
    """Several batches' (transcripts, messages, parents) as one, parents renumbered."""
    if len(parts) == 1:
        return parts[0]
    parents: list[pa.Array] = []
    offset = 0
    for rows, _, theirs in parts:
        parents.append(pc.add(theirs, pa.scalar(offset, pa.int64())))
        offset += rows.num_rows
    return (
        pa.concat_tables([p[0] for p in parts]),
        pa.concat_tables([p[1] for p in parts]),
        pa.chunked_array(parents, pa.int64()).combine_chunks(),
    )


def _with_batch_id(rows: pa.Table, batch_id: str) -> pa.Table:
    """Transcript rows (the columns of `sql.transcript_columns` less batch_id, any order)
    as the table's columns in its order, each row with `batch_id`."""
    return pa.table(
        {
            name: pa.repeat(batch_id, rows.num_rows) if name == "batch_id" else rows[name]
            for name in sql.transcript_columns([], batch_id)
        }
    )


def _words(text: str) -> str:
    """The words of a search as the full-text index splits them (letters and digits).

    The index drops everything else; left in the query, a `%` becomes an empty word
    that no transcript holds ("100%" found nothing) or, alone, no word at all.
    """
    return " ".join(re.findall(r"[^\W_]+", text))


MANIFEST = "goldset-backup.json"
"""What a backup folder holds besides DuckDB's export: counts and per-table hashes."""


def _manifest(backup_dir: Path) -> dict[str, dict[str, Any]]:
    """The per-table rows and hashes a backup promises (rows only for an older backup)."""
    try:
        body = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
        tables = body.get("tables") or {k: {"rows": v} for k, v in body.items()}
        return {str(k): {"rows": int(v["rows"]), "hash": v.get("hash")} for k, v in tables.items()}
    except FileNotFoundError:
        raise StoreError(f"{backup_dir} is not a Goldset backup: it has no {MANIFEST}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoreError(f"{backup_dir}/{MANIFEST} cannot be read ({_first_line(exc)})") from None


def _import_checked(store: Store, backup_dir: Path, expected: dict[str, dict[str, Any]]) -> None:
    """IMPORT the backup into `store`, then compare every table with the manifest."""
    source = str(backup_dir.resolve()).replace("'", "''")
    try:
        with store.transaction():
            store.con.execute(f"IMPORT DATABASE '{source}'")
        found = store.digests()
        store.con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise StoreError(
            f"{backup_dir} could not be restored: a file of it is damaged or missing "
            f"({_first_line(exc)}). Nothing was restored."
        ) from exc
    finally:
        store.close()
    for name, want in expected.items():
        got = found.get(name)
        if got is None or got["rows"] != want["rows"]:
            rows = "no table" if got is None else f"{got['rows']:,} rows"
            raise StoreError(
                f"{backup_dir} is not the backup its manifest describes: table {name} has "
                f"{rows}, the manifest says {want['rows']:,}. Nothing was restored."
            )
        if want["hash"] is not None and got["hash"] != want["hash"]:
            raise StoreError(
                f"{backup_dir} is not the backup its manifest describes: the rows of table "
                f"{name} differ from those backed up. Nothing was restored."
            )


def _remove_database(path: Path) -> None:
    """Delete a database file and its WAL, if there."""
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


def _in_line_order(rejections: list[Rejection]) -> list[Rejection]:
    """A file's rejections by line; one that names no line stays after the one before it."""
    keys, last = [], 0
    for rejection in rejections:
        head, _, number = rejection.where.partition(" ")
        last = int(number) if head == "line" and number.isdigit() else last
        keys.append(last)
    order = sorted(range(len(rejections)), key=keys.__getitem__)
    return [rejections[i] for i in order]


def _other_content(file: str, tid: str, incoming: str, stored: str) -> Rejection:
    """The rejection of a transcript whose id is stored with different content."""
    where = incoming.removeprefix(f"{file}, ") if incoming != file else "transcript"
    return Rejection(
        file=file,
        where=where or "transcript",
        reason=(
            f"the id {tid!r} is already stored, from {stored}, with different content; "
            "this version was not stored. Give one of them another id to keep both."
        ),
    )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def explain(exc: BaseException, path: str) -> StoreError | None:
    """The sentence for a DuckDB error that reached a page, or None for any other error."""
    return _sentence(path, exc) if isinstance(exc, duckdb.Error) else None


@dataclass
class FileRows:
    """A small file read whole as Arrow rows (by the fast JSONL reader), to be written in
    one transaction with others (`Store.ingest_group`)."""

    file: str
    source_format: str
    batches: Sequence[tuple[pa.Table, pa.Table, pa.Array]]
    """As `Store.ingest_rows` takes them: (transcripts, messages, parents)."""
    started: datetime = field(default_factory=utcnow)


@dataclass
class FileResult:
    """What ingesting one file did (all of it is committed, or none of it)."""

    file: str
    added: int = 0
    duplicates: int = 0
    grader_verdicts: int = 0
    rejected: list[Rejection] = field(default_factory=list)


class Store:
    """Typed reads and writes over one DuckDB database."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, lock: threading.Lock) -> None:
        self.con = con
        self.path = path
        self._lock = lock
        self._open = False  # a transaction is open on this connection

    # -- connection -------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path = ":memory:", *, read_only: bool = False) -> Store:
        """Open (creating if needed) and migrate a database file."""
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(target, read_only=read_only)
            store = cls(con, target, threading.Lock())
            if not read_only:
                store.migrate()
        except duckdb.Error as exc:
            raise _sentence(target, exc) from exc
        return store

    def healthy(self) -> bool:
        """Whether the connection still works (DuckDB invalidates it after a failed checkpoint)."""
        try:
            self.con.execute("SELECT 1").fetchall()
        except duckdb.Error:
            return False
        return True

    def _not_stored(self, exc: Exception) -> StoreError:
        """The sentence for an ingest whose transaction failed (so none of the file is kept)."""
        failure = _sentence(self.path, exc)
        return type(failure)(f"could not store this file, nothing of it was kept. {failure}")

    def explain(self, exc: BaseException) -> StoreError | None:
        """The sentence for a DuckDB error on this database, or None for any other error."""
        return explain(exc, self.path)

    def cursor(self) -> Store:
        """A store for another thread or script run, on the same database."""
        return Store(self.con.cursor(), self.path, self._lock)

    def close(self) -> None:
        """Close this connection (or cursor)."""
        self.con.close()

    def migrate(self) -> list[str]:
        """Apply pending migrations, each in one transaction; returns their names."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS migrations"
            " (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM migrations").fetchall()}
        applied = []
        for name, ddl in migrations.MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                self.con.execute(ddl)
                self.con.execute("INSERT INTO migrations VALUES (?, ?)", [name, utcnow()])
            applied.append(name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT, rolled back on any exception; inside another, part of that one."""
        if self._open:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self._open = False
        self.con.execute("COMMIT")

    def retrying(self, work: Callable[[], T], attempts: int = 8) -> T:
        """Run `work` in a transaction, retrying DuckDB transaction conflicts.

        Inside an open transaction `work` simply runs: a conflict aborts the whole
        transaction, so only the outermost `retrying` can try again.
        """
        if self._open:
            return work()
        for attempt in range(attempts):
            try:
                with self.transaction():
                    return work()
            except duckdb.TransactionException as exc:
                if "conflict" not in str(exc).lower():  # e.g. a commit the disk had no room for
                    raise _sentence(self.path, exc) from exc
                time.sleep(0.005 * 2**attempt)
        raise Conflict("the database was too busy to save this; please try again")

    @contextmanager
    def _arrow(self, name: str, table: pa.Table) -> Iterator[None]:
        """Make an Arrow table visible to SQL as `name` for the duration of the block."""
        self.con.register(name, table)
        try:
            yield
        finally:
            self.con.unregister(name)

    def df(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        """Run a query and return a DataFrame."""
        return self.con.execute(sql, list(params)).df()

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a query and return the first column of the first row (or None)."""
        row = self.con.execute(sql, list(params)).fetchone()
        return None if row is None else row[0]

    # -- ingest -------------------------------------------------------------

    def ingest_file(
        self,
        file: str,
        source_format: str,
        items: Iterable[Record | Rejection],
        on_record: Callable[[], None] | None = None,
    ) -> FileResult:
        """Write one file's records in one transaction: all of it, or (on error) none."""
        result = FileResult(file=file)
        batch_id = uuid.uuid4().hex
        started = utcnow()
        seen: set[str] = set()
        try:
            self._ingest(file, source_format, items, on_record, result, batch_id, started, seen)
        except duckdb.Error as exc:
            raise self._not_stored(exc) from exc
        return result

    def _ingest(
        self,
        file: str,
        source_format: str,
        items: Iterable[Record | Rejection],
        on_record: Callable[[], None] | None,
        result: FileResult,
        batch_id: str,
        started: datetime,
        seen: set[str],
    ) -> None:
        with self.transaction():
            chunk: list[Record] = []
            for item in items:
                if on_record:
                    on_record()
                if isinstance(item, Rejection):
                    result.rejected.append(item)
                    continue
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    self._write_chunk(chunk, batch_id, seen, result)
                    chunk = []
            self._write_chunk(chunk, batch_id, seen, result)
            result.rejected[:] = _in_line_order(result.rejected)
            self.con.execute(
                "INSERT INTO ingest_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    file,
                    source_format,
                    started,
                    utcnow(),
                    result.added,
                    result.duplicates,
                    result.grader_verdicts,
                    sql.to_json([r.model_dump() for r in result.rejected]),
                ],
            )

    def _write_chunk(
        self, chunk: list[Record], batch_id: str, seen: set[str], result: FileResult
    ) -> None:
        if not chunk:
            return
        found = self.con.execute(
            "SELECT id FROM transcripts WHERE id IN (SELECT unnest(?))",
            [[r.transcript.id for r in chunk]],
        ).fetchall()
        existing = {row[0] for row in found}
        fresh: list[Transcript] = []
        again: list[Transcript] = []
        for rec in chunk:
            tid = rec.transcript.id
            if tid in existing or tid in seen:
                again.append(rec.transcript)
            else:
                seen.add(tid)
                fresh.append(rec.transcript)
        self._insert_transcripts(fresh, batch_id)
        result.added += len(fresh)
        parents = pa.array([row for row, t in enumerate(again) for _ in t.messages], pa.int64())
        rows, texts = sql.transcript_columns(again, batch_id), sql.message_columns(again)
        self._same_or_rejected(pa.table(rows), pa.table(texts), parents, result)
        verdicts = [v for rec in chunk for v in rec.verdicts]
        result.grader_verdicts += self.add_verdicts(verdicts, batch_id=batch_id, source=None)

    def _insert_transcripts(self, transcripts: list[Transcript], batch_id: str) -> None:
        if not transcripts:
            return
        # from_arrow(...).insert_into holds nothing past the insert; a registered view
        # would keep every chunk's Arrow memory alive until the file's COMMIT.
        self.con.from_arrow(pa.table(sql.transcript_columns(transcripts, batch_id))).insert_into(
            "transcripts"
        )
        self.con.from_arrow(pa.table(sql.message_columns(transcripts))).insert_into("messages")
        self._refresh_queue([t.id for t in transcripts], new=True)

    ROW_GROUP = 122_880
    """DuckDB's rows per row group."""
    FLUSH_ROWS = 2 * ROW_GROUP
    """Rows `ingest_rows` gathers before it inserts them. DuckDB inserts an Arrow table of
    whole row groups, a chunk each, on all its threads, compressing each row once; a
    smaller or unaligned insert is compressed, merged and compressed again, on one core."""
    FLUSH_BYTES = 256 << 20
    """Bytes of rows `ingest_rows` gathers at most (rows of long messages go in sooner)."""

    def ingest_rows(
        self,
        file: str,
        source_format: str,
        batches: Iterable[tuple[pa.Table, pa.Table, pa.Array]],
        on_record: Callable[[], None] | None = None,
    ) -> FileResult:
        """Like `ingest_file`, for rows already built as Arrow tables (the fast JSONL reader).

        Each batch is (transcripts: the columns of `sql.transcript_columns` less
        batch_id; messages: those of `sql.message_columns`; parents: per message,
        the row of its transcript). Ids stored before, or earlier in the file, are
        counted as duplicates. Anything `batches` raises (the fast reader declining
        the file, say) rolls the whole file back and is raised again.
        """
        result = FileResult(file=file)
        batch_id = uuid.uuid4().hex
        started = utcnow()
        seen: set[str] = set()

        def insert_transcripts(rows: pa.Table) -> None:
            self._insert_rows(rows, batch_id)

        try:
            with self.transaction():
                stored = bool(self.scalar("SELECT count(*) FROM transcripts"))
                rows: pa.Table | None = None  # new transcripts not inserted yet
                texts: pa.Table | None = None  # their messages
                again: list[Repeated] = []  # ids seen earlier in the file: compare at the end
                before: list[Repeated] = []  # ids stored before the file: compare in bulk
                for transcripts, messages, parents in batches:
                    ids = transcripts.column("id").to_pylist()
                    existing = self._stored_ids(ids) if stored else set()
                    fresh, theirs = self._fresh(
                        transcripts, messages, parents, existing, seen, result, again, before
                    )
                    if sum(p[0].nbytes + p[1].nbytes for p in before) >= self.FLUSH_BYTES:
                        self._compare(before, result)
                    rows = self._flush(self._gather(rows, fresh), insert_transcripts)
                    texts = self._flush(self._gather(texts, theirs), self._insert_texts)
                    if on_record:
                        for _ in range(transcripts.num_rows):
                            on_record()
                self._flush(rows, insert_transcripts, last=True)
                self._flush(texts, self._insert_texts, last=True)
                self._compare(before, result)
                self._compare(again, result)
                result.rejected[:] = _in_line_order(result.rejected)
                self.con.execute(
                    "INSERT INTO ingest_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, file, source_format, started, utcnow()]
                    + [result.added, result.duplicates, 0]
                    + [sql.to_json([r.model_dump() for r in result.rejected])],
                )
        except duckdb.Error as exc:
            raise self._not_stored(exc) from exc
        return result

    def ingest_group(self, files: Sequence[FileRows]) -> list[FileResult]:
        """Write small files in one transaction: all of them, or (raising StoreError) none.

        Each file gets what `ingest_rows` would give it, written alone in this order:
        its own batch id, counts and `ingest_batches` row; an id met in an earlier file
        of the group is a duplicate in the later one, or a rejection naming both. The
        group's rows go in with one insert per table, one queue refresh and one commit.
        After a failure the caller writes each file again alone, so a fault stays
        with the file that has it.
        """
        try:
            with self.transaction():
                return self._write_group(files)
        except duckdb.Error as exc:
            raise _sentence(self.path, exc) from exc
        except pa.ArrowException as exc:  # rows of files that cannot be put together
            raise StoreError(f"the files could not be written together: {exc}") from exc

    def _write_group(self, files: Sequence[FileRows]) -> list[FileResult]:
        """`ingest_group` inside its transaction."""
        ids = [tid for f in files for rows, _, _ in f.batches for tid in rows["id"].to_pylist()]
        existing = self._stored_ids(ids)
        seen: set[str] = set()
        results: list[FileResult] = []
        rows: list[pa.Table] = []  # new transcripts, with their batch ids
        texts: list[pa.Table] = []  # their messages
        later: list[tuple[FileResult, list[Repeated]]] = []  # ids met before in the group
        batch_ids = [uuid.uuid4().hex for _ in files]
        for pending, batch_id in zip(files, batch_ids, strict=True):
            result = FileResult(file=pending.file)
            again: list[Repeated] = []
            for transcripts, messages, parents in pending.batches:
                fresh, theirs = self._fresh(
                    transcripts, messages, parents, existing, seen, result, again, again
                )
                rows.append(_with_batch_id(fresh, batch_id))
                texts.append(theirs)
            results.append(result)
            later.append((result, again))
        if rows:
            # one chunk each: DuckDB inserts a table of a thousand tiny chunks far slower
            self._insert_table(pa.concat_tables(rows).combine_chunks())
            self._insert_texts(pa.concat_tables(texts).combine_chunks())
        for result, again in later:
            self._compare(again, result)
            result.rejected[:] = _in_line_order(result.rejected)
        self._record_batches(files, results, batch_ids)
        return results

    def _record_batches(
        self, files: Sequence[FileRows], results: list[FileResult], batch_ids: list[str]
    ) -> None:
        """The `ingest_batches` rows of a group's files, inserted at once."""
        when = pa.timestamp("us", tz="UTC")
        rows = pa.table(
            {
                "id": batch_ids,
                "file": [f.file for f in files],
                "source_format": [f.source_format for f in files],
                "started_at": pa.array([f.started for f in files], when),
                "finished_at": pa.array([utcnow()] * len(files), when),
                "added": [r.added for r in results],
                "duplicates": [r.duplicates for r in results],
                "grader_verdicts": [r.grader_verdicts for r in results],
                "rejected": [sql.to_json([x.model_dump() for x in r.rejected]) for r in results],
            }
        )
        with self._arrow("b_rows", rows):
            self.con.execute("INSERT INTO ingest_batches SELECT * FROM b_rows")

    def _fresh(
        self,
        transcripts: pa.Table,
        messages: pa.Table,
        parents: pa.Array,
        existing: set[str],
        seen: set[str],
        result: FileResult,
        later: list[Repeated],
        stored: list[Repeated],
    ) -> tuple[pa.Table, pa.Table]:
        """The transcripts new to the database and to the file, with their messages.

        `existing`: those of their ids the database held before the file; they go to
        `stored`, to be compared with the stored ones (`compare`, many batches at once:
        each comparison reads the stored messages). The ids met earlier in the file (or
        its group) are in `seen`; they go to `later`, to be compared once the rows are
        all inserted.
        """
        ids = transcripts.column("id").to_pylist()
        fresh: list[bool] = []
        for tid in ids:
            fresh.append(tid not in existing and tid not in seen)
            seen.add(tid)
        added = sum(fresh)
        result.added += added
        if added == len(ids):
            return transcripts, messages
        keep = pa.array(fresh, pa.bool_())
        before = pa.array([tid in existing for tid in ids], pa.bool_())  # stored before
        if pc.any(before).as_py():
            stored.append(_rows(transcripts, messages, parents, before))
        within = pc.and_(pc.invert(keep), pc.invert(before))  # first seen in this file
        if pc.any(within).as_py():
            later.append(_rows(transcripts, messages, parents, within))
        return _rows(transcripts, messages, parents, keep)[:2]

    def _compare(self, parts: list[Repeated], result: FileResult) -> None:
        """`_same_or_rejected` for many batches' repeated ids in one query, then forget them."""
        if parts:
            self._same_or_rejected(*_concat_repeated(parts), result)
        parts.clear()

    def _same_or_rejected(
        self, rows: pa.Table, texts: pa.Table, parents: pa.Array, result: FileResult
    ) -> None:
        """Count transcripts whose id is already stored: a duplicate when the content is the
        same, else a Rejection naming both places (never a silent drop). `parents` gives
        each message row's transcript row."""
        if not rows.num_rows:
            return
        rows = rows.append_column("dup_row", pa.array(range(rows.num_rows), pa.int64()))
        texts = texts.append_column("dup_row", parents)
        with self._arrow("dup_transcripts", rows), self._arrow("dup_messages", texts):
            differ = self.con.execute(sql.DIFFERENT_CONTENT).fetchall()
        result.duplicates += rows.num_rows - len(differ)
        result.rejected.extend(_other_content(result.file, *row) for row in differ)

    @staticmethod
    def _gather(pending: pa.Table | None, more: pa.Table) -> pa.Table:
        """Rows waiting to be inserted, with `more` after them (no copy)."""
        return more if pending is None else pa.concat_tables([pending, more])

    def _flush(
        self, pending: pa.Table | None, insert: Callable[[pa.Table], None], *, last: bool = False
    ) -> pa.Table | None:
        """Insert waiting rows when there are enough (all if `last`); returns the rest."""
        if pending is None:
            return None
        if last or pending.nbytes >= self.FLUSH_BYTES:
            count = pending.num_rows
        elif pending.num_rows >= self.FLUSH_ROWS:
            count = pending.num_rows // self.ROW_GROUP * self.ROW_GROUP
        else:
            return pending
        if count:
            rows = pending.slice(0, count).combine_chunks()
            insert(pa.Table.from_batches(rows.to_batches(max_chunksize=self.ROW_GROUP)))
        return pending.slice(count)

    def _stored_ids(self, ids: list[str]) -> set[str]:
        """Those of `ids` the database holds."""
        if not ids:
            return set()
        found = self.con.execute(
            "SELECT id FROM transcripts WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        return {row[0] for row in found}

    def _insert_rows(self, rows: pa.Table, batch_id: str) -> None:
        """Insert transcript rows (with their batch id) and put them in the queue."""
        self._insert_table(_with_batch_id(rows, batch_id))

    def _insert_table(self, table: pa.Table) -> None:
        """Insert whole transcript rows (`_with_batch_id`) and put them in the queue."""
        self.con.from_arrow(table).insert_into("transcripts")
        self._refresh_queue(table.column("id").to_pylist(), new=True)

    def _insert_texts(self, rows: pa.Table) -> None:
        """Insert message rows."""
        self.con.from_arrow(rows.select(list(sql.message_columns([])))).insert_into("messages")

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
            self.con.from_arrow(pa.table(sql.verdict_columns(fresh, batch_id))).insert_into(
                "grader_verdicts"
            )
        return len(fresh)

    # -- transcripts --------------------------------------------------------

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
            messages=tuple(sql.message(m) for m in msgs),
        )

    def transcripts(
        self,
        source_format: str | None = None,
        model: str | None = None,
        scenario: str | None = None,
        condition: str | None = None,
    ) -> pd.DataFrame:
        """Transcript summaries; each filter given must match (None matches all)."""
        return self.df(
            "SELECT id, source_format, model, scenario, goal_type, goal_value, urgency_type,"
            " n_messages, n_chars, source_ref FROM transcripts"
            " WHERE (source_format = ? OR ? IS NULL) AND (model = ? OR ? IS NULL)"
            " AND (scenario = ? OR ? IS NULL)"
            " AND (concat_ws('_', goal_type || '-' || goal_value, urgency_type) = ? OR ? IS NULL)"
            " ORDER BY id",
            [source_format, source_format, model, model, scenario, scenario, condition, condition],
        )

    def search(
        self,
        text: str = "",
        state: str | None = None,
        k: int = 3,
        limit: int = 500,
        **filters: str | None,
    ) -> pd.DataFrame:
        """Transcripts matching filters, a label state and a text (searched in messages)."""
        base = self.transcripts(**filters)
        states = self.df(sql.STATE_SQL, [k])
        frame = base.merge(states, how="left", left_on="id", right_on="transcript_id")
        frame["state"] = frame["state"].fillna("unlabeled")
        frame = frame.drop(columns=["transcript_id"])
        if state:
            frame = frame[frame["state"] == state]
        if text.strip():
            hits = self.text_search(text)
            frame = frame[frame["id"].isin(hits)]
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
            rows = self.con.execute(sql.FTS_SEARCH, [words]).fetchall()
        else:
            rows = self.con.execute(sql.LIKE_SEARCH, [sql.like(text)] * 2).fetchall()
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
                    self.con.execute(sql.BUILD_SEARCH_DOCS)
                    self.con.execute(
                        "PRAGMA create_fts_index('search_docs', 'transcript_id', 'body',"
                        " stopwords = 'none', ignore = '(\\.|[^a-z0-9])+', overwrite = 1)"
                    )
            return True
        except (duckdb.Error, ImportError, OSError):
            return False

    def backup(self, out_dir: Path) -> dict[str, int]:
        """A consistent copy of the whole database as Parquet files plus DDL, with counts.

        Safe while the app runs: the export reads one snapshot inside a transaction.
        The manifest (`goldset-backup.json`) gives every table's rows and a hash of
        them, which `Store.restore` checks.
        """
        if out_dir.exists() and any(out_dir.iterdir()):
            raise StoreError(f"{out_dir} is not empty; choose a new folder for the backup")
        out_dir.mkdir(parents=True, exist_ok=True)
        # EXPORT DATABASE takes no parameters; the path is quoted as an SQL string literal.
        target = str(out_dir.resolve()).replace("'", "''")
        with self.transaction():
            counts = self.counts()
            manifest = {"counts": counts, "tables": self.digests(), "duckdb": duckdb.__version__}
            self.con.execute(f"EXPORT DATABASE '{target}' (FORMAT parquet)")
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        return counts

    def digests(self) -> dict[str, dict[str, Any]]:
        """Per table of the database: its row count and an order-free hash of its rows."""
        names = self.con.execute(
            "SELECT table_name FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
        digests = {}
        for (name,) in names:
            quoted = '"' + name.replace('"', '""') + '"'  # a name from the catalog, quoted
            rows, digest = self.con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {quoted} t"  # noqa: S608
            ).fetchone() or (0, "0")
            digests[name] = {"rows": int(rows), "hash": str(digest)}
        return digests

    @classmethod
    def restore(cls, backup_dir: Path, db: Path) -> Store:
        """A new database file made from a backup folder, checked against its manifest.

        Every table must come back with the rows and hash the manifest gives; a
        short, damaged or foreign backup is refused with a sentence, and no file
        is left behind (the import is made under another name, renamed when good).
        """
        if db.exists() or Path(f"{db}.wal").exists():
            raise StoreError(f"{db} exists; restore into a new file")
        expected = _manifest(backup_dir)
        partial = db.with_name(db.name + ".partial")
        _remove_database(partial)
        try:
            _import_checked(
                cls(duckdb.connect(str(partial)), str(partial), threading.Lock()),
                backup_dir,
                expected,
            )
        except BaseException:
            _remove_database(partial)
            raise
        partial.rename(db)
        return cls.open(db)

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for the data page and the CLI)."""
        tables = ("transcripts", "messages", "labels", "gold", "grader_verdicts", "raters")
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in tables}  # noqa: S608

    def batches(self) -> pd.DataFrame:
        """Ingest batches, newest first."""
        return self.df(
            "SELECT file, source_format, started_at, finished_at, added, duplicates,"
            " grader_verdicts, json_array_length(rejected) AS rejected, rejected AS reasons"
            " FROM ingest_batches ORDER BY started_at DESC"
        )

    # -- schema versions ----------------------------------------------------

    def ensure_schema_version(self, body: str, sha256: str) -> int:
        """The version number of this schema text, adding a new version if it is new."""

        def work() -> int:
            latest = self.con.execute(
                "SELECT version, sha256 FROM schema_versions ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if latest and latest[1] == sha256:
                return int(latest[0])
            version = (int(latest[0]) if latest else 0) + 1
            self.con.execute(
                "INSERT INTO schema_versions VALUES (?, ?, ?, ?)", [version, sha256, body, utcnow()]
            )
            return version

        with self._lock:
            return self.retrying(work)

    def schema_body(self, version: int) -> str | None:
        """The schema text of a version."""
        value = self.scalar("SELECT body FROM schema_versions WHERE version = ?", [version])
        return None if value is None else str(value)

    def schema_versions(self) -> pd.DataFrame:
        """Schema versions with how many labels each has."""
        return self.df(
            "SELECT s.version, s.created_at, left(s.sha256, 12) AS sha256,"
            " count(l.id) AS labels FROM schema_versions s"
            " LEFT JOIN labels l ON l.schema_version = s.version GROUP BY ALL ORDER BY s.version"
        )

    # -- raters -------------------------------------------------------------

    def upsert_rater(self, rater: Rater) -> None:
        """Add a rater, or update name, role and active flag of an existing one."""
        self.retrying(
            lambda: self.con.execute(
                "INSERT INTO raters VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " name = excluded.name, role = excluded.role, active = excluded.active",
                [rater.id, rater.name, rater.role, rater.active, utcnow()],
            )
        )

    def raters(self, active_only: bool = False) -> list[Rater]:
        """All raters (or only active ones), by id."""
        rows = self.con.execute(
            "SELECT id, name, role, active FROM raters WHERE active OR NOT ? ORDER BY id",
            [active_only],
        ).fetchall()
        return [Rater(id=r[0], name=r[1], role=r[2], active=r[3]) for r in rows]

    def rater(self, rater_id: str) -> Rater | None:
        """One rater by id."""
        return next((r for r in self.raters() if r.id == rater_id), None)

    # -- labels and gold ----------------------------------------------------

    def add_labels(self, labels: list[Label]) -> int:
        """Append labels (a change is a new row); returns how many were written."""
        if not labels:
            return 0
        rows = pa.table(sql.label_columns(labels))

        def work() -> None:
            self.con.execute(sql.INSERT_LABELS)
            self.con.execute(sql.LABELED)
            self._refresh_queue(sorted({x.transcript_id for x in labels}))

        with self._arrow("l_rows", rows):
            self.retrying(work)
        return len(labels)

    def current_labels(self, dimension: str | None = None) -> pd.DataFrame:
        """Each rater's latest label per transcript and dimension."""
        return self.df(_latest_labels("WHERE dimension = ? OR ? IS NULL"), [dimension, dimension])

    def case_labels(self, transcript_id: str, dimension: str) -> pd.DataFrame:
        """Each rater's current label on one transcript and dimension (an adjudicator's case)."""
        return self.df(
            _latest_labels("WHERE transcript_id = ? AND dimension = ?"),
            [transcript_id, dimension],
        )

    def undecided_labels(self) -> pd.DataFrame:
        """Current labels on the item-dimensions that have no gold yet (what adjudication sees)."""
        return self.df(
            _latest_labels(
                "ANTI JOIN (SELECT DISTINCT transcript_id, dimension FROM gold)"
                " USING (transcript_id, dimension)"
            )
        )

    def current_values(self, dimension: str) -> pd.DataFrame:
        """Each rater's latest value per transcript on one dimension (transcript_id, rater, value).

        The narrow form of `current_labels` that agreement figures need.
        """
        return self.df(
            "SELECT transcript_id, rater, arg_max(value, (created_at, id)) AS value FROM labels"
            " WHERE dimension = ? GROUP BY ALL ORDER BY transcript_id, rater",
            [dimension],
        )

    def labels_and_gold_version(self) -> tuple[int, int, int]:
        """(label rows, highest label id, gold rows): changes whenever either table does."""
        row = self.con.execute(
            "SELECT (SELECT count(*) FROM labels), (SELECT coalesce(max(id), 0) FROM labels),"
            " (SELECT count(*) FROM gold)"
        ).fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

    def undecided(self) -> dict[str, int]:
        """Per dimension, how many labeled transcripts have no gold yet."""
        rows = self.con.execute(
            "SELECT dimension, count(*) FROM (SELECT DISTINCT transcript_id, dimension FROM labels)"
            " l WHERE NOT EXISTS (SELECT 1 FROM gold g WHERE g.transcript_id = l.transcript_id"
            " AND g.dimension = l.dimension) GROUP BY dimension"
        ).fetchall()
        return {str(d): int(n) for d, n in rows}

    def label_rows(self, dimension: str) -> pd.DataFrame:
        """Every label row of one dimension (all versions), oldest first."""
        return self.df(
            "SELECT transcript_id, rater, dimension, value, created_at FROM labels"
            " WHERE dimension = ? ORDER BY created_at, id",
            [dimension],
        )

    def label_history(self, transcript_id: str, rater: str | None = None) -> pd.DataFrame:
        """Every label row ever written for a transcript (or by one rater), oldest first."""
        return self.df(
            "SELECT created_at, rater, dimension, value, rationale, evidence, tags,"
            " schema_version, seconds FROM labels"
            " WHERE transcript_id = ? AND (rater = ? OR ? IS NULL)"
            " ORDER BY created_at, id",
            [transcript_id, rater, rater],
        )

    # -- assignments --------------------------------------------------------

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
            row = self.con.execute(sql.NEXT_SQL, [k, rater, str(seed)]).fetchone()
            if row is None:
                return None
            now = utcnow()
            self.con.execute(
                sql.ASSIGN, [row[0], rater, row[1], "open", False, None, now, now, False]
            )
            self._refresh_queue([str(row[0])])
            return str(row[0])

        with self._lock:
            return self.retrying(work)

    def finish_assignment(
        self, transcript_id: str, rater: str, state: str, flagged: bool = False, note: str = ""
    ) -> None:
        """Set a rater's assignment to open, done or skipped (creating it if absent)."""
        now = utcnow()
        params = [transcript_id, rater, "main", state, flagged, note or None, now, now, False]

        def work() -> None:
            self.con.execute(sql.SET_ASSIGNMENT, params)
            self._refresh_queue([transcript_id])

        self.retrying(work)

    def submit(self, labels: list[Label], flagged: bool = False, note: str = "") -> None:
        """Append a rater's labels for one item and close their assignment, atomically."""
        if not labels:
            raise ValueError("nothing to submit")
        first = labels[0]
        insert, params = sql.insert_label_values(labels)

        def work() -> None:
            self.con.execute(insert, params)
            now = utcnow()
            self.con.execute(
                sql.SET_ASSIGNMENT,
                [first.transcript_id, first.rater, "main", "done", flagged, note or None]
                + [now, now, True],
            )
            self._refresh_queue([first.transcript_id])

        self.retrying(work)

    def rater_progress(self, rater: str, k: int) -> tuple[int, int]:
        """(items this rater has finished, items finished plus still available to them)."""
        row = self.con.execute(sql.PROGRESS_SQL, [k, rater, rater]).fetchone()
        touched, open_, left = (int(x) for x in row) if row else (0, 0, 0)
        return touched - open_, touched + left

    def own_labels(self, rater: str, transcript_id: str) -> pd.DataFrame:
        """A rater's current labels on one transcript (their own only: blind labeling)."""
        return self.df(
            "SELECT dimension, value, rationale, evidence, tags, schema_version, created_at"
            " FROM (SELECT *, row_number() OVER (PARTITION BY dimension"
            " ORDER BY created_at DESC, id DESC) AS rn FROM labels"
            " WHERE rater = ? AND transcript_id = ?) WHERE rn = 1",
            [rater, transcript_id],
        )

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
            self.con.execute(sql.RECOUNT_ONE, transcript_ids * 3)
            return
        with self._arrow("q_ids", pa.table({"id": pa.array(transcript_ids, pa.string())})):
            if new:
                self.con.execute(sql.ADD_TO_QUEUE)
                return
            if queued:
                self.con.execute(sql.REFRESH_PRIORITY)
            self.con.execute(sql.RECOUNT)

    def rebuild_queue(self) -> None:
        """Derive the queue state again from transcripts, labels, assignments and queue items.

        For databases written around the store (bulk loads, restores of old backups);
        the store's own writes keep it current.
        """
        self.retrying(lambda: self.con.execute(sql.REBUILD_QUEUE))

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
            "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY"
            " transcript_id, dimension ORDER BY created_at DESC, id DESC) AS rn"
            " FROM gold WHERE dimension = ? OR ? IS NULL) WHERE rn = 1"
            " ORDER BY transcript_id, dimension",
            [dimension, dimension],
        )

    def gold_with_sources(self, dimension: str | None = None) -> pd.DataFrame:
        """Current gold rows with their transcript's source and the raters' current values.

        `rater_values` is a JSON object {rater: value} in rater order; `decided_at` is UTC text.
        """
        return self.df(sql.GOLD_EXPORT, [dimension, dimension, dimension, dimension])

    def all_labels(self, dimension: str | None = None) -> pd.DataFrame:
        """Every label row, oldest first."""
        return self.df(
            "SELECT * FROM labels WHERE dimension = ? OR ? IS NULL ORDER BY created_at, id",
            [dimension, dimension],
        )

    def flagged(self) -> pd.DataFrame:
        """Items raters flagged for discussion, newest first."""
        return self.df(
            "SELECT transcript_id, rater, updated_at FROM assignments WHERE flagged"
            " ORDER BY updated_at DESC"
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

    def reopen(self, transcript_id: str, raters: list[str], note: str) -> None:
        """Give an item back to raters who labeled it, with a note they will see first."""

        def work() -> None:
            for rater in raters:
                self.finish_assignment(transcript_id, rater, "open", note=note)

        self.retrying(work)

    def assignment_note(self, rater: str, transcript_id: str) -> str | None:
        """The note on a rater's assignment (e.g. an adjudicator's question)."""
        value = self.scalar(
            "SELECT note FROM assignments WHERE rater = ? AND transcript_id = ?",
            [rater, transcript_id],
        )
        return None if value is None else str(value)

    def verdicts(self, grader: str | None = None) -> pd.DataFrame:
        """Grader verdicts, optionally of one grader."""
        return self.df(
            "SELECT grader, transcript_id, field, dimension, value, score, answer, explanation"
            " FROM grader_verdicts WHERE grader = ? OR ? IS NULL"
            " ORDER BY grader, transcript_id, field",
            [grader, grader],
        )

    def graders(self) -> pd.DataFrame:
        """Graders with their verdict counts."""
        return self.df(
            "SELECT r.grader, r.model, r.source, count(v.transcript_id) AS verdicts,"
            " count(DISTINCT v.transcript_id) AS transcripts"
            " FROM grader_runs r LEFT JOIN grader_verdicts v USING (grader)"
            " GROUP BY ALL ORDER BY r.grader"
        )

    # -- graders and audits -------------------------------------------------

    def _frame(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        """Like `df`, through Arrow (faster for the large, narrow reads of the graders report)."""
        frame: pd.DataFrame = self.con.execute(sql, list(params)).to_arrow_table().to_pandas()
        return frame

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

    def transcript_strata(self) -> pd.DataFrame:
        """Per transcript: model, scenario and condition (goal_type-goal_value_urgency_type)."""
        return self._frame(
            "SELECT id AS transcript_id, model, scenario,"
            " concat_ws('_', goal_type || '-' || goal_value, urgency_type) AS condition"
            " FROM transcripts ORDER BY id"
        )

    def label_values(self, dimension: str) -> pd.DataFrame:
        """Each rater's current value per transcript for one dimension (no text)."""
        return self._frame(
            "SELECT transcript_id, rater, arg_max(value, (created_at, id)) AS value"
            " FROM labels WHERE dimension = ? GROUP BY transcript_id, rater",
            [dimension],
        )

    def gold_values(self, dimension: str) -> pd.DataFrame:
        """The current gold value, method and time per transcript for one dimension."""
        return self._frame(
            "SELECT transcript_id, arg_max(value, (created_at, id)) AS value,"
            " arg_max(method, (created_at, id)) AS method, max(created_at) AS created_at"
            " FROM gold WHERE dimension = ? GROUP BY transcript_id",
            [dimension],
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

    def gold_since(self, dimension: str, since: Any) -> pd.DataFrame:
        """Current gold rows of a dimension written at or after `since` (audit outcomes)."""
        return self.df(
            "SELECT transcript_id, value, method FROM (SELECT transcript_id,"
            " arg_max(value, (created_at, id)) AS value, arg_max(method, (created_at, id))"
            " AS method, max(created_at) AS created_at FROM gold WHERE dimension = ?"
            " GROUP BY transcript_id) WHERE created_at >= ?",
            [dimension, since],
        )

    def audit_queue_labels(self) -> pd.DataFrame:
        """Labels on audit-queue items written after the item was queued.

        One row per transcript, dimension and rater (the rater's latest such label), with
        the time the item was queued and the current gold's method and time, if any.
        """
        return self.df(
            "WITH q AS (SELECT transcript_id, created_at AS queued_at FROM queue_items"
            " WHERE queue = 'audit'),"
            " l AS (SELECT l.transcript_id, l.dimension, l.rater,"
            " arg_max(l.value, (l.created_at, l.id)) AS value, q.queued_at FROM labels l"
            " JOIN q ON q.transcript_id = l.transcript_id AND l.created_at >= q.queued_at"
            " GROUP BY ALL),"
            " g AS (SELECT transcript_id, dimension, arg_max(value, (created_at, id)) AS gold,"
            " arg_max(method, (created_at, id)) AS gold_method,"
            " max(created_at) AS gold_at FROM gold GROUP BY ALL)"
            " SELECT l.*, g.gold, g.gold_method, g.gold_at FROM l"
            " LEFT JOIN g USING (transcript_id, dimension)"
            " ORDER BY l.transcript_id, l.dimension, l.rater"
        )
