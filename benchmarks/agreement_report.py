"""The agreement report from the store: `agreement_report.report(ws)` over the shared database.

Every dimension's current labels read from the store, encoded, and every coefficient with
its BCa 95% interval (1,000 resamples): what the Agreement page, `labels agreement` and
the gold export's data card compute. The baseline is reading the same label values
(`Store.label_values` for each dimension), the floor under any such report. Target: ≤ 5 s,
the bootstrap's (issue 8). With a PostgreSQL server (`gen_pg`), the same report on its copy,
within 2 × the DuckDB figure (issue 16).
"""

from __future__ import annotations

from benchmarks import gen_db, gen_pg
from benchmarks.core import Context, Figure, Target, seconds
from labels import agreement_report
from labels.workspace import Workspace, open_workspace


def read_values(ws: Workspace) -> None:
    for dim in ws.schema.dimensions:
        ws.store.label_values(dim.name)


def run(ctx: Context) -> list[Figure]:
    db = gen_db.shared(ctx)
    figure = Figure(
        "agreement report (every dimension, BCa CIs)",
        f"{db.transcripts:,} transcripts, {db.labels:,} labels, 3 dimensions",
        "s",
        Target.at_most(5, "s"),
        baseline_what="reading each dimension's current label values from the store",
    )
    ws = open_workspace(db.path)
    try:
        for _ in range(ctx.runs):
            figure.runs.append(seconds(lambda: agreement_report.report(ws)))
            figure.baseline_runs.append(seconds(lambda: read_values(ws)))
    finally:
        ws.store.close()
    return gen_pg.paired(ctx, db, figure, agreement_report.report)
