"""Confidence intervals shared by the agreement, grader and audit figures.

Which method each figure uses was chosen by simulation (`tests/test_coverage.py`,
`docs/coverage.md`): a method is kept only where its 95% interval covered the known truth
at least 93% of the time on the project's grid of sizes.

* `clopper_pearson`: the exact binomial interval (beta quantiles). Its coverage is at
  least the nominal level for every n and p, so proportions (precision, recall) and
  F1 through the Jaccard index use it.
  The corrected rates (`labels.graders.ppi`) use it on an effective count and size.
* `wilson`: Wilson's score interval on a (possibly effective, non-integer) sample size;
  it never collapses at a rate of 0 or 1; the audit estimates use it.
* `bca`: the bias-corrected and accelerated bootstrap (Efron 1987). Agreement
  coefficients are biased low in small samples with rare positives; the percentile
  interval inherits that bias, BCa corrects it with z0 (the bootstrap median bias) and
  the jackknife acceleration.

scipy is already installed as scikit-learn's dependency; `scipy.special` gives the beta
quantiles exactly, which is why it is used here rather than a hand-written inversion.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Interval = tuple[float, float]
NAN2: Interval = (math.nan, math.nan)
_NORMAL = NormalDist()


def clopper_pearson(successes: float, trials: float, confidence: float = 0.95) -> Interval:
    """Exact binomial interval for successes / trials; (nan, nan) when trials <= 0.

    low = Beta(alpha/2; x, n - x + 1) quantile (0 when x == 0), high = Beta(1 - alpha/2;
    x + 1, n - x) quantile (1 when x == n). The beta quantiles take non-integer x and n, so
    an effective count (rate × effective sample size) gets the same exact form.
    """
    from scipy.special import betaincinv  # only here: agreement imports this module

    if trials <= 0:
        return NAN2
    tail = (1.0 - confidence) / 2
    x, n = successes, trials
    low = 0.0 if x <= 0 else float(betaincinv(x, n - x + 1, tail))
    high = 1.0 if x >= n else float(betaincinv(x + 1, n - x, 1.0 - tail))
    return low, high


def wilson(rate: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson's score interval for a rate seen on `n` (effective) items; (nan, nan) when
    n <= 0 or the rate is nan. At rate 0 the upper end is z²/(n + z²), not 0."""
    if n <= 0 or math.isnan(rate):
        return NAN2
    z = _NORMAL.inv_cdf(1 - (1 - confidence) / 2)
    z2 = z * z
    centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(max(rate * (1 - rate), 0.0) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if rate <= 0 else max(0.0, centre - half)  # exactly 0, not a rounding above it
    return low, 1.0 if rate >= 1 else min(1.0, centre + half)


def f1_from_jaccard(jaccard: float) -> float:
    """F1 = 2J / (1 + J): F1 is an increasing function of the Jaccard index J."""
    return 2 * jaccard / (1 + jaccard)


def f1_interval(tp: int, fp: int, fn: int, confidence: float = 0.95) -> Interval:
    """Interval for F1 = 2tp / (2tp + fp + fn).

    Given the m = tp + fp + fn items where either side says yes, tp is binomial with
    the Jaccard index J = tp / m as its success probability, so the exact interval for J,
    mapped through the increasing F1 = 2J / (1 + J), is an exact interval for F1.
    """
    low, high = clopper_pearson(tp, tp + fp + fn, confidence)
    if math.isnan(low):
        return NAN2
    return f1_from_jaccard(low), f1_from_jaccard(high)


def _acceleration(jackknife: FloatArray, weights: FloatArray) -> float:
    """Efron's a = sum d**3 / (6 (sum d**2)**1.5), d the jackknife deviations (weighted)."""
    mean = np.average(jackknife, weights=weights)
    d = mean - jackknife
    spread = float(np.sum(weights * d**2))
    if spread <= 0:
        return 0.0
    return float(np.sum(weights * d**3)) / (6.0 * spread * math.sqrt(spread))


def bca(
    estimate: float,
    boot: FloatArray,
    jackknife: FloatArray,
    weights: FloatArray,
    confidence: float = 0.95,
) -> Interval:
    """BCa interval from bootstrap statistics and (weighted) leave-one-out statistics.

    `jackknife[j]` is the statistic without one item of group j, `weights[j]` how many
    items share it (items with the same ratings give the same leave-one-out value).
    Non-finite bootstrap values are dropped; none left, or a nan estimate -> (nan, nan).
    """
    finite = boot[np.isfinite(boot)]
    ok = np.isfinite(jackknife)
    if finite.size == 0 or math.isnan(estimate) or not ok.any():
        return NAN2
    below = (np.count_nonzero(finite < estimate) + 0.5 * np.count_nonzero(finite == estimate)) / (
        finite.size
    )
    z0 = _NORMAL.inv_cdf(min(max(below, 0.5 / finite.size), 1 - 0.5 / finite.size))
    a = _acceleration(jackknife[ok], weights[ok])
    tail = (1.0 - confidence) / 2
    levels = []
    for z in (_NORMAL.inv_cdf(tail), _NORMAL.inv_cdf(1 - tail)):
        shifted = z0 + (z0 + z) / (1 - a * (z0 + z))
        levels.append(_NORMAL.cdf(shifted))
    low, high = np.quantile(finite, levels)
    return float(low), float(high)


def percentile(boot: FloatArray, confidence: float = 0.95) -> Interval:
    """Percentile interval of the finite bootstrap values; (nan, nan) when none."""
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        return NAN2
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high)
