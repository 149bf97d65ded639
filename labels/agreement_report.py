"""The agreement report: labels from the store in, coefficients per dimension out.

Ratings of a dimension's not-applicable values (e.g. `na`) are set aside as
missing, because no ordinal or interval distance places them on the scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from labels import agreement, agreement_ci
from labels.agreement import IntArray
from labels.intervals import NAN2, Interval
from labels.schema import Dimension, Level
from labels.workspace import Workspace

NO_PAIRS = "no item has two ratings"


def units(labels: pd.DataFrame, dim: Dimension) -> tuple[IntArray, list[str]]:
    """(items × raters codes of `dim.scale`, -1 where missing; rater ids) for one dimension.

    `labels` has transcript_id, rater and value (and dimension, when it holds several),
    oldest first: the last row per transcript and rater is the current one. Encoded once
    here, so every coefficient works on integers. Items and raters come in sorted order.
    """
    rows = labels[labels["dimension"] == dim.name] if "dimension" in labels else labels
    rows = rows[~rows["value"].isin(dim.na_values)]
    if rows.empty:
        return np.empty((0, 0), dtype=np.int64), []
    latest = rows.drop_duplicates(["transcript_id", "rater"], keep="last")
    codes = pd.Categorical(latest["value"], categories=dim.scale).codes.astype(np.int64)
    if (codes < 0).any():
        stray = latest["value"].to_numpy()[codes < 0][0]
        raise ValueError(f"rating {stray!r} is not one of the values of {dim.name}")
    items, _ = pd.factorize(latest["transcript_id"], sort=True)
    columns, raters = pd.factorize(latest["rater"], sort=True)
    table = np.full((int(items.max()) + 1, len(raters)), -1, dtype=np.int64)
    table[items, columns] = codes
    return table, [str(r) for r in raters]


def pairable(table: IntArray) -> IntArray:
    """The items with two or more ratings (the only ones agreement can use)."""
    kept: IntArray = table[(table >= 0).sum(axis=1) >= 2]
    return kept


@dataclass(frozen=True)
class DimensionAgreement:
    """Every coefficient for one dimension, with BCa 95% CIs on alpha, Fleiss' kappa and
    mean Cohen's kappa ((nan, nan) with `ci_note` saying why there are none)."""

    name: str
    items: int
    """Items with two or more ratings (the only ones agreement uses)."""
    raters: int
    level: Level
    alpha: float
    alpha_ci: Interval
    percent_agreement: float
    fleiss_kappa: float
    fleiss_kappa_ci: Interval
    gwet_ac1: float
    mean_cohen_kappa: float
    mean_cohen_kappa_ci: Interval
    ci_note: str | None
    reading: str

    def flat(self) -> dict[str, object]:
        """A table row: the figures with each `<name>_ci` as `<name>_low` and `<name>_high`."""
        out: dict[str, object] = {"dimension": self.name}
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            if f.name.endswith("_ci"):
                out[f"{f.name[:-3]}_low"], out[f"{f.name[:-3]}_high"] = value
            else:
                out[f.name] = value
        return out

    def to_json(self) -> dict[str, object]:
        """What `agreement --json` prints for the dimension (no level, no reading)."""
        return {k: getattr(self, k) for k in JSON_KEYS}

    def card(self) -> dict[str, object]:
        """What a gold export's data card says about the dimension."""
        return {k: getattr(self, k) for k in CARD_KEYS}


JSON_KEYS = (
    *("items", "raters", "alpha", "alpha_ci", "percent_agreement", "fleiss_kappa"),
    *("fleiss_kappa_ci", "gwet_ac1", "mean_cohen_kappa", "mean_cohen_kappa_ci", "ci_note"),
)
CARD_KEYS = ("items", "raters", "alpha", "alpha_ci", "ci_note", "percent_agreement", "gwet_ac1")


@dataclass(frozen=True)
class AgreementReport:
    """The agreement of each dimension (schema order), by name."""

    dimensions: dict[str, DimensionAgreement]

    def to_json(self) -> dict[str, object]:
        """`{"dimensions": {name: figures}}`, as `agreement --json` prints it."""
        return {"dimensions": {n: d.to_json() for n, d in self.dimensions.items()}}

    def any_pairs(self) -> bool:
        """Whether some dimension has an item with two ratings."""
        return any(d.items for d in self.dimensions.values())

    def table(self) -> pd.DataFrame:
        """One `DimensionAgreement.flat` row per dimension."""
        return pd.DataFrame([d.flat() for d in self.dimensions.values()])


