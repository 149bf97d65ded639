"""`python -m labels graders …` and `python -m labels audit …`: grader calibration on the
command line. Two Typer sub-apps that `labels.cli` registers with `app.add_typer`.

Self-contained (its own small `fail`/`workspace` helpers) so that `labels.cli` can import
it at the top without an import cycle.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated

import typer

from labels import jsonout
from labels.cli_common import DbOption, fail, out, workspace

if TYPE_CHECKING:  # each command imports what it uses (scikit-learn alone costs 1.6 s)
    import pandas as pd

    from labels.graders import calibration
    from labels.graders import map as grader_map
    from labels.intervals import Interval
    from labels.workspace import Workspace

graders_app = typer.Typer(help="Automated graders against the gold set.", no_args_is_help=True)
audit_app = typer.Typer(help="Spot-audits of a grader's verdicts.", no_args_is_help=True)


@graders_app.callback()
def _graders() -> None:
    """Automated graders against the gold set."""


@audit_app.callback()
def _audit() -> None:
    """Spot-audits of a grader's verdicts."""


def _load_map(ws: Workspace) -> grader_map.GraderMap:
    from labels.graders import map as grader_map

    try:
        return ws.grader_map
    except ValueError as exc:
        fail(f"{grader_map.path()}: {exc}")


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.{digits}f}"


def _ci(value: float, ci: Interval) -> str:
    low, high = ci
    if math.isnan(value):
        return "–"
    if math.isnan(low):
        return _num(value)
    return f"{_num(value)} [{_num(low)}, {_num(high)}]"


def _lines(row: calibration.PairSummary) -> list[str]:
    """One grader and dimension as a few short lines (narrow terminals stay readable)."""
    f = row.figures
    yn, scored, scale = f.binary, f.scored, f.scale
    compared = f"{yn.n} items compared on yes/no" if yn.n else "no yes/no comparison"
    lines = [
        f"{row.grader} · {row.dimension}: {compared}; reference {f.gold_items} gold,"
        f" {f.majority_items} raters' majority, {f.unreviewed} items without one"
    ]
    if yn.n:
        lines += [
            f"  confusion  tp {yn.tp}  fp {yn.fp}  fn {yn.fn}  tn {yn.tn}",
            f"  precision {_ci(yn.precision, yn.precision_ci)}"
            f"  recall {_ci(yn.recall, yn.recall_ci)}",
            f"  F1 {_ci(yn.f1, yn.f1_ci)}",
            f"  Cohen's κ {_ci(yn.kappa, yn.kappa_ci)}"
            f"   (humans among themselves: κ {_num(row.human_kappa)})",
            f"  Gwet's AC1 {_ci(yn.ac1, yn.ac1_ci)}",
            *([f"  no κ or AC1 interval: {yn.kappa_ci_note}"] if yn.kappa_ci_note else []),
            f"  says yes: grader {_num(yn.grader_positive_rate, 2)},"
            f" reference {_num(yn.reference_positive_rate, 2)}",
        ]
    if scored.present:
        lines.append(
            f"  scores: ROC-AUC {_num(scored.roc_auc)}  Brier {_num(scored.brier)}"
            f"  ECE {_num(scored.ece)}  best threshold {_num(scored.best_threshold_raw, 2)}"
            f" (max κ {_num(scored.best_threshold_kappa)})"
        )
    if scale.scale_n:
        lines.append(
            f"  full scale: {scale.scale_n} items, κ ({scale.scale_weights} weights)"
            f" {_ci(scale.scale_kappa, scale.scale_kappa_ci)},"
            f" exact {_num(scale.scale_exact)}"
            f"   (humans: κ {_num(row.human_scale_kappa)})"
        )
        if scale.scale_kappa_ci_note:
            lines.append(f"  no full-scale κ interval: {scale.scale_kappa_ci_note}")
    return lines


def print_table(table: pd.DataFrame) -> None:
    """The summary, one short block per grader and dimension."""
    from labels.graders import calibration

    for row in calibration.summary_rows(table):
        for line in _lines(row):
            out.print(line, markup=False, highlight=False)
        out.print()


def print_estimates(table: pd.DataFrame) -> None:
    """Population error rates from the latest audit of each grader."""
    if table.empty:
        return
    out.print("Audit estimates (latest draw of each grader, weighted to the whole population):")
    from labels.graders import audit

    for o in audit.outcome_rows(table):
        rates = "  ".join(
            f"{label} {_ci(rate.rate, (rate.low, rate.high))}"
            for label, rate in (
                ("error", o.error),
                ("false pos.", o.false_positive),
                ("false neg.", o.false_negative),
                ("prevalence", o.prevalence),
            )
        )
        out.print(
            f"{o.grader} · {o.dimension}: {o.resolved} of {o.sampled} audited;"
            f" {rates}; disagreement with today's reference {_num(o.reference_error)}",
            markup=False,
            highlight=False,
        )


