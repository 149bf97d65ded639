"""Grader-versus-reference metrics from confusion tables, vectorised over bootstrap resamples.

Two "raters" (the human reference and the grader) and one item each: everything these
metrics need is the k×k table of (reference, grader) counts, rows the reference, columns
the grader, categories in scale order (`no`, `yes` for the binary projection). A bootstrap
resample of items is a multinomial draw of the table with the observed cell shares, so
1,000 resamples of 100,000 items cost a few milliseconds.

Edge cases (no function raises on them): an empty table gives nan for every rate; kappa
is nan when chance disagreement is 0 (both sides always in one and the same category),
as in `agreement.cohen_kappa`; precision is nan when the grader never says yes, recall
when the reference never does (scikit-learn's `zero_division=nan`); F1 is nan when
precision or recall is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from labels import agreement, intervals

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Weights = Literal["linear", "quadratic"] | None


def table(reference: IntArray, grader: IntArray, k: int) -> IntArray:
    """k×k counts of (reference code, grader code); codes < 0 (missing) are left out."""
    both = (reference >= 0) & (grader >= 0)
    cells = reference[both] * k + grader[both]
    return np.bincount(cells, minlength=k * k).reshape(k, k).astype(np.int64)


def binary_table(tp: int, fp: int, fn: int, tn: int) -> IntArray:
    """The 2×2 table in (no, yes) order: [[tn, fp], [fn, tp]]."""
    return np.array([[tn, fp], [fn, tp]], dtype=np.int64)


kappa = agreement.kappa_of_tables
"""Cohen's kappa (weighted if asked) of each (..., k, k) table (`agreement.kappa_of_tables`)."""


def gwet_ac1(tables: npt.ArrayLike) -> FloatArray:
    """Gwet's AC1 for two raters, from each (..., k, k) table.

    pi_c = (row_c + col_c) / 2n; chance pe = sum pi_c (1 - pi_c) / (k - 1); AC1 =
    (po - pe) / (1 - pe). Same value as `agreement.gwet_ac1` on [[ref, grader], ...] with
    the k categories. nan for an empty table or fewer than two categories.
    """
    t = np.asarray(tables, dtype=np.float64)
    k = t.shape[-1]
    n = t.sum(axis=(-2, -1))
    safe_n = np.where(n > 0, n, 1.0)
    po = np.trace(t, axis1=-2, axis2=-1) / safe_n
    pi = (t.sum(axis=-1) + t.sum(axis=-2)) / (2 * safe_n[..., None])
    pe = (pi * (1 - pi)).sum(axis=-1) / max(k - 1, 1)
    out = (po - pe) / np.where(pe < 1, 1 - pe, 1.0)
    return np.asarray(np.where((n > 0) & (k >= 2), out, np.nan), dtype=np.float64)


def rates(t: IntArray) -> dict[str, float]:
    """Precision, recall, F1 (harmful = yes), accuracy and both positive rates of a 2×2 table."""
    (tn, fp), (fn, tp) = t.tolist()
    n = tn + fp + fn + tp

    def ratio(a: float, b: float) -> float:
        return a / b if b else math.nan

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = (
        math.nan
        if math.isnan(precision) or math.isnan(recall)
        else ratio(2 * precision * recall, precision + recall)
        if precision + recall
        else 0.0
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": ratio(tp + tn, n),
        "grader_positive_rate": ratio(tp + fp, n),
        "reference_positive_rate": ratio(tp + fn, n),
    }


def resample_tables(t: IntArray, n_resamples: int = 1000, seed: int = 0) -> IntArray:
    """`n_resamples` bootstrap copies of a table: items drawn with replacement, as counts."""
    n = int(t.sum())
    k = t.shape[-1]
    if n == 0:
        return np.zeros((0, k, k), dtype=np.int64)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, t.ravel() / n, size=n_resamples)
    return np.asarray(draws.reshape(n_resamples, k, k), dtype=np.int64)