def dimension_figures(
    table: IntArray, dim: Dimension, n_resamples: int = 1000, seed: int = 0
) -> DimensionAgreement:
    """Every coefficient for one dimension from its items × raters codes (`units`), with
    BCa 95% CIs or `ci_note` saying why there are none (`agreement_ci.too_few`)."""
    cats = dim.scale
    pairs = pairable(table)
    values = None
    if dim.level in ("interval", "ratio"):
        values = np.array([float(c) for c in cats], dtype=np.float64)
    found = agreement_ci.patterns(pairs, len(cats))
    point = agreement_ci.point_values(found, dim.level, values)
    note = agreement_ci.too_few(pairs, len(cats)) if len(pairs) else NO_PAIRS
    cis = dict.fromkeys(agreement_ci.WITH_INTERVALS, NAN2)
    if note is None:
        rng = np.random.default_rng(seed)
        cis = agreement_ci.pattern_intervals(found, dim.level, n_resamples, rng, values)
    alpha = point["alpha"]
    return DimensionAgreement(
        name=dim.name,
        items=len(pairs),
        raters=int(table.shape[1]),
        level=dim.level,
        alpha=alpha,
        alpha_ci=cis["alpha"],
        percent_agreement=agreement.percent_agreement(pairs),
        fleiss_kappa=point["fleiss_kappa"],
        fleiss_kappa_ci=cis["fleiss_kappa"],
        gwet_ac1=point["gwet_ac1"],
        mean_cohen_kappa=point["mean_cohen_kappa"],
        mean_cohen_kappa_ci=cis["mean_cohen_kappa"],
        ci_note=note,
        reading=agreement.interpret_alpha(alpha),
    )


def report(ws: Workspace, dimension: str | None = None, n_resamples: int = 1000) -> AgreementReport:
    """The agreement of every dimension (or one) over each rater's current labels."""
    out: dict[str, DimensionAgreement] = {}
    for dim in ws.schema.dimensions:
        if dimension and dim.name != dimension:
            continue
        table, _ = units(ws.store.label_values(dim.name), dim)
        out[dim.name] = dimension_figures(table, dim, n_resamples)
    return AgreementReport(out)


OVER_TIME_CI_ITEMS = 5000
"""Above this many items a day's alpha is shown without its interval (1,000 BCa resamples
per day would take minutes; the latest figure's interval is in the report)."""


def over_time(ws: Workspace, dim: Dimension, freq: str = "D") -> pd.DataFrame:
    """Alpha on all labels made up to the end of each period (day by default), with its
    BCa 95% interval (`alpha_low`, `alpha_high`: NaN under the too-few rule, or above
    `OVER_TIME_CI_ITEMS` items).

    Each rater's latest label as of the period's end counts, so revisions show up on the
    day they were made (a revision to a not-applicable value takes the rating out). The
    history is encoded once and the items × raters table is brought forward one period
    at a time, so a month of a million labels is one pass, not one per day.
    """
    history = ws.store.label_rows(dim.name)
    if history.empty:
        return pd.DataFrame(columns=["period", "items", "alpha", "alpha_low", "alpha_high"])
    codes = pd.Categorical(history["value"], categories=dim.scale).codes.astype(np.int64)
    stray = (codes < 0) & ~history["value"].isin(dim.na_values).to_numpy()
    if stray.any():
        value = history["value"].to_numpy()[stray][0]
        raise ValueError(f"rating {value!r} is not one of the values of {dim.name}")
    items, _ = pd.factorize(history["transcript_id"])
    columns, raters = pd.factorize(history["rater"])
    cell = items.astype(np.int64) * len(raters) + columns
    periods = history["created_at"].dt.tz_convert("UTC").dt.floor(freq)
    ends = np.flatnonzero(periods.ne(periods.shift(-1)).to_numpy()) + 1  # rows in time order
    table = np.full(int(items.max() + 1) * len(raters), -1, dtype=np.int64)
    rows, start = [], 0
    for end in ends.tolist():
        # the period's rows in time order: the last one per cell stands
        part, value = cell[start:end][::-1], codes[start:end][::-1]
        last = np.unique(part, return_index=True)[1]
        table[part[last]] = value[last]
        start = end
        grid = table.reshape(-1, len(raters))
        pairs = pairable(grid)
        if 0 < len(pairs) <= OVER_TIME_CI_ITEMS:
            figures = dimension_figures(pairs, dim)
            alpha, (low, high) = figures.alpha, figures.alpha_ci
        else:
            alpha = agreement.krippendorff_alpha(pairs, level=dim.level, categories=dim.scale)
            low = high = math.nan
        rows.append(
            {
                "period": periods.iloc[end - 1],
                "items": len(pairs),
                "alpha": alpha,
                "alpha_low": low,
                "alpha_high": high,
            }
        )
    return pd.DataFrame(rows)
