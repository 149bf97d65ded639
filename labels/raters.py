"""The raters view: per rater, what they have done and how far they agree.

Per rater: items labeled, median seconds per item, skips, flags (`store.rater_work`,
`store.rater_marks`);
per dimension, their mean Cohen's kappa with each other rater on the items they share,
with a BCa 95% interval over items (the rule and method of `labels.agreement_ci`,
checked for this figure by `tests/test_coverage.py`); their agreement with gold, with
a Clopper–Pearson 95% interval; and the same by day.

Gold counts only where the rater's own label did not make it: gold set by an adjudicator
or an audit, and any gold that stood before the rater first labeled the item (gold checks:
what `labels.gold_checks` sends). A consensus the rater voted in is left out, since it
agrees with them by construction. A rater whose share agreeing with gold is below the
project's `gold_agreement_min` (data/schema.toml `[project]`, default 0.8) on at least
`MIN_GOLD` labels is flagged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labels import agreement_ci, intervals
from labels.agreement import FloatArray, IntArray
from labels.agreement_report import units
from labels.intervals import Interval
from labels.workspace import Workspace

MIN_SHARED = 30
"""Fewest items shared with other raters for which a rater's kappa gets an interval: with
fewer (at 5% prevalence, 30 items, 20% missing) the BCa interval covered 0.91 in the
simulation, even with 12 ratings outside the most common value."""
MIN_GOLD = 10
"""Fewest labels compared with gold before a rater can be flagged."""
MADE_ELSEWHERE = ("adjudicated", "audit")
"""Gold methods that do not count the rater's label as a vote."""


@dataclass(frozen=True)
class Kappa:
    """One rater's mean Cohen's kappa (unweighted) with the others on one dimension."""

    items: int
    """Items this rater and at least one other rated."""
    value: float
    ci: Interval
    note: str | None
    """Why there is no interval, when there is none."""


@dataclass(frozen=True)
class RaterFigures:
    """Everything the raters view says about one person."""

    rater: str
    name: str
    items: int
    median_seconds: float | None
    skipped: int
    flagged: int
    gold_checks: int
    """Gold checks given to them (`labels.gold_checks`), labeled or not."""
    gold_checks_waiting: int
    """Gold checks sent to them that the queue has not given them yet."""
    gold_compared: int
    gold_agree: int
    gold_ci: Interval
    below_threshold: bool
    kappa: dict[str, Kappa] = field(default_factory=dict)

    @property
    def gold_share(self) -> float:
        return self.gold_agree / self.gold_compared if self.gold_compared else math.nan

    def row(self) -> dict[str, object]:
        """A flat table row (κ per dimension as `kappa_<dim>`, `_low`, `_high`)."""
        out: dict[str, object] = {
            "rater": self.rater,
            "name": self.name,
            "items": self.items,
            "median_seconds": self.median_seconds,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "gold_compared": self.gold_compared,
            "gold_agreement": self.gold_share,
            "gold_low": self.gold_ci[0],
            "gold_high": self.gold_ci[1],
            "below_threshold": self.below_threshold,
        }
        for name, k in self.kappa.items():
            out[f"kappa_{name}"] = k.value
            out[f"kappa_{name}_low"], out[f"kappa_{name}_high"] = k.ci
        return out

    def to_json(self) -> dict[str, object]:
        """What `raters --json` prints for one person."""
        body = {k: v for k, v in self.row().items() if not k.startswith("kappa_")}
        body["gold_checks"] = self.gold_checks
        body["gold_checks_waiting"] = self.gold_checks_waiting
        body["kappa_with_others"] = {
            n: {"items": k.items, "kappa": k.value, "ci": k.ci, "ci_note": k.note}
            for n, k in self.kappa.items()
        }
        return body


@dataclass(frozen=True)
class RatersReport:
    threshold: float
    raters: list[RaterFigures]
    days: pd.DataFrame
    """Per rater and UTC day: items, median_seconds, gold_compared, gold_agree, gold_low,
    gold_high."""

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([r.row() for r in self.raters])

    def flagged(self) -> list[RaterFigures]:
        return [r for r in self.raters if r.below_threshold]

    def to_json(self) -> dict[str, object]:
        return {
            "gold_agreement_min": self.threshold,
            "min_gold_labels": MIN_GOLD,
            "raters": [r.to_json() for r in self.raters],
        }


# -- kappa with the others -------------------------------------------------------------


