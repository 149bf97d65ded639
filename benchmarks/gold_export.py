"""Gold export to Parquet (`labels.export.export_gold`), against DuckDB's own COPY.

The figure is `export.export_gold(ws, out, "parquet")` on the shared database (gold for
every transcript and dimension, 1,000,000 label rows): the gold table with each item's
rater values, the Parquet file and its data card. `export.export_labels` of every raw
label row to Parquet is timed alongside (details). The baseline is DuckDB writing the
current gold and current labels itself (`COPY (query) TO 'x.parquet'` through
`Store.con`), the floor any export sits on. Target (issue 8): ≤ 5 s. With a PostgreSQL
server (`gen_pg`), the same export from its copy, within 2 × the DuckDB figure (issue 16).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import gen_db, gen_pg
from benchmarks.core import Context, Figure, Target, seconds
from labels import export
from labels.store import Store
from labels.workspace import Workspace, open_workspace

CURRENT_LABELS = (
    "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY"
    " transcript_id, rater, dimension ORDER BY created_at DESC, id DESC) AS rn"
    " FROM labels) WHERE rn = 1 ORDER BY transcript_id, dimension, rater"
)
CURRENT_GOLD = (
    "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY"
    " transcript_id, dimension ORDER BY created_at DESC, id DESC) AS rn"
    " FROM gold) WHERE rn = 1 ORDER BY transcript_id, dimension"
)


def copy(store: Store, query: str, target: Path) -> None:
    # COPY takes no parameter for its file name; the path is ours, in the scratch folder.
    store.con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")


def duckdb_copy(store: Store, folder: Path) -> None:
    """The baseline: DuckDB writes current labels and gold itself."""
    copy(store, CURRENT_LABELS, folder / "copy-labels.parquet")
    copy(store, CURRENT_GOLD, folder / "copy-gold.parquet")


def _measure(ws: Workspace, figure: Figure, folder: Path) -> None:
    figure.runs.append(seconds(lambda: export.export_gold(ws, folder / "gold.parquet", "parquet")))
    labels_s = seconds(lambda: export.export_labels(ws, folder / "labels.parquet", "parquet"))
    figure.details.setdefault("export_labels_parquet_s", []).append(labels_s)


def run(ctx: Context) -> list[Figure]:
    db = gen_db.shared(ctx)
    figure = Figure(
        "gold export to Parquet",
        f"{db.labels:,} labels, {3 * (db.transcripts - 1):,} gold rows",
        "s",
        Target.at_most(5, "s"),
        baseline_what="DuckDB COPY of current gold + current labels",
        note="export.export_gold(…, 'parquet'), data card included",
    )
    ws = open_workspace(db.path)
    try:
        for _ in range(ctx.runs):
            _measure(ws, figure, ctx.workdir)
            figure.baseline_runs.append(seconds(lambda: duckdb_copy(ws.store, ctx.workdir)))
    finally:
        ws.store.close()
    out = ctx.workdir / "pg-gold.parquet"
    return gen_pg.paired(ctx, db, figure, lambda pg: export.export_gold(pg, out, "parquet"))
