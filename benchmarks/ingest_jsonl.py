"""Ingest of a JSONL chat file against DuckDB's own `read_json` of the same file.

Both run in a fresh interpreter (`benchmarks.child`) writing a fresh database file; the
time is taken inside the child around the work itself, the peak RSS of the whole child
comes from `wait4`. Targets (issue 8): wall time ≤ 1.5 × DuckDB's
`CREATE TABLE … AS SELECT * FROM read_json(…)`, peak memory ≤ 1.5 GB.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.core import Context, Figure, Target, run_child
from benchmarks.gen_files import write_jsonl


def ingest_child(path: str, db: str, fmt: str) -> dict[str, Any]:
    """(In the child.) `loader.ingest_paths` of the files, the way the CLI does it."""
    from labels import loader
    from labels.store import Store

    store = Store.open(db)
    started = time.perf_counter()
    report = loader.ingest_paths(store, [Path(p) for p in path.split("\n")], fmt=fmt)
    elapsed = time.perf_counter() - started
    store.close()
    return {"seconds": elapsed, "added": report.added, "rejected": len(report.rejected)}


def duckdb_child(path: str, db: str) -> dict[str, Any]:
    """(In the child.) DuckDB reading the same file into a table by itself."""
    import duckdb

    con = duckdb.connect(db)
    started = time.perf_counter()
    con.execute(
        "CREATE TABLE chats AS SELECT * FROM read_json(?, format = 'newline_delimited')", [path]
    )
    elapsed = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM chats").fetchone()
    con.close()
    return {"seconds": elapsed, "rows": rows[0] if rows else 0}


def run(ctx: Context) -> list[Figure]:
    n, m = ctx.sizes.jsonl_transcripts, ctx.sizes.messages
    source = write_jsonl(ctx.workdir / "chats.jsonl", n, m)
    size = f"{n:,} transcripts × {m} messages ({source.stat().st_size / 1e6:,.0f} MB file)"
    wall = Figure(
        "ingest JSONL: wall time",
        size,
        "s",
        Target.times_baseline(1.5),
        baseline_what="DuckDB CREATE TABLE AS SELECT * FROM read_json(…)",
    )
    peak = Figure(
        "ingest JSONL: peak memory",
        size,
        "MB",
        Target.at_most(1500, "MB"),
        baseline_what="peak RSS of the DuckDB read_json child",
    )
    for run_no in range(ctx.runs):
        ours = run_child(
            "benchmarks.ingest_jsonl:ingest_child",
            path=str(source),
            db=str(ctx.fresh("ingest.duckdb")),
            fmt="jsonl",
        )
        theirs = run_child(
            "benchmarks.ingest_jsonl:duckdb_child",
            path=str(source),
            db=str(ctx.fresh("read_json.duckdb")),
        )
        wall.runs.append(ours.result["seconds"])
        wall.baseline_runs.append(theirs.result["seconds"])
        peak.runs.append(ours.peak_mb)
        peak.baseline_runs.append(theirs.peak_mb)
        ctx.log(
            f"  run {run_no + 1}: ingest {ours.result['seconds']:.1f} s"
            f" ({ours.peak_mb:.0f} MB), read_json {theirs.result['seconds']:.1f} s"
        )
        wall.details = {
            "added": ours.result["added"],
            "rejected": ours.result["rejected"],
            "duckdb_rows": theirs.result["rows"],
        }
    ctx.fresh("ingest.duckdb")
    ctx.fresh("read_json.duckdb")
    return [wall, peak]