def with_others(codes: IntArray, column: int) -> IntArray:
    """`codes` with `column` first, on the items it and at least one other column rated, and
    only the other columns that rated one of them (a pair with no shared item adds nothing;
    with 30 raters this keeps a rater's handful of partners, not 29 empty columns)."""
    mine = codes[codes[:, column] >= 0]
    rated = (mine >= 0).any(axis=0)
    partners = [c for c in np.flatnonzero(rated).tolist() if c != column]
    moved = mine[:, [column, *partners]]
    kept: IntArray = moved[(moved[:, 1:] >= 0).any(axis=1)]
    return kept


def _design(p: agreement_ci.Patterns) -> FloatArray:
    """(patterns, others × k²): the cell each pattern adds to in the first column's table
    with each other column."""
    k, width = p.k, p.codes.shape[1]
    out = np.zeros((len(p.codes), max(width - 1, 0) * k * k))
    for m in range(1, width):
        both = (p.codes[:, 0] >= 0) & (p.codes[:, m] >= 0)
        cell = (m - 1) * k * k + np.where(both, p.codes[:, 0] * k + p.codes[:, m], 0)
        out[np.arange(len(cell)), cell] += both
    return out


def _kappas(sums: FloatArray, k: int) -> FloatArray:
    return agreement_ci.mean_kappa(sums.reshape(sums.shape[0], -1, k, k))


def point(p: agreement_ci.Patterns, weights: FloatArray) -> float:
    """The first column's mean kappa with the others, items weighted by `weights`."""
    value = float(_kappas(weights[None, :] @ _design(p), p.k)[0])
    return value if math.isfinite(value) else math.nan


def interval(p: agreement_ci.Patterns, n_resamples: int, rng: np.random.Generator) -> Interval:
    """BCa 95% interval of `point` over items (multinomial draws of the patterns)."""
    n = int(p.counts.sum())
    m = _design(p)
    counts = p.counts.astype(np.float64)
    boot = _kappas(rng.multinomial(n, counts / n, size=n_resamples).astype(np.float64) @ m, p.k)
    jack = _kappas((counts @ m)[None, :] - m, p.k)
    return intervals.bca(point(p, counts), boot, jack, counts)


def kappa_with_others(
    codes: IntArray, column: int, k: int, n_resamples: int = 1000, seed: int = 0
) -> Kappa:
    """One column's mean unweighted Cohen's kappa with every other, with its interval or
    the sentence saying why there is none (`agreement_ci.too_few` on the shared items, or
    fewer than `MIN_SHARED` of them)."""
    shared = with_others(codes, column)
    if len(shared) == 0:
        return Kappa(0, math.nan, intervals.NAN2, "no item shared with another rater")
    p = agreement_ci.patterns(shared, k)
    value = point(p, p.counts.astype(np.float64))
    note = agreement_ci.too_few(shared, k)
    if note is None and len(shared) < MIN_SHARED:
        note = (
            f"{len(shared)} items shared with other raters: too few for an interval "
            f"(needs {MIN_SHARED})"
        )
    ci = intervals.NAN2
    if note is None and math.isfinite(value):
        ci = interval(p, n_resamples, np.random.default_rng(seed))
    return Kappa(len(shared), value, ci, note)


# -- the report ----------------------------------------------------------------------------


def _share_ci(agree: int, compared: int) -> Interval:
    return intervals.clopper_pearson(agree, compared) if compared else intervals.NAN2


def report(ws: Workspace, kappas: dict[str, dict[str, Kappa]] | None = None) -> RatersReport:
    """Figures for every rater who has labeled anything, and every person with the rater
    role. `kappas`: from `kappas_by_rater` (the page keeps them while no label changes)."""
    threshold = ws.schema.project.gold_agreement_min
    work = ws.store.rater_work()
    overall: dict[str, dict[Any, Any]] = {
        str(r["rater"]): r for r in work[work["day"].isna()].to_dict("records")
    }
    gold = ws.store.beside_gold(MADE_ELSEWHERE)
    gold_by: dict[str, dict[Any, Any]] = {
        str(r["rater"]): r
        for r in gold.groupby("rater")[["compared", "agree"]].sum().reset_index().to_dict("records")
    }
    if kappas is None:
        kappas = kappas_by_rater(ws)
    out = []
    for row in ws.store.rater_marks().to_dict("records"):
        who = str(row["rater"])
        mine = overall.get(who, {"items": 0, "median_seconds": None})
        items = int(mine["items"])
        if not items and row["role"] != "rater":
            continue
        compared = int(gold_by.get(who, {}).get("compared", 0))
        agree = int(gold_by.get(who, {}).get("agree", 0))
        seconds = mine["median_seconds"]
        out.append(
            RaterFigures(
                rater=who,
                name=row["name"] if isinstance(row["name"], str) else who,
                items=items,
                median_seconds=None if seconds is None or pd.isna(seconds) else float(seconds),
                skipped=int(row["skipped"]),
                flagged=int(row["flagged"]),
                gold_checks=int(row["gold_checks"]),
                gold_checks_waiting=int(row["gold_checks_waiting"]),
                gold_compared=compared,
                gold_agree=agree,
                gold_ci=_share_ci(agree, compared),
                below_threshold=compared >= MIN_GOLD and agree / compared < threshold,
                kappa={d: per[who] for d, per in kappas.items() if who in per},
            )
        )
    return RatersReport(threshold, out, _days(work, gold))


