"""`python -m labels …`: the command line, a thin shell over the library.

Each command imports what it uses, inside its function: `--help` and `ingest` do not
pay for pandas, scipy or scikit-learn (`benchmarks/cli_startup.py` keeps it so).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labels.cli_common import DbOption, JsonOption, err, fail, out, workspace
from labels.cli_graders import audit_app, graders_app, rates_cmd

if TYPE_CHECKING:
    from rich.progress import Progress

    from labels import export
    from labels.models import IngestReport, RaterRole
    from labels.workspace import Workspace

if TYPE_CHECKING:
    from labels.intervals import Interval

app = typer.Typer(
    help="Goldset: label AI-agent transcripts, measure agreement, build gold sets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
raters_app = typer.Typer(
    help="Each rater's work and agreement (no subcommand), or manage raters and their roles.",
    invoke_without_command=True,
)
app.add_typer(raters_app, name="raters")
export_app = typer.Typer(
    help="Export gold, labels, or an Inspect log with gold.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
app.add_typer(graders_app, name="graders")
app.add_typer(audit_app, name="audit")
app.command("rates")(rates_cmd)
gold_app = typer.Typer(
    help="Make gold from labels by the project's consensus rule.", no_args_is_help=True
)
app.add_typer(gold_app, name="gold")

FORMATS = ("auto", "jsonl", "inspect", "agentic-misalignment", "petri")


def print_report(report: IngestReport, as_json: bool) -> None:
    """The ingest report as JSON or as a short human summary."""
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    out.print(
        f"{report.files} file(s): {report.added} added, {report.duplicates} already present, "
        f"{report.grader_verdicts} grader verdicts, {len(report.rejected)} rejected"
        + (f", {len(report.notes)} added with a note" if report.notes else "")
    )
    for r in report.notes[:50]:
        out.print(f"  note {r.file} ({r.where}): {r.reason}", markup=False, highlight=False)
    for r in report.rejected[:50]:
        out.print(f"  rejected {r.file} ({r.where}): {r.reason}", markup=False, highlight=False)
    if len(report.rejected) > 50:
        out.print(f"  … and {len(report.rejected) - 50} more (use --json for all)")


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read.")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="|".join(FORMATS))] = "auto",
    as_json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if any record is rejected.")
    ] = False,
) -> None:
    """Read transcripts (JSONL, Inspect logs, agentic-misalignment results, Petri)."""
    from labels import loader
    from labels.ingest.errors import UnusableInput

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or folder")
    with workspace(db) as ws, _progress() as progress:
        files = progress.add_task("files", total=None)
        records = progress.add_task("records", total=None)
        try:
            report = loader.ingest_paths(
                ws.store,
                paths,
                fmt,
                on_file=lambda p, i, n: progress.update(
                    files, completed=i, total=n, description=p.name
                ),
                on_record=lambda: progress.advance(records),
            )
        except UnusableInput as exc:
            fail(str(exc))
    print_report(report, as_json)
    unusable = [r for r in report.rejected if r.where == "file"]
    for r in unusable:
        err.print(f"error: {r.file}: {r.reason}", markup=False, highlight=False)
    if unusable:
        raise typer.Exit(2)
    if strict and report.rejected:
        raise typer.Exit(1)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}", markup=False),  # a file name, shown as it is
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command("demo")
def demo_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Build (or top up) the demo database from data/demo/."""
    from labels import demo
    from labels.workspace import db_path

    with workspace(db) as ws:
        report = demo.build(ws)
        counts = ws.store.counts()
    print_report(report, as_json)
    if not as_json:
        out.print(f"{db_path(db)}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@app.command("import-labels")
def import_labels_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or JSONL, one label per row.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import rater labels (transcript_id, rater, dimension, value, rationale, evidence…)."""
    from labels import loader

    if not file.is_file():
        fail(f"{file}: no such file")
    with workspace(db) as ws:
        report = loader.import_labels(ws.store, file, ws.schema, ws.schema_version)
    print_report(report, as_json)


@app.command("import-grader")
def import_grader_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or JSONL: transcript_id, dimension, value…")],
    name: Annotated[str, typer.Option("--name", help="The grader's name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import one automated grader's verdicts."""
    from labels import loader

    if not file.is_file():
        fail(f"{file}: no such file")
    with workspace(db) as ws:
        report = loader.import_grader(ws.store, file, name, ws.schema)
    print_report(report, as_json)


@app.command("stats")
def stats_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Row counts of the database."""
    with workspace(db) as ws:
        counts = ws.store.counts()
    if as_json:
        typer.echo(json.dumps(counts, indent=2))
        return
    for name, count in counts.items():
        out.print(f"{name:>16}  {count}")


@app.command("agreement")
def agreement_cmd(
    db: DbOption = None,
    dimension: Annotated[str | None, typer.Option("--dimension", help="One dimension.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Inter-rater agreement per dimension, with 95% CIs (or why there are none)."""
    from rich.table import Table

    from labels import agreement_report, jsonout

    with workspace(db) as ws:
        if dimension and dimension not in ws.schema.names:
            fail(f"unknown dimension {dimension!r}; choose {', '.join(ws.schema.names)}")
        result = agreement_report.report(ws, dimension)
    if as_json:
        typer.echo(jsonout.dumps(result.to_json()))
        return
    table = Table(
        "dimension",
        "items",
        "raters",
        "alpha [95% CI]",
        "% agree",
        "Fleiss κ [95% CI]",
        "AC1",
        "mean Cohen κ [95% CI]",
        "reading",
    )
    notes = []
    for name, f in result.dimensions.items():
        table.add_row(
            name,
            str(f.items),
            str(f.raters),
            _with_ci(f.alpha, f.alpha_ci),
            f"{f.percent_agreement:.3f}",
            _with_ci(f.fleiss_kappa, f.fleiss_kappa_ci),
            f"{f.gwet_ac1:.3f}",
            _with_ci(f.mean_cohen_kappa, f.mean_cohen_kappa_ci),
            f.reading,
        )
        if f.ci_note:
            notes.append(f"{name}: no interval. {f.ci_note}.")
    out.print(table)
    for note in notes:
        out.print(note, markup=False, highlight=False)


def _with_ci(value: float, ci: Interval) -> str:
    """ "0.712 [0.601, 0.804]", or the value alone when there is no interval."""
    low, high = ci
    if math.isnan(low):
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


ExportFormat = Annotated[str, typer.Option("--format", help="jsonl|csv|parquet")]
OutOption = Annotated[Path, typer.Option("--out", help="The file to write.")]
DimOption = Annotated[str | None, typer.Option("--dimension", help="One dimension only.")]


def _check_export(ws: Workspace, fmt: str, dimension: str | None) -> export.Format:
    if fmt not in ("jsonl", "csv", "parquet"):
        fail(f"unknown format {fmt!r}; choose jsonl, csv or parquet")
    if dimension and dimension not in ws.schema.names:
        fail(f"unknown dimension {dimension!r}; choose {', '.join(ws.schema.names)}")
    return fmt  # type: ignore[return-value]


@export_app.command("gold")
def export_gold_cmd(
    out_file: OutOption,
    fmt: ExportFormat = "jsonl",
    db: DbOption = None,
    dimension: DimOption = None,
) -> None:
    """The gold set (decided items only) and its data card, FILE.card.json."""
    from labels import export, gold

    with workspace(db) as ws:
        card = export.export_gold(ws, out_file, _check_export(ws, fmt, dimension), dimension)
    left = gold.Undecided(card.undecided_reasons)
    out.print(f"{card.rows} gold rows → {out_file} (+ .card.json); not exported: {left.sentence()}")


@export_app.command("labels")
def export_labels_cmd(
    out_file: OutOption,
    fmt: ExportFormat = "jsonl",
    db: DbOption = None,
    dimension: DimOption = None,
) -> None:
    """Every raw label row, revisions included."""
    from labels import export

    with workspace(db) as ws:
        n = export.export_labels(ws, out_file, _check_export(ws, fmt, dimension), dimension)
    out.print(f"{n} label rows → {out_file}")


@export_app.command("inspect")
def export_inspect_cmd(
    log: Annotated[Path, typer.Option("--log", help="An ingested Inspect log (.eval/.json).")],
    out_file: OutOption,
    db: DbOption = None,
) -> None:
    """A copy of an Inspect log with human gold added as `goldset/<dimension>` scores."""
    from labels import export

    if not log.is_file():
        fail(f"{log}: no such file")
    with workspace(db) as ws, _progress() as progress:
        task = progress.add_task("samples", total=None)
        try:
            added = export.inspect_with_gold(
                ws, log, out_file, lambda i, n: progress.update(task, completed=i, total=n)
            )
        except (ValueError, OSError) as exc:
            fail(str(exc))
    out.print(f"{added} gold scores added → {out_file}")


@gold_app.command("apply")
def gold_apply_cmd(db: DbOption = None) -> None:
    """Write gold for every item the consensus rule decides (ties go to adjudication)."""
    from labels import gold

    with workspace(db) as ws:
        written = gold.apply_consensus(ws)
        rule = gold.project_rule(ws).describe()
        left = gold.undecided(ws)
    out.print(f"{written} gold rows written ({rule}); still {left.sentence()}")


@app.command("gold-check")
def gold_check_cmd(
    per_rater: Annotated[int, typer.Option("--per-rater", help="Gold checks for each rater.")],
    rater: Annotated[
        list[str] | None, typer.Option("--rater", help="Only this rater (repeatable).")
    ] = None,
    consensus: Annotated[
        bool, typer.Option("--consensus", help="Also consensus gold, not only adjudicated/audit.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send items with gold, blind, to raters who never had them (default: every active rater)."""
    from labels import gold_checks

    with workspace(db) as ws:
        try:
            sent = gold_checks.send(ws, per_rater, rater, consensus)
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        body = {
            "sent": sent.total,
            "per_rater_asked": sent.asked,
            "methods": list(sent.methods),
            "raters": {r: {"sent": s, "available": a} for r, (s, a) in sent.per_rater.items()},
        }
        typer.echo(json.dumps(body, indent=2))
        return
    out.print(sent.sentence())


@app.command("backup")
def backup_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="A new, empty folder.")],
    db: DbOption = None,
) -> None:
    """A consistent copy of the database (Parquet + DDL). While the app runs, use its Admin page."""
    from labels.store import StoreError

    with workspace(db) as ws:
        try:
            counts = ws.store.backup(out_dir)
        except StoreError as exc:
            fail(str(exc))
    out.print(f"backed up to {out_dir}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@app.command("restore")
def restore_cmd(
    backup_dir: Annotated[Path, typer.Argument(metavar="DIR", help="A folder made by backup.")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="A new database file, or an empty PostgreSQL database (postgresql://…);"
            " default $GOLDSET_DB, else data/goldset.duckdb, which must not exist yet.",
        ),
    ] = None,
) -> None:
    """A new database from a backup, each table checked against the backup's manifest."""
    from labels.store import Store, StoreError
    from labels.workspace import db_path

    target = str(db_path(db))
    try:
        store = Store.restore(backup_dir, target)
    except StoreError as exc:
        fail(str(exc))
    counts = store.counts()
    store.close()
    out.print(
        f"restored {backup_dir} into {_shown(target)}, every table's rows and content hash "
        "checked against the backup: " + ", ".join(f"{v} {k}" for k, v in counts.items()),
        markup=False,
    )


def _shown(db: str) -> str:
    from labels.store.postgres import safe_url

    return safe_url(db)


@app.command("copy")
def copy_cmd(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="A DuckDB file or postgresql://…")
    ],
    target: Annotated[
        str,
        typer.Argument(metavar="TARGET", help="A new DuckDB file or an empty PostgreSQL database."),
    ],
) -> None:
    """Copy a whole database between a DuckDB file and PostgreSQL, checked table by table."""
    import time

    from labels.store import StoreError
    from labels.store.copy import copy_database

    def told(table: str, rows: int, seconds: float) -> None:
        err.print(f"copied {table}: {rows:,} rows in {seconds:.1f} s", markup=False)

    started = time.perf_counter()
    try:
        tables = copy_database(source, target, told)
    except StoreError as exc:
        fail(str(exc))
    rows = sum(t["rows"] for t in tables.values())
    out.print(
        f"copied {_shown(source)} to {_shown(target)}: {len(tables)} tables, {rows:,} rows, "
        f"each table's count and content hash checked ({time.perf_counter() - started:.1f} s)",
        markup=False,
    )