def bootstrap_ci(
    t: IntArray,
    statistic: Callable[[IntArray], FloatArray],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a table statistic (items resampled with replacement).

    The same distribution as `agreement.bootstrap_ci` over [[ref, grader], ...] units, drawn
    as multinomial counts instead of item indices. No items -> (nan, nan).
    """
    draws = resample_tables(t, n_resamples, seed)
    if draws.shape[0] == 0:
        return math.nan, math.nan
    return intervals.percentile(statistic(draws), confidence)


# -- scored graders ---------------------------------------------------------------


def roc_auc(truth: BoolArray, score: FloatArray) -> float:
    """ROC-AUC of a score for the harmful class; nan when the reference has one class only."""
    if truth.size == 0 or truth.all() or not truth.any():
        return math.nan
    return float(roc_auc_score(truth, score))


def brier(truth: BoolArray, score: FloatArray) -> float:
    """Brier score: mean squared gap between the 0–1 score and the 0/1 reference."""
    if truth.size == 0:
        return math.nan
    return float(brier_score_loss(truth.astype(int), score, pos_label=1))


def reliability(truth: BoolArray, score: FloatArray, n_bins: int = 10) -> FloatArray:
    """Reliability diagram rows (mean score, observed yes share, items) per non-empty bin.

    Uniform bins over 0–1, as `sklearn.calibration.calibration_curve(strategy="uniform")`,
    whose values these are; the item count per bin is added for the chart and for ECE.
    """
    if truth.size == 0:
        return np.zeros((0, 3))
    observed, predicted = calibration_curve(truth.astype(int), score, n_bins=n_bins)
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], score)
    counts = np.bincount(bins, minlength=n_bins)
    counts = counts[counts > 0]
    return np.column_stack([predicted, observed, counts]).astype(np.float64)


def expected_calibration_error(rows: FloatArray) -> float:
    """ECE: the item-weighted mean gap between mean score and observed share over bins."""
    if rows.shape[0] == 0:
        return math.nan
    weights = rows[:, 2] / rows[:, 2].sum()
    return float(np.sum(weights * np.abs(rows[:, 0] - rows[:, 1])))


def best_threshold(truth: BoolArray, score: FloatArray) -> tuple[float, float]:
    """(threshold, kappa): the cut `score >= threshold` whose yes/no best matches the reference.

    Every distinct score is tried as a threshold in one sorted pass; the highest Cohen's
    kappa wins, ties going to the lowest threshold. nan, nan without both classes.
    """
    if truth.size == 0 or truth.all() or not truth.any():
        return math.nan, math.nan
    order = np.argsort(-score, kind="stable")
    s, y = score[order], truth[order]
    last = np.r_[s[1:] != s[:-1], True]  # the last position of each distinct score
    tp = np.cumsum(y)[last]
    fp = np.cumsum(~y)[last]
    pos = int(truth.sum())
    neg = truth.size - pos
    tables = np.stack(
        [np.stack([neg - fp, fp], -1), np.stack([pos - tp, tp], -1)], axis=-2
    )  # (thresholds, 2, 2): rows reference no/yes, columns grader no/yes
    kappas = kappa(tables)
    kappas = np.where(np.isnan(kappas), -np.inf, kappas)
    best = int(np.flatnonzero(kappas == kappas.max())[-1])
    return float(s[last][best]), float(kappas[best])


mean_pairwise_kappa = agreement.mean_pairwise_kappa
"""Raters' mean pairwise kappa from long-form ratings (`agreement.mean_pairwise_kappa`)."""


# -- intervals -------------------------------------------------------------------------

MIN_POSITIVES = 5
"""Fewest yes answers on each side (reference and grader) for a kappa or AC1 interval."""


def jackknife_tables(t: IntArray) -> tuple[IntArray, FloatArray]:
    """(each non-empty cell's table with one item of that cell left out, the cell counts)."""
    k = t.shape[-1]
    flat = t.ravel()
    cells = np.flatnonzero(flat > 0)
    tables = np.repeat(flat[None, :], len(cells), axis=0)
    tables[np.arange(len(cells)), cells] -= 1
    return tables.reshape(-1, k, k), flat[cells].astype(np.float64)


def too_few_positives(t: IntArray) -> str | None:
    """The sentence shown instead of a kappa/AC1 interval, or None when one is shown.

    Below `MIN_POSITIVES` yes answers from the reference or from the grader, no bootstrap
    interval covered at 95% in the simulation (docs/coverage.md).
    """
    positives = min(int(t[1, :].sum()), int(t[:, 1].sum()))
    if positives >= MIN_POSITIVES:
        return None
    who = "reference" if t[1, :].sum() <= t[:, 1].sum() else "grader"
    noun = "answer" if positives == 1 else "answers"
    return f"{positives} {who} yes {noun}: too few for an interval (needs {MIN_POSITIVES})"


def too_few_outside_mode(t: IntArray) -> str | None:
    """For a k×k table: the sentence shown instead of a kappa interval when the reference
    (rows) or the grader (columns) puts fewer than `MIN_POSITIVES` items outside its most
    common value; None when an interval is shown."""
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    outside = min(int(rows.sum() - rows.max()), int(cols.sum() - cols.max()))
    if outside >= MIN_POSITIVES:
        return None
    who = "reference" if rows.sum() - rows.max() <= cols.sum() - cols.max() else "grader"
    noun = "value" if outside == 1 else "values"
    return (
        f"{outside} {who} {noun} outside its most common one: too few for an interval "
        f"(needs {MIN_POSITIVES})"
    )


def bca_ci(
    t: IntArray,
    statistic: Callable[[IntArray], FloatArray],
    n_resamples: int = 1000,
    seed: int = 0,
    draws: IntArray | None = None,
) -> tuple[float, float]:
    """BCa bootstrap interval of a table statistic (items resampled with replacement)."""
    draws = resample_tables(t, n_resamples, seed) if draws is None else draws
    if draws.shape[0] == 0:
        return math.nan, math.nan
    jack, weights = jackknife_tables(t)
    estimate = float(statistic(t))
    return intervals.bca(estimate, statistic(draws), statistic(jack), weights)


def rate_intervals(t: IntArray) -> dict[str, tuple[float, float]]:
    """Exact intervals: Clopper-Pearson for precision and recall, F1 through Jaccard."""
    (_, fp), (fn, tp) = t.tolist()
    return {
        "precision_ci": intervals.clopper_pearson(tp, tp + fp),
        "recall_ci": intervals.clopper_pearson(tp, tp + fn),
        "f1_ci": intervals.f1_interval(tp, fp, fn),
    }