def kappas_by_rater(ws: Workspace, n_resamples: int = 1000) -> dict[str, dict[str, Kappa]]:
    """Per dimension, each rater's `Kappa` with the others (by rater id)."""
    found: dict[str, dict[str, Kappa]] = {}
    for dim in ws.schema.dimensions:
        table, raters = units(ws.store.label_values(dim.name), dim)
        found[dim.name] = {
            r: kappa_with_others(table, i, len(dim.scale), n_resamples, seed=i)
            for i, r in enumerate(raters)
        }
    return found


def _days(work: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per rater and day: items, median seconds, labels compared with gold, agreeing, the
    share and its interval."""
    days = work[work["day"].notna()][["rater", "day", "items", "median_seconds"]]
    gold = gold.rename(columns={"compared": "gold_compared", "agree": "gold_agree"})
    days = days.merge(gold, on=["rater", "day"], how="outer")
    counts = ["items", "gold_compared", "gold_agree"]
    days[counts] = days[counts].fillna(0).astype(int)
    days["day"] = pd.to_datetime(days["day"]).dt.tz_localize(None)
    cis = [_share_ci(a, n) for a, n in zip(days["gold_agree"], days["gold_compared"], strict=True)]
    days["gold_agreement"] = np.where(
        days["gold_compared"] > 0, days["gold_agree"] / days["gold_compared"].clip(lower=1), np.nan
    )
    days["gold_low"] = [c[0] for c in cis]
    days["gold_high"] = [c[1] for c in cis]
    return days.reset_index(drop=True)


# -- for display ---------------------------------------------------------------------------


def _percent_with_ci(share: float, ci: Interval, n: int) -> str:
    if not n:
        return "no gold to compare with yet"
    return f"{share:.0%} [{ci[0]:.0%}, {ci[1]:.0%}] of {n}"


def _kappa_text(k: Kappa | None) -> str:
    if k is None or k.items == 0:
        return "no shared items"
    if math.isnan(k.value):
        return f"undefined ({k.items} items, one value only)"
    if math.isnan(k.ci[0]):
        return f"{k.value:.2f} ({k.items} items; no interval: {k.note})"
    return f"{k.value:.2f} [{k.ci[0]:.2f}, {k.ci[1]:.2f}] ({k.items} items)"


def summary(result: RatersReport) -> pd.DataFrame:
    """One row per rater as the page shows it: every cell filled, in words where a figure
    is missing."""
    rows = []
    for r in result.raters:
        row: dict[str, object] = {
            "rater": r.name if r.name == r.rater else f"{r.name} ({r.rater})",
            "items": r.items,
            "median s / item": "—" if r.median_seconds is None else f"{r.median_seconds:.0f}",
            "skipped": r.skipped,
            "flagged": r.flagged,
            "gold checks": f"{r.gold_checks}"
            + (f" (+{r.gold_checks_waiting} waiting)" if r.gold_checks_waiting else ""),
            "agreement with gold [95% CI]": _percent_with_ci(
                r.gold_share, r.gold_ci, r.gold_compared
            ),
            "check": f"below {result.threshold:.0%}" if r.below_threshold else "",
        }
        rows.append(row)
    return pd.DataFrame(rows)


def kappa_table(result: RatersReport, dimensions: list[str]) -> pd.DataFrame:
    """Per rater, their κ with the others on each dimension, in words where there is none."""
    return pd.DataFrame(
        [
            {"rater": r.name, **{d: _kappa_text(r.kappa.get(d)) for d in dimensions}}
            for r in result.raters
        ]
    )


def flag_sentence(r: RaterFigures, threshold: float) -> str:
    """Why a rater is flagged, in one sentence."""
    low, high = r.gold_ci
    return (
        f"{r.name} agrees with gold on {r.gold_share:.0%} of {r.gold_compared} labels "
        f"(95% CI {low:.0%}–{high:.0%}), below the project's {threshold:.0%}."
    )