@raters_app.callback()
def raters_report_cmd(ctx: typer.Context, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Per rater: items, median seconds per item, skips, flags, agreement with gold."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table
    from rich.text import Text

    from labels import jsonout, raters

    with workspace(db) as ws:
        result = raters.report(ws)
        names = ws.schema.names
    if as_json:
        typer.echo(jsonout.dumps(result.to_json()))
        return
    for frame in (raters.summary(result), raters.kappa_table(result, names)):
        table = Table(*map(str, frame.columns))
        for row in frame.itertuples(index=False):
            table.add_row(*(Text(str(v)) for v in row))  # names as typed, never markup
        out.print(table)
    for person in result.flagged():
        out.print(raters.flag_sentence(person, result.threshold), markup=False, highlight=False)


@raters_app.command("add")
def raters_add(
    rater_id: Annotated[str, typer.Argument(metavar="NAME", help="Id, e.g. an email or a name.")],
    role: Annotated[str, typer.Option("--role", help="rater|adjudicator|admin")] = "rater",
    display: Annotated[str | None, typer.Option("--display-name")] = None,
    db: DbOption = None,
) -> None:
    """Add a rater, or change an existing rater's role."""
    from labels.models import Rater

    if role not in ("rater", "adjudicator", "admin"):
        fail(f"unknown role {role!r}; choose rater, adjudicator or admin")
    chosen: RaterRole = role  # type: ignore[assignment]
    with workspace(db) as ws:
        ws.store.upsert_rater(Rater(id=rater_id, name=display or rater_id, role=chosen))
    out.print(f"{rater_id} is now {role}")


@raters_app.command("list")
def raters_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List raters and roles."""
    from rich.table import Table

    with workspace(db) as ws:
        people = ws.store.raters()
    if as_json:
        typer.echo(json.dumps([p.model_dump() for p in people], indent=2))
        return
    table = Table("id", "name", "role", "active")
    for p in people:
        table.add_row(p.id, p.name, p.role, "yes" if p.active else "no")
    out.print(table)


def main() -> None:
    """Entry point that keeps tracebacks away from people."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
