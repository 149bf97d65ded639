"""Prediction-powered inference for a rate: the grader on every transcript, people on some.

`ppi_mean` is the PPI++ estimate of a mean (Angelopoulos, Duchi and Zrnic 2024, after
Angelopoulos et al., Science 2023): with human truth y and the grader's f on the n
labeled items and the grader's f on the N unlabeled ones,

    theta = lambda * mean_N(f) + mean_n(y - lambda * f)

whose variance is var_n(y - lambda f) / n + lambda² var_N(f) / N. The power-tuned lambda
minimises it: lambda = cov_n(y, f) / ((1 + n / N) var_{n+N}(f)), clipped to [0, 1]
(0 gives the humans' own mean, 1 plain PPI). Optional weights (normalised to mean 1 on
each side) give the weighted form. The interval is the normal one; `ppi_py` is the test
oracle (`tests/test_ppi.py`).

`stratified` combines strata (StratPPI, Fisch et al., NeurIPS 2024): each stratum h gets
its own PPI++ estimate and lambda; theta = sum W_h theta_h, var = sum W_h² var_h plus
the spread of the shares themselves, with W_h = N_h / N its share of the transcripts;
strata with fewer than two labels are pooled. Strata whose people label at different rates
(an audit's strata, drawn with probabilities n_h / N_h) are weighted back to the
population this way, which is the Hájek weighting 1 / pi of each audited item.

`corrected` is what the product shows: the (stratified) PPI++ point with an exact
(Clopper–Pearson) interval on its effective sample size n_eff = theta (1 - theta) / var,
at the effective count theta · n_eff. Two things keep it from collapsing where labels are
few or rates rare. The rectifier's variance counts a quarter pseudo-label of each truth
for each verdict the grader gives (as the audit estimates do): three labeled positives the
grader all caught no longer prove it never misses. And where every label agrees (all no,
or all yes), lambda is 0 and n_eff is the number of human labels: 0 of 200 grader
positives with 50 labels, all no, reads "at most 7.1%" (the exact bound for 0 of 50). In
simulation (sensitivity 0.85, specificity 0.95, 50-300 labels) its 95% intervals covered
at least 0.94 of the time; the figures are in docs/coverage.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from labels import intervals

FloatArray = npt.NDArray[np.float64]
MIN_PER_STRATUM = 2
"""A stratum with fewer human labels has no variance of its own: it is pooled."""


def _weights(size: int, w: npt.ArrayLike | None) -> FloatArray:
    if w is None:
        return np.ones(size)
    arr = np.asarray(w, dtype=np.float64)
    return np.asarray(arr * (size / arr.sum()), dtype=np.float64)


def tuned_lambda(
    y: FloatArray, f: FloatArray, fu: FloatArray, w: FloatArray, wu: FloatArray
) -> float:
    """PPI++'s lambda for a mean, clipped to [0, 1]; 0 when the grader's f never varies."""
    n, big_n = y.size, fu.size
    if n < 2 or big_n == 0 or np.ptp(y) == 0:  # constant truth: cov(y, f) is exactly 0
        return 0.0
    theta = float(np.mean(wu * fu) + np.mean(w * (y - f)))
    g, gh = w * (y - theta), w * (f - theta)
    cov = float(np.mean((g - g.mean()) * (gh - gh.mean())))
    var = float(np.var(np.r_[gh, wu * (fu - theta)], ddof=1))
    if var <= 0:
        return 0.0
    return float(np.clip(cov / ((1 + n / big_n) * var), 0.0, 1.0))


@dataclass(frozen=True)
class PPI:
    """A PPI++ estimate of a mean: point, standard error, lambda, normal interval."""

    point: float
    se: float
    lam: float
    low: float
    high: float


def ppi_mean(
    y: npt.ArrayLike,
    f: npt.ArrayLike,
    f_unlabeled: npt.ArrayLike,
    w: npt.ArrayLike | None = None,
    w_unlabeled: npt.ArrayLike | None = None,
    lam: float | None = None,
    confidence: float = 0.95,
) -> PPI:
    """PPI++ mean of y from n labeled (y, f) and N unlabeled f (lambda tuned when None)."""
    y_, f_ = np.asarray(y, dtype=np.float64), np.asarray(f, dtype=np.float64)
    fu = np.asarray(f_unlabeled, dtype=np.float64)
    wl, wu = _weights(y_.size, w), _weights(fu.size, w_unlabeled)
    if lam is None:
        lam = tuned_lambda(y_, f_, fu, wl, wu)
    imputed = float(np.mean(wu * lam * fu)) if fu.size else 0.0
    point = imputed + float(np.mean(wl * (y_ - lam * f_)))
    var = float(np.var(wl * (y_ - lam * f_))) / y_.size
    if fu.size:
        var += float(np.var(wu * lam * fu)) / fu.size
    se = math.sqrt(var)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    return PPI(point, se, float(lam), point - z * se, point + z * se)


@dataclass(frozen=True)
class Stratum:
    """One stratum: human truth and the grader's f on its labeled items, f on the rest."""

    y: FloatArray
    f: FloatArray
    f_unlabeled: FloatArray

    @property
    def size(self) -> int:
        return int(self.y.size + self.f_unlabeled.size)


