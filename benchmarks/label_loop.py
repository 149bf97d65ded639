"""Submit a label and get the next item: the library calls the label page makes per item.

One iteration is `labeling.submit` (three labels and the assignment, one transaction),
`Workspace.next_item` and `Workspace.progress`, for a rater with nothing labeled yet, on the
shared database; each run is a different rater on a freshly opened workspace and reports
the p95 over its iterations. The baseline is the same loop on a database a hundredth the
size, to show how the time grows with the data. Target (issue 8): p95 ≤ 30 ms.

On PostgreSQL (issue 16; a server given, see `gen_pg`): the same loop, same raters, on a
PostgreSQL copy of the same database (made before the DuckDB runs), next to the DuckDB
figure as its baseline. Target: p95 ≤ 30 ms.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks import gen_db, gen_pg
from benchmarks.core import Context, Figure, Target, p95
from labels import labeling
from labels.workspace import open_workspace

DRAFT = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "3"}
)
PARTS = ("submit", "next_item", "progress")


def loop(db: Path | str, rater: str, iterations: int) -> dict[str, list[float]]:
    """Milliseconds per iteration, in total and per call."""
    ws = open_workspace(db)
    times: dict[str, list[float]] = {k: [] for k in ("total", *PARTS)}
    try:
        item = ws.next_item(rater)
        for _ in range(iterations):
            if item is None:
                break
            t0 = time.perf_counter()
            labeling.submit(ws, rater, item, DRAFT, seconds=30.0)
            t1 = time.perf_counter()
            item = ws.next_item(rater)
            t2 = time.perf_counter()
            ws.progress(rater)
            t3 = time.perf_counter()
            for key, ms in zip(times, (t3 - t0, t1 - t0, t2 - t1, t3 - t2), strict=True):
                times[key].append(ms * 1000)
    finally:
        ws.store.close()
    return times


def run(ctx: Context) -> list[Figure]:
    big, small = gen_db.shared(ctx), gen_db.shared(ctx, scale=0.01)
    pg_url = gen_pg.shared(ctx, big)  # copied before the runs below add labels to `big`
    n = ctx.sizes.loop_iterations
    figure = Figure(
        "label loop: submit + next_item + progress, p95",
        f"{big.transcripts:,} transcripts, {big.labels:,} labels; {n} items per run",
        "ms",
        Target.at_most(30, "ms"),
        baseline_what=f"same loop, {small.transcripts:,} transcripts / {small.labels:,} labels",
    )
    parts: dict[str, list[float]] = {k: [] for k in PARTS}
    for run_no in range(ctx.runs):
        times = loop(big.path, big.loop_raters[run_no], n)
        figure.runs.append(p95(times["total"]))
        figure.baseline_runs.append(p95(loop(small.path, small.loop_raters[run_no], n)["total"]))
        for key in PARTS:
            parts[key].append(p95(times[key]))
        ctx.log(
            f"  run {run_no + 1}: p95 {figure.runs[-1]:.0f} ms"
            f" (small database {figure.baseline_runs[-1]:.0f} ms)"
        )
    figure.details = {f"{k}_p95_ms": statistics.median(v) for k, v in parts.items()}
    if pg_url is None:
        return [figure]
    return [figure, _on_postgres(ctx, pg_url, big, figure)]


def _on_postgres(ctx: Context, url: str, big: gen_db.BenchDb, duck: Figure) -> Figure:
    """The same loop and raters on the PostgreSQL copy; the DuckDB figure is its baseline."""
    n = ctx.sizes.loop_iterations
    figure = Figure(
        "label loop on PostgreSQL: submit + next_item + progress, p95",
        f"{big.transcripts:,} transcripts, {big.labels:,} labels; {n} items per run",
        "ms",
        Target.at_most(30, "ms"),
        baseline_what="the same loop on the DuckDB file (the figure above)",
        baseline_runs=list(duck.runs),
    )
    parts: dict[str, list[float]] = {k: [] for k in PARTS}
    for run_no in range(ctx.runs):
        times = loop(url, big.loop_raters[run_no], n)
        figure.runs.append(p95(times["total"]))
        for key in PARTS:
            parts[key].append(p95(times[key]))
        ctx.log(f"  run {run_no + 1} on PostgreSQL: p95 {figure.runs[-1]:.0f} ms")
    figure.details = {f"{k}_p95_ms": statistics.median(v) for k, v in parts.items()}
    return figure
