"""Gold export to Parquet (`labels.export.export_gold`), against DuckDB's own COPY.

The figure is `export.export_gold(ws, out, "parquet")` on the shared database (gold for
every transcript and dimension, 1,000,000 label rows): the gold table with each item's
rater values, the Parquet file and its data card. `export.export_labels` of every raw
label row to Parquet is timed alongside (details). The baseline is DuckDB writing the
current gold and current labels itself (`COPY (query) TO 'x.parquet'` through
`Store.con`), the floor any export sits on.

When `labels.export` is missing (the module landed after this benchmark was written),
the DuckDB COPY stand-in is the figure, marked "pending export module".
Target (issue 8): ≤ 5 s.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from benchmarks import gen_db
from benchmarks.core import Context, Figure, Target, seconds
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
PENDING = (
    "PENDING export module: measured with the stand-in, DuckDB COPY (current labels) + "
    "COPY (current gold) through Store.con"
)


def copy(store: Store, query: str, target: Path) -> None:
    # COPY takes no parameter for its file name; the path is ours, in the scratch folder.
    store.con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")


def duckdb_copy(store: Store, folder: Path) -> None:
    """The stand-in, and the baseline: DuckDB writes current labels and gold itself."""
    copy(store, CURRENT_LABELS, folder / "copy-labels.parquet")
    copy(store, CURRENT_GOLD, folder / "copy-gold.parquet")


def have_export_module() -> bool:
    return importlib.util.find_spec("labels.export") is not None


def _measure_module(ws: Workspace, figure: Figure, folder: Path) -> None:
    from labels import export

    figure.runs.append(seconds(lambda: export.export_gold(ws, folder / "gold.parquet", "parquet")))
    labels_s = seconds(lambda: export.export_labels(ws, folder / "labels.parquet", "parquet"))
    figure.details.setdefault("export_labels_parquet_s", []).append(labels_s)


def run(ctx: Context) -> list[Figure]:
    db = gen_db.shared(ctx)
    real = have_export_module()
    figure = Figure(
        "gold export to Parquet" + ("" if real else " [PENDING export module: stand-in]"),
        f"{db.labels:,} labels, {3 * (db.transcripts - 1):,} gold rows",
        "s",
        Target.at_most(5, "s"),
        baseline_what="DuckDB COPY of current gold + current labels",
        pending=not real,
        note="export.export_gold(…, 'parquet'), data card included" if real else PENDING,
    )
    ws = open_workspace(db.path)
    try:
        for _ in range(ctx.runs):
            if real:
                _measure_module(ws, figure, ctx.workdir)
            else:
                figure.runs.append(seconds(lambda: duckdb_copy(ws.store, ctx.workdir)))
            figure.baseline_runs.append(seconds(lambda: duckdb_copy(ws.store, ctx.workdir)))
    finally:
        ws.store.close()
    return [figure]