@graders_app.command("report")
def report_cmd(
    db: DbOption = None,
    grader: Annotated[str | None, typer.Option("--grader", help="One grader.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    reference: Annotated[
        str, typer.Option("--reference", help="gold, or gold+majority (gold, else raters).")
    ] = "gold",
) -> None:
    """Each grader against gold (or gold, else the raters' majority), with 95% CIs."""
    import pandas as pd

    from labels.graders import audit, calibration

    if reference not in calibration.REFERENCES:
        fail(f"--reference is one of {', '.join(calibration.REFERENCES)}, not {reference!r}")
    with workspace(db) as ws:
        gmap = _load_map(ws)
        known = set(ws.store.graders()["grader"])
        if grader is not None and grader not in known:
            fail(f"unknown grader {grader!r}; known: {', '.join(sorted(known)) or 'none'}")
        table = calibration.report(ws, grader, gmap, reference=reference)
        estimates = pd.DataFrame() if as_json else audit.estimates(ws, grader, gmap)
    if as_json:
        typer.echo(json.dumps(calibration.to_json(table, ws.schema), indent=2, allow_nan=False))
        return
    if table.empty:
        out.print("No grader verdict answers a dimension of the schema yet.")
        return
    print_table(table)
    print_estimates(estimates)


@audit_app.command("sample")
def sample_cmd(
    grader: Annotated[str, typer.Option("--grader", help="The grader to audit.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many transcripts to draw.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    db: DbOption = None,
) -> None:
    """Draw a stratified sample (grader yes/no × condition, Neyman allocation) to audit."""
    from labels.graders import audit

    with workspace(db) as ws:
        gmap = _load_map(ws)
        try:
            d = audit.draw(ws, grader, n, seed, gmap)
        except ValueError as exc:
            fail(str(exc))
        added = audit.record(ws, d, "cli")
    by_status = d.items["status"].value_counts().to_dict()
    parts = ", ".join(f"{by_status.get(s, 0)} {s}" for s in audit.STATUSES)
    out.print(
        f"draw {d.id}: {len(d.items)} of {d.frame} transcripts ({parts}); "
        f"{added} new on the audit queue"
    )


@audit_app.command("estimate")
def estimate_cmd(
    db: DbOption = None,
    grader: Annotated[str | None, typer.Option("--grader", help="One grader.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Population error rates with 95% CIs from the latest audit draw of each grader."""
    from labels.graders import audit

    with workspace(db) as ws:
        gmap = _load_map(ws)
        table = audit.estimates(ws, grader, gmap)
    if as_json:
        rows = [{k: jsonout.finite(v) for k, v in r.items()} for r in table.to_dict("records")]
        typer.echo(json.dumps({"estimates": rows}, indent=2, default=str, allow_nan=False))
        return
    if table.empty:
        out.print("No audit drawn yet: `python -m labels audit sample --grader NAME --n N`.")
        return
    print_estimates(table)


@audit_app.command("resolve")
def resolve_cmd(db: DbOption = None) -> None:
    """Turn settled audit items (≥2 raters, strict majority, since queueing) into gold."""
    from labels.graders import audit

    with workspace(db) as ws:
        golds = audit.resolve(ws)
    out.print(f"{len(golds)} gold row(s) written with method audit")


def rates_cmd(
    db: DbOption = None,
    grader: Annotated[str | None, typer.Option("--grader", help="One grader.")] = None,
    dimension: Annotated[str | None, typer.Option("--dimension", help="One dimension.")] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Group by these, comma-separated: model, condition, scenario, goal_type…"
        ),
    ] = "model,condition",
    half_width: Annotated[
        float, typer.Option("--half-width", help="Target ± for 'more labels' (0.03 = 3 points).")
    ] = 0.03,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Corrected rates per group: the grader's raw rate, the rate with its errors taken out
    (prediction-powered inference) with a 95% CI, gold alone for contrast."""
    from labels.graders import rates

    fields = [b.strip() for b in by.split(",") if b.strip()]
    try:
        rates.check_by(fields)
    except ValueError as exc:
        fail(str(exc))
    if not 0 < half_width < 1:
        fail(f"--half-width is a share between 0 and 1 (0.03 for 3 points), not {half_width}")
    with workspace(db) as ws:
        gmap = _load_map(ws)
        known = set(ws.store.graders()["grader"])
        if grader is not None and grader not in known:
            fail(f"unknown grader {grader!r}; known: {', '.join(sorted(known)) or 'none'}")
        if dimension is not None and dimension not in ws.schema.names:
            fail(f"unknown dimension {dimension!r}; known: {', '.join(ws.schema.names)}")
        rows = rates.rates(ws, grader, dimension, fields, gmap, half_width)
    if as_json:
        typer.echo(json.dumps(rates.to_json(rows), indent=2, allow_nan=False))
        return
    if not rows:
        out.print("No grader gives a yes/no verdict on a dimension of the schema yet.")
        return
    for r in rows:
        c = r.corrected
        out.print(
            f"{r.grader} · {r.dimension} · {rates.group_label(r.group)}: {r.n} transcripts,"
            f" grader {_num(r.raw_rate, 2)}, corrected {_ci(c.rate, (c.low, c.high))}"
            f" ({r.reading()}), gold only {_ci(r.gold_rate, r.gold_ci)},"
            f" {r.n_human} human labels; {r.needs(half_width)}",
            markup=False,
            highlight=False,
        )


@audit_app.command("group")
def group_cmd(
    grader: Annotated[str, typer.Option("--grader", help="The grader to audit.")],
    where: Annotated[
        list[str], typer.Option("--where", help="FIELD=VALUE of the group (repeat the option).")
    ],
    n: Annotated[int, typer.Option("--n", min=1, help="How many transcripts to draw.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    db: DbOption = None,
) -> None:
    """Draw more human labels for one group of the rates table (its unreviewed transcripts,
    stratified as audits are, to raters blind)."""
    from labels.graders import rates

    group = {}
    for part in where:
        field, sep, value = part.partition("=")
        if not sep:
            fail(f"--where takes FIELD=VALUE, not {part!r}")
        group[field.strip()] = value.strip()
    with workspace(db) as ws:
        gmap = _load_map(ws)
        try:
            rates.check_by(list(group))
            d = rates.draw_for_group(ws, grader, group, n, seed, gmap)
        except ValueError as exc:
            fail(str(exc))
    out.print(f"draw {d.id}: {len(d.items)} of {d.frame} unreviewed transcripts to the audit queue")
