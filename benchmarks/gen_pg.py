"""A PostgreSQL copy of the shared benchmark database, for the PostgreSQL figures.

The server is `GOLDSET_BENCH_PG` (else `GOLDSET_TEST_PG`), a `postgresql://` URL of a
database we may create others next to; without one, the PostgreSQL figures are skipped.
Each benchmark run makes a fresh database there (`goldset_bench_<n>_<random>`), migrated by
the store, and fills it with the rows of the DuckDB benchmark database through the
store's own DuckDB connection (the file ATTACHed read-only, `INSERT … SELECT` into the
attached PostgreSQL tables, which the postgres extension sends as binary COPY); then the
sequences are moved past the copied ids and the tables analyzed. It is dropped at the end
of the run.
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Callable

from benchmarks.core import Context, Figure, Target, seconds
from benchmarks.gen_db import BenchDb
from labels.store import Store
from labels.workspace import Workspace, open_workspace

SEQUENCES = {"labels": "label_seq", "gold": "gold_seq", "case_notes": "case_note_seq"}
SKIP = {"migrations", "search_docs"}


def server() -> str | None:
    """The PostgreSQL server's URL, or None."""
    url = os.environ.get("GOLDSET_BENCH_PG") or os.environ.get("GOLDSET_TEST_PG") or ""
    return url.strip() or None


def _with_database(url: str, name: str) -> str:
    head, _, tail = url.rpartition("/")
    query = tail.partition("?")[2]
    return f"{head}/{name}" + (f"?{query}" if query else "")


def copy(db: BenchDb, url: str) -> str:
    """Fill the (empty) database at `url` with the rows of `db`; returns `url`."""
    store = Store.open(url)
    try:
        con = store.con
        quoted = str(db.path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)")
        tables = [
            str(r[0])
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src'"
                " ORDER BY table_name"
            ).fetchall()
            if r[0] not in SKIP
        ]
        for table in tables:
            con.execute(f"INSERT INTO pg.{table} BY NAME SELECT * FROM src.{table}")  # noqa: S608
        con.execute("DETACH src")
        with store._native() as pg:  # noqa: SLF001 (the benchmark's own setup)
            for table, seq in SEQUENCES.items():
                pg.execute(
                    f"SELECT setval('{seq}', coalesce((SELECT max(id) FROM {table}), 0) + 1)"  # noqa: S608
                )
            pg.execute("VACUUM ANALYZE")
    finally:
        store.close()
    return url


def shared(ctx: Context, db: BenchDb) -> str | None:
    """The URL of a PostgreSQL copy of `db`, made once per run; None without a server."""
    base = server()
    if base is None:
        return None

    def make() -> str:
        import psycopg

        name = f"goldset_bench_{db.transcripts}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop, base, name)
        url = _with_database(base, name)
        copy(db, url)
        ctx.log(f"  PostgreSQL copy: {url}")
        return url

    copied: str = ctx.shared(f"PostgreSQL copy of {db.path.name}", make)
    return copied


def _drop(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def paired(
    ctx: Context,
    db: BenchDb,
    duck: Figure,
    work: Callable[[Workspace], object],
    factor: float = 2.0,
) -> list[Figure]:
    """`duck` and, when a server is given, the same `work` on the PostgreSQL copy of `db`
    (`ctx.runs` times, through the store's attached DuckDB as the app does), with the
    DuckDB runs as its baseline and `factor` × them as its target (issue 16: 2×)."""
    url = shared(ctx, db)
    if url is None:
        return [duck]
    figure = Figure(
        f"{duck.name} on PostgreSQL",
        duck.size,
        duck.unit,
        Target.times_baseline(factor),
        baseline_what="the same on the DuckDB file (the figure above)",
        baseline_runs=list(duck.runs),
        note=duck.note,
    )
    ws = open_workspace(url)
    try:
        for run_no in range(ctx.runs):
            figure.runs.append(seconds(lambda: work(ws)))
            ctx.log(f"  run {run_no + 1} on PostgreSQL: {figure.runs[-1]:.2f} {duck.unit}")
    finally:
        ws.store.close()
    return [duck, figure]
