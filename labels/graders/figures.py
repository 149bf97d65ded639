"""Figures with intervals from confusion tables: the 2×2 yes/no table of a grader against
the reference, and the k×k table on the full scale. `labels.graders.calibration` builds the
tables from the store; the maths on tables is `labels.graders.metrics`'.

Intervals (chosen by simulation, docs/coverage.md): exact Clopper–Pearson for precision and
recall, and for F1 through the Jaccard index; BCa bootstrap over items for kappa and AC1,
shown only when the table holds enough of the rarer answers (else a sentence says why).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from labels.graders import metrics as gm
from labels.intervals import NAN2, Interval

N_RESAMPLES = 1000
MIN_ITEMS_AC1 = 100
"""AC1's BCa interval covered 0.91 at 50 items with 5% positives; from 100 items, >= 0.94."""


class Figures:
    """A frozen dataclass of figures that becomes one table row (`row`)."""

    def row(self) -> dict[str, object]:
        """The figures by name, in field order (a frozen dataclass sets them in order)."""
        return dict(vars(self))


@dataclass(frozen=True)
class KappaAC1(Figures):
    """Kappa and AC1 of a 2×2 table with BCa 95% CIs, (nan, nan) and the note saying why
    when there are none."""

    kappa: float
    ac1: float
    kappa_ci: Interval
    ac1_ci: Interval
    kappa_ci_note: str | None


@dataclass(frozen=True)
class BinaryFigures(Figures):
    """A grader against the reference on yes/no: the 2×2 counts, P/R/F1 with exact 95%
    CIs, kappa and AC1 with BCa 95% CIs, both positive rates and their difference."""

    n: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    precision_ci: Interval
    recall_ci: Interval
    f1_ci: Interval
    kappa: float
    ac1: float
    kappa_ci: Interval
    ac1_ci: Interval
    kappa_ci_note: str | None
    grader_positive_rate: float
    reference_positive_rate: float
    leniency: float
    """grader_positive_rate - reference_positive_rate."""


@dataclass(frozen=True)
class ScaleFigures(Figures):
    """A grader against the reference on the full scale (k×k table)."""

    scale_n: int
    scale_weights: str
    """`linear` or `none`."""
    scale_kappa: float
    scale_kappa_ci: Interval
    scale_kappa_ci_note: str | None
    scale_exact: float


def binary_figures(t: gm.IntArray, n_resamples: int = N_RESAMPLES, seed: int = 0) -> BinaryFigures:
    """Counts, P/R/F1 with exact 95% CIs, positive rates, kappa and AC1 with BCa 95% CIs
    from a 2×2 table (both bootstrap CIs from the same 1,000 resamples of items).

    Kappa and AC1 get no interval (nan, with `kappa_ci_note` saying why) when either side
    says yes fewer than `grader_metrics.MIN_POSITIVES` times, and AC1 none below
    `MIN_ITEMS_AC1` items.
    """
    (tn, fp), (fn, tp) = t.tolist()
    rates = gm.rates(t)
    cis = gm.rate_intervals(t)
    k = agreement_intervals(t, n_resamples, seed)
    return BinaryFigures(
        n=int(t.sum()),
        tp=int(tp),
        fp=int(fp),
        fn=int(fn),
        tn=int(tn),
        precision=rates["precision"],
        recall=rates["recall"],
        f1=rates["f1"],
        precision_ci=cis["precision_ci"],
        recall_ci=cis["recall_ci"],
        f1_ci=cis["f1_ci"],
        kappa=k.kappa,
        ac1=k.ac1,
        kappa_ci=k.kappa_ci,
        ac1_ci=k.ac1_ci,
        kappa_ci_note=k.kappa_ci_note,
        grader_positive_rate=rates["grader_positive_rate"],
        reference_positive_rate=rates["reference_positive_rate"],
        leniency=rates["grader_positive_rate"] - rates["reference_positive_rate"],
    )


def agreement_intervals(t: gm.IntArray, n_resamples: int = N_RESAMPLES, seed: int = 0) -> KappaAC1:
    """kappa, AC1, their CIs and the note saying why there is none (None when there is)."""
    note = gm.too_few_positives(t)
    kappa, ac1 = float(gm.kappa(t)), float(gm.gwet_ac1(t))
    if note is not None or not t.sum():
        return KappaAC1(kappa, ac1, NAN2, NAN2, note)
    draws = gm.resample_tables(t, n_resamples, seed)
    kappa_ci = gm.bca_ci(t, gm.kappa, draws=draws)
    ac1_ci = gm.bca_ci(t, gm.gwet_ac1, draws=draws) if t.sum() >= MIN_ITEMS_AC1 else NAN2
    return KappaAC1(kappa, ac1, kappa_ci, ac1_ci, note)


def scale_table_figures(
    t: gm.IntArray, weights: gm.Weights, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> ScaleFigures:
    """The full-scale figures of a k×k table; no kappa interval (and `scale_kappa_ci_note`
    saying why) when either side puts fewer than `grader_metrics.MIN_POSITIVES` items
    outside its most common value."""
    n = int(t.sum())
    note = gm.too_few_outside_mode(t) if n else None
    ci = NAN2
    if n and note is None:
        ci = gm.bca_ci(t, lambda d: gm.kappa(d, weights), n_resamples, seed)
    return ScaleFigures(
        scale_n=n,
        scale_weights=weights or "none",
        scale_kappa=float(gm.kappa(t, weights)) if n else math.nan,
        scale_kappa_ci=ci,
        scale_kappa_ci_note=note,
        scale_exact=float(np.trace(t) / n) if n else math.nan,
    )
