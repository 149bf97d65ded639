"""A whole database from one place to another: restores of Parquet backups, and copies
between a DuckDB file and PostgreSQL (either way), each checked table by table.

Both go the same way: the target gets its schema from the migrations (those the source
had applied), then every table goes in within one transaction, and before it commits,
each table's rows and content hash (`backup.row_digest`, the same on both backends) must
equal the source's; the sequences then continue past the copied ids. A DuckDB target is
made under another name and renamed when good; a PostgreSQL one must be empty and is
left as it was when anything fails.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import duckdb_extensions

from .backup import (
    DERIVED,
    FORMAT,
    BackupStore,
    check_tables,
    damaged,
    literal,
    parquet,
    quote,
    read_manifest,
    remove_database,
    row_digest,
)
from .errors import StoreError, first_line

if TYPE_CHECKING:
    from . import Store

Progress = Callable[[str, int, float], None]
"""Told after each table: its name, the rows it got, the seconds it took."""


def _shown(db: str) -> str:
    """A database for messages (a URL without its password)."""
    from .postgres import safe_url

    return safe_url(db)


def _is_postgres(db: str) -> bool:
    from . import is_postgres

    return is_postgres(db)


def _failure(exc: BaseException, doing: str, nothing: str) -> StoreError:
    """A sentence for an error of DuckDB or PostgreSQL while copying."""
    if isinstance(exc, StoreError):
        return exc
    return StoreError(f"{doing} failed: {first_line(exc)}. {nothing}")


def _require_empty(store: Store, where: str) -> None:
    """Refuse a target that holds any rows (its migrations aside)."""
    held = {}
    for name in store._table_names():
        if name != "migrations":
            rows = int(store.scalar(f"SELECT count(*) FROM {quote(name)}"))  # noqa: S608
            if rows:
                held[name] = rows
    if held:
        what = ", ".join(f"{n:,} {name}" for name, n in sorted(held.items()))
        raise StoreError(
            f"{where} is not empty (it holds {what}); use a new file or an empty database"
        )


def _load(
    store: Store,
    sources: dict[str, str],
    expected: dict[str, dict[str, Any]] | None,
    check: Callable[[dict[str, dict[str, Any]], dict[str, dict[str, Any]]], None],
    progress: Progress | None,
) -> dict[str, dict[str, Any]]:
    """Every source relation into its table, in one transaction, checked before it commits.

    `expected` None: the sources' own digests, taken in the same transaction (one snapshot).
    """
    have = set(store._table_names())
    unknown = sorted(set(sources) - have)
    if unknown:
        raise StoreError(f"the target has no table {', '.join(unknown)}; nothing was written")
    with store.transaction():
        if expected is None:
            expected = {name: row_digest(store.con, rel) for name, rel in sources.items()}
        store.con.execute("DELETE FROM migrations")  # the source's own record replaces it
        for name, relation in sources.items():
            started = time.perf_counter()
            columns = store.con.execute(f"DESCRIBE {quote(name)}").fetchall()
            listing = ", ".join(quote(str(c[0])) for c in columns)
            store.con.execute(
                f"INSERT INTO {quote(name)} ({listing}) SELECT {listing} FROM {relation}"  # noqa: S608
            )
            if progress is not None:
                progress(name, expected[name]["rows"], time.perf_counter() - started)
        found = {name: store._digest(name) for name in sources}
        check(found, expected)
        store._continue_sequences()
    return found


def _bare(db: str) -> Store:
    """A store on `db` with no migration applied yet (restore applies the backup's own)."""
    from . import Store
    from .postgres import Pool, PostgresStore, attach

    if _is_postgres(db):
        try:
            return PostgresStore(attach(db), db, threading.Lock(), Pool(db))
        except Exception as exc:
            raise StoreError(
                f"the PostgreSQL database {_shown(db)} cannot be used: {first_line(exc)}"
            ) from exc
    return Store(duckdb.connect(db), db, threading.Lock())


QUEUE_STEP = "0004_queue_state"
"""The step that made the queue state; a backup from before it has none to restore."""


def restore(backup_dir: Path, db: str, progress: Progress | None = None) -> None:
    """Make the database `db` (a new file, or an empty PostgreSQL database) from a backup."""
    body = read_manifest(backup_dir)
    expected: dict[str, dict[str, Any]] = body["tables"]
    if not _is_postgres(db) and (Path(db).exists() or Path(f"{db}.wal").exists()):
        raise StoreError(f"{db} exists; restore into a new file, it never overwrites a database")
    if body["format"] < FORMAT:  # an EXPORT DATABASE folder, checked as it always was
        if not _is_postgres(db):
            BackupStore.restore_legacy(backup_dir, Path(db), expected)
            return
        with tempfile.TemporaryDirectory() as scratch:
            between = Path(scratch) / "restored.duckdb"
            BackupStore.restore_legacy(backup_dir, between, expected)
            copy_database(str(between), db, progress)
        return
    files = {name: backup_dir / f"{name}.parquet" for name in expected}
    reader = duckdb.connect()
    try:
        found = {name: row_digest(reader, parquet(path)) for name, path in files.items()}
        applied = [
            str(r[0])
            for r in reader.execute(
                f"SELECT name FROM {parquet(files['migrations'])}"  # noqa: S608
            ).fetchall()
        ]
    except (duckdb.Error, KeyError) as exc:
        raise damaged(backup_dir, exc) from exc
    finally:
        reader.close()
    check_tables(backup_dir, found, expected)
    sources = {name: parquet(path) for name, path in files.items()}

    def check(got: dict[str, dict[str, Any]], want: dict[str, dict[str, Any]]) -> None:
        check_tables(backup_dir, got, want)

    nothing = "Nothing was restored."
    if _is_postgres(db):
        store = _bare(db)
        try:
            store.migrate(only=applied)
            have = {str(r[0]) for r in store.con.execute("SELECT name FROM migrations").fetchall()}
            if have != set(applied):
                raise StoreError(
                    f"{_shown(db)} has a newer schema than the backup; restore into an empty "
                    "database"
                )
            _require_empty(store, _shown(db))
            _load(store, sources, expected, check, progress)
            store.migrate()
            if QUEUE_STEP not in applied:  # PostgreSQL's step 0004 derives nothing
                store.rebuild_queue()
        except Exception as exc:
            raise _failure(exc, f"restoring {backup_dir} into {_shown(db)}", nothing) from exc
        finally:
            store.close()
        return
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    remove_database(partial)
    try:
        store = _bare(str(partial))
        try:
            store.migrate(only=applied)
            _load(store, sources, expected, check, progress)
            store.migrate()
            store.con.execute("CHECKPOINT")
        finally:
            store.close()
    except BaseException as exc:
        remove_database(partial)
        if isinstance(exc, duckdb.Error):
            raise damaged(backup_dir, exc) from exc
        raise
    partial.rename(path)


def _attach_source(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """The source database attached read-only as `src`."""
    if _is_postgres(source):
        duckdb_extensions.import_extension("postgres_scanner", con=con)
        con.execute("LOAD postgres_scanner")
        con.execute(f"ATTACH {literal(source)} AS src (TYPE postgres, READ_ONLY)")
    else:
        con.execute(f"ATTACH {literal(str(Path(source).resolve()))} AS src (READ_ONLY)")


def copy_database(
    source: str, target: str, progress: Progress | None = None
) -> dict[str, dict[str, Any]]:
    """Copy every table of `source` into `target` (new or empty); returns the tables' digests.

    Either may be a DuckDB file or a PostgreSQL URL. The source is read in one snapshot
    (with PostgreSQL, while its app servers keep running); the target is checked, table
    by table, against the source's rows and content hash before the copy commits.
    """
    from . import Store

    src_pg, dst_pg = _is_postgres(source), _is_postgres(target)
    if not src_pg and not Path(source).is_file():
        raise StoreError(f"there is no database file {source} to copy")
    if source == target or (
        not src_pg and not dst_pg and Path(source).resolve() == Path(target).resolve()
    ):
        raise StoreError("the source and the target are the same database; name a new target")
    Store.open(source).close()  # brought to this version's schema, as every command does
    partial: Path | None = None
    if dst_pg or Path(target).exists():
        store = Store.open(target)
    else:
        partial = Path(target).with_name(Path(target).name + ".partial")
        remove_database(partial)
        store = Store.open(partial)

    def check(got: dict[str, dict[str, Any]], want: dict[str, dict[str, Any]]) -> None:
        for name, theirs in want.items():
            ours = got.get(name)
            if ours != theirs:
                what = (
                    "rows differ"
                    if ours and ours["rows"] == theirs["rows"]
                    else "row count differs"
                )
                raise StoreError(
                    f"the copy of table {name} in {_shown(target)} does not match "
                    f"{_shown(source)} (its {what}). Nothing was copied."
                )

    try:
        _require_empty(store, _shown(target))
        _attach_source(store.con, source)
        names = store.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'"
            " AND schema_name IN ('main', 'public') ORDER BY 1"
        ).fetchall()
        sources = {str(n): f"src.{quote(str(n))}" for (n,) in names if n not in DERIVED}
        found = _load(store, sources, None, check, progress)
        store.con.execute("DETACH src")
        if partial is not None:
            store.con.execute("CHECKPOINT")
    except BaseException as exc:
        store.close()
        if partial is not None:
            remove_database(partial)
        if isinstance(exc, Exception):
            raise _failure(
                exc, f"copying {_shown(source)} to {_shown(target)}", "Nothing was copied."
            ) from exc
        raise
    store.close()
    if partial is not None:
        partial.rename(target)
    return found
