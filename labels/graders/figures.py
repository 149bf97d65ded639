"""Figures with intervals from confusion tables: the 2×2 yes/no table of a grader against
the reference, and the k×k table on the full scale. `labels.graders.calibration` builds the
tables from the store; the maths on tables is `labels.graders.metrics`'.

Intervals (chosen by simulation, docs/coverage.md): exact Clopper–Pearson for precision and
recall, and for F1 through the Jaccard index; BCa bootstrap over items for kappa and AC1,
shown only when the table holds enough of the rarer answers (else a sentence says why).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from labels.graders import metrics as gm

N_RESAMPLES = 1000
MIN_ITEMS_AC1 = 100
"""AC1's BCa interval covered 0.91 at 50 items with 5% positives; from 100 items, >= 0.94."""


def binary_figures(t: gm.IntArray, n_resamples: int = N_RESAMPLES, seed: int = 0) -> dict[str, Any]:
    """Counts, P/R/F1 with exact 95% CIs, positive rates, kappa and AC1 with BCa 95% CIs
    from a 2×2 table (both bootstrap CIs from the same 1,000 resamples of items).

    Kappa and AC1 get no interval (nan, with `kappa_ci_note` saying why) when either side
    says yes fewer than `grader_metrics.MIN_POSITIVES` times, and AC1 none below
    `MIN_ITEMS_AC1` items.
    """
    (tn, fp), (fn, tp) = t.tolist()
    rates = gm.rates(t)
    return {
        "n": int(t.sum()),
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
        **{k: rates[k] for k in ("precision", "recall", "f1")},
        **{k: list(v) for k, v in gm.rate_intervals(t).items()},
        **agreement_intervals(t, n_resamples, seed),
        "grader_positive_rate": rates["grader_positive_rate"],
        "reference_positive_rate": rates["reference_positive_rate"],
        "leniency": rates["grader_positive_rate"] - rates["reference_positive_rate"],
    }


def agreement_intervals(
    t: gm.IntArray, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Any]:
    """kappa, AC1, their CIs and the note saying why there is none (None when there is)."""
    nan2 = [math.nan, math.nan]
    note = gm.too_few_positives(t)
    out: dict[str, Any] = {"kappa": float(gm.kappa(t)), "ac1": float(gm.gwet_ac1(t))}
    out |= {"kappa_ci": nan2, "ac1_ci": nan2, "kappa_ci_note": note}
    if note is not None or not t.sum():
        return out
    draws = gm.resample_tables(t, n_resamples, seed)
    out["kappa_ci"] = list(gm.bca_ci(t, gm.kappa, draws=draws))
    if t.sum() >= MIN_ITEMS_AC1:
        out["ac1_ci"] = list(gm.bca_ci(t, gm.gwet_ac1, draws=draws))
    return out


def scale_table_figures(
    t: gm.IntArray, weights: gm.Weights, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict[str, Any]:
    """The full-scale figures of a k×k table; no kappa interval (and `scale_kappa_ci_note`
    saying why) when either side puts fewer than `grader_metrics.MIN_POSITIVES` items
    outside its most common value."""
    n = int(t.sum())
    note = gm.too_few_outside_mode(t) if n else None
    ci = (math.nan, math.nan)
    if n and note is None:
        ci = gm.bca_ci(t, lambda d: gm.kappa(d, weights), n_resamples, seed)
    return {
        "scale_n": n,
        "scale_weights": weights or "none",
        "scale_kappa": float(gm.kappa(t, weights)) if n else math.nan,
        "scale_kappa_ci": list(ci),
        "scale_kappa_ci_note": note,
        "scale_exact": float(np.trace(t) / n) if n else math.nan,
    }
