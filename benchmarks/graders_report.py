"""The graders report: `calibration.report` for one grader over the shared database.

The database has gold for every transcript on all three dimensions and two graders with
a verdict per transcript and dimension. The baseline is the floor under any such report:
DuckDB counting grader value × current gold value per dimension in one query. Whether
the report computed confidence intervals is said in the note. Target (issue 8): ≤ 3 s.
With a PostgreSQL server (`gen_pg`), the same report on its copy of the database, within
2 × the DuckDB figure (issue 16).
"""

from __future__ import annotations

import pandas as pd

from benchmarks import gen_db, gen_pg
from benchmarks.core import Context, Figure, Target, seconds
from labels.graders import calibration
from labels.workspace import Workspace, open_workspace

SHOWN = ["grader", "dimension", "n", "kappa", "kappa_ci"]


def describe(table: pd.DataFrame) -> str:
    """What the measured report computed: whether it has CIs, which dimensions it covers."""
    dims = sorted(set(table["dimension"])) if "dimension" in table else []
    ci = "with bootstrap CIs" if "kappa_ci" in table else "CIs not implemented in calibration yet"
    return f"{ci}; rows for {len(dims)} dimension(s): {', '.join(dims)}"


CONFUSION_SQL = """
WITH g AS (
    SELECT transcript_id, dimension, arg_max(value, (created_at, id)) AS value
    FROM gold GROUP BY ALL
)
SELECT v.dimension, g.value AS reference, v.value AS grader, count(*) AS n
FROM grader_verdicts v JOIN g USING (transcript_id, dimension)
WHERE v.grader = ? GROUP BY ALL
"""


def duckdb_floor(ws: Workspace, grader: str) -> None:
    """The grader-versus-current-gold confusion counts, in one DuckDB query."""
    ws.store.con.execute(CONFUSION_SQL, [grader]).fetchall()


def run(ctx: Context) -> list[Figure]:
    db = gen_db.shared(ctx)
    size = f"{db.transcripts - 1:,} gold items × 3 dimensions, {db.labels:,} labels"
    figure = Figure(
        "graders report (calibration.report, one grader)",
        size,
        "s",
        Target.at_most(3, "s"),
        baseline_what="DuckDB: confusion counts vs current gold, one query",
    )
    tables: list[pd.DataFrame] = []
    ws = open_workspace(db.path)
    try:
        for _ in range(ctx.runs):
            figure.runs.append(seconds(lambda: tables.append(calibration.report(ws, db.grader))))
            figure.baseline_runs.append(seconds(lambda: duckdb_floor(ws, db.grader)))
    finally:
        ws.store.close()
    figure.note = describe(tables[-1])
    figure.details["rows"] = tables[-1].filter(items=SHOWN).to_dict("records")
    return gen_pg.paired(ctx, db, figure, lambda pg: calibration.report(pg, db.grader))