def pooled(strata: Sequence[Stratum]) -> list[Stratum]:
    """Strata with fewer than `MIN_PER_STRATUM` labels merged into one (kept if it has
    enough; otherwise everything is one stratum)."""
    big = [s for s in strata if s.y.size >= MIN_PER_STRATUM]
    small = [s for s in strata if s.y.size < MIN_PER_STRATUM]
    if not small:
        return list(big)
    merged = Stratum(
        *(np.concatenate([getattr(s, k) for s in small]) for k in ("y", "f", "f_unlabeled"))
    )
    if merged.y.size >= MIN_PER_STRATUM and big:
        return [*big, merged]
    everything = [*big, merged]
    return [
        Stratum(
            *(
                np.concatenate([getattr(s, k) for s in everything])
                for k in ("y", "f", "f_unlabeled")
            )
        )
    ]


PSEUDO = 0.25
"""Weight of each pseudo-label (truth yes and no, per grader verdict) in the rectifier's
variance: the smallest of 0.25 and 0.5 whose intervals held in simulation."""


def smoothed_variance(s: Stratum) -> tuple[float, float]:
    """(PPI++ point, its variance with pseudo-labels in the rectifier term)."""
    est = ppi_mean(s.y, s.f, s.f_unlabeled)
    verdicts = np.unique(np.r_[s.f, s.f_unlabeled])
    truth = np.tile([1.0, 0.0], verdicts.size)
    values = np.r_[s.y - est.lam * s.f, truth - est.lam * np.repeat(verdicts, 2)]
    weights = np.r_[np.ones(s.y.size), np.full(truth.size, PSEUDO)]
    centre = np.average(values, weights=weights)
    var = float(np.average((values - centre) ** 2, weights=weights)) / s.y.size
    if s.f_unlabeled.size:
        var += est.lam**2 * float(np.var(s.f_unlabeled)) / s.f_unlabeled.size
    return est.point, var


def stratified(strata: Sequence[Stratum], smoothed: bool = True) -> tuple[float, float]:
    """(point, variance) of the rate: sum W_h theta_h, and sum W_h² var_h (var_h smoothed
    as in `smoothed_variance`, or PPI++'s own) plus, with more than one stratum, the
    spread the shares W_h themselves add ((sum W_h theta_h² - theta²) / N): the strata's
    sizes are one draw of the model's behaviour too, and the rate is the model's, not
    only these transcripts'."""
    total = sum(s.size for s in strata)
    shares = np.array([s.size / total for s in strata])
    points, variances = np.zeros(len(strata)), np.zeros(len(strata))
    for i, s in enumerate(strata):
        if smoothed:
            points[i], variances[i] = smoothed_variance(s)
        else:
            est = ppi_mean(s.y, s.f, s.f_unlabeled)
            points[i], variances[i] = est.point, est.se**2
    point = float(shares @ points)
    var = float(shares**2 @ variances)
    if len(strata) > 1:
        var += max(float(shares @ points**2) - point**2, 0.0) / total
    return point, var


@dataclass(frozen=True)
class Corrected:
    """A corrected rate: estimate (clipped to [0, 1]), 95% interval, its basis."""

    rate: float
    low: float
    high: float
    n_human: int
    n_eff: float
    """The number of human labels alone that would give the same precision."""


def corrected(strata: Sequence[Stratum], confidence: float = 0.95) -> Corrected:
    """The corrected rate of a group from its strata; nan when no human label exists."""
    n_human = sum(s.y.size for s in strata)
    if n_human == 0:
        return Corrected(math.nan, math.nan, math.nan, 0, 0.0)
    parts = pooled(strata)
    point, var = stratified(parts)
    rate = min(1.0, max(0.0, point))
    binomial = rate * (1 - rate)
    total = sum(s.size for s in parts)
    n_eff = min(float(total), binomial / var) if var > 0 and binomial > 0 else float(n_human)
    low, high = intervals.clopper_pearson(rate * n_eff, n_eff, confidence)
    return Corrected(rate, low, high, n_human, n_eff)


def labels_needed(est: Corrected, half_width: float) -> int | None:
    """How many more human labels should bring the interval to about ± `half_width`.

    The labels so far bought `n_eff / n_human` effective items each; the answer keeps that
    rate and finds the effective size whose interval at the current estimate is that
    narrow. None when there is no estimate yet. It may be more than the transcripts left
    unlabeled (the caller says so).
    """
    if math.isnan(est.rate) or half_width <= 0:
        return None
    per_label = max(est.n_eff / est.n_human, 1.0)
    target = _wilson_size(est.rate, half_width)
    return max(math.ceil(target / per_label) - est.n_human, 0)


def _wilson_size(rate: float, half_width: float) -> float:
    """The smallest n (to 1%) whose interval at `rate` is at most 2 × half_width wide."""
    low, high = 1.0, 1.0
    while _width(rate, high) > 2 * half_width:
        low, high = high, high * 2
    while high - low > max(0.01 * low, 0.5):
        mid = (low + high) / 2
        low, high = (mid, high) if _width(rate, mid) > 2 * half_width else (low, mid)
    return high


def _width(rate: float, n: float) -> float:
    low, high = intervals.clopper_pearson(rate * n, n)
    return high - low
