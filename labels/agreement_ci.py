"""Intervals for the agreement coefficients, computed on rating patterns.

An item's ratings (one code per rater, -1 missing) form a *pattern*; a set of items is
fully described by how many items show each distinct pattern. Every coefficient here
(Krippendorff's alpha, Fleiss' kappa, Gwet's AC1, mean pairwise Cohen's kappa) is a
function of those multiplicities, so a bootstrap resample of items is one multinomial
draw of them and a jackknife leaves one item of a pattern out. `coefficients` evaluates
all four for a (B, patterns) matrix of multiplicities at once; the point values equal
`labels.agreement`'s (tested).

Intervals are BCa over items (`labels.intervals.bca`), shown only when the ratings hold
enough of the rarer values (`too_few`): below that no method covered at 95% in the
simulation (`docs/coverage.md`), so the product gives a sentence instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from labels import agreement, intervals
from labels.agreement import FloatArray, IntArray, Level

COEFFICIENTS = ("alpha", "fleiss_kappa", "gwet_ac1", "mean_cohen_kappa")
WITH_INTERVALS = ("alpha", "fleiss_kappa", "mean_cohen_kappa")
"""Gwet's AC1 gets none: at 5% prevalence and 30 items its BCa interval covered 0.89."""
MIN_MINORITY_RATINGS = 12
"""Fewest ratings outside the most common value for which an interval is shown."""


@dataclass(frozen=True)
class Patterns:
    """Distinct rating patterns of a set of items and what each contributes."""

    codes: IntArray
    """(p, raters) codes, -1 missing."""
    counts: IntArray
    """How many items show each pattern."""
    k: int
    """How many categories."""


def patterns(codes: IntArray, k: int) -> Patterns:
    """Group items (rows of `codes`) by identical ratings."""
    if codes.shape[0] == 0:
        return Patterns(np.zeros((0, codes.shape[1]), dtype=np.int64), np.zeros(0, np.int64), k)
    unique, counts = np.unique(codes, axis=0, return_counts=True)
    return Patterns(unique.astype(np.int64), counts.astype(np.int64), k)


def _kappa_rows(tables: FloatArray) -> FloatArray:
    """Unweighted Cohen's kappa of each (..., k, k) table (nan when 0/0)."""
    n = tables.sum(axis=(-2, -1))
    safe = np.where(n > 0, n, 1.0)
    po = np.trace(tables, axis1=-2, axis2=-1) / safe
    pe = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / safe**2
    ok = (n > 0) & (pe < 1 - 1e-12)
    return np.where(ok, (po - pe) / np.where(ok, 1 - pe, 1.0), np.nan)


def _cohen(p: Patterns, w: FloatArray) -> FloatArray:
    """Mean pairwise Cohen's kappa per row of multiplicities `w` (pairs sharing >= 2 items)."""
    k = p.k
    kappas, usable = [], []
    for j, m in combinations(range(p.codes.shape[1]), 2):
        both = (p.codes[:, j] >= 0) & (p.codes[:, m] >= 0)
        cell = np.where(both, p.codes[:, j] * k + p.codes[:, m], 0)
        onehot = np.zeros((len(cell), k * k))
        onehot[np.arange(len(cell)), cell] = both
        tables = (w @ onehot).reshape(-1, k, k)
        kappas.append(_kappa_rows(tables))
        usable.append(tables.sum(axis=(-2, -1)) >= 2)
    if not kappas:
        return np.full(w.shape[0], np.nan)
    values = np.where(np.array(usable), np.array(kappas), np.nan)
    finite = np.isfinite(values)
    total = np.where(finite, values, 0.0).sum(axis=0)
    count = finite.sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _fleiss_ac1(p: Patterns, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Fleiss' kappa and Gwet's AC1 per row of multiplicities (Gwet's missing-data forms)."""
    c = agreement.category_counts(p.codes, p.k)
    m = c.sum(axis=1)
    pair = m >= 2
    agree = np.divide((c * (c - 1)).sum(axis=1), m * (m - 1), out=np.zeros_like(m), where=pair)
    share = np.divide(c, m[:, None], out=np.zeros_like(c), where=m[:, None] >= 1)
    n_pair, n_rated = w @ pair.astype(float), w @ (m >= 1).astype(float)
    po = np.divide(w @ agree, n_pair, out=np.full(w.shape[0], np.nan), where=n_pair > 0)
    pi = (w @ share) / np.where(n_rated > 0, n_rated, 1.0)[:, None]
    pe_f = (pi**2).sum(axis=1)
    pe_g = (pi * (1 - pi)).sum(axis=1) / max(p.k - 1, 1)

    def corrected(pe: FloatArray) -> FloatArray:
        ok = np.isfinite(po) & (pe < 1 - 1e-12)
        return np.where(ok, (po - pe) / np.where(ok, 1 - pe, 1.0), np.nan)

    ac1 = corrected(pe_g) if p.k >= 2 else np.full(w.shape[0], np.nan)
    return corrected(pe_f), ac1


def coefficients(
    p: Patterns, w: FloatArray, level: Level = "nominal", values: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Each coefficient for every row of `w` ((B, patterns) item multiplicities); `values`
    are the categories' numbers for interval and ratio alpha (default: their positions)."""
    c = agreement.category_counts(p.codes, p.k)
    m = c.sum(axis=1)
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    pairs = np.einsum("pc,pk->pck", c, c) - np.einsum("pc,ck->pck", c, np.eye(p.k))
    contributions = (pairs * scale[:, None, None]).reshape(len(c), -1)
    values = np.arange(p.k, dtype=np.float64) if values is None else values
    coincidences = (w @ contributions).reshape(-1, p.k, p.k)
    fleiss, ac1 = _fleiss_ac1(p, w)
    return {
        "alpha": agreement._alpha_from(coincidences, level, values),
        "fleiss_kappa": fleiss,
        "gwet_ac1": ac1,
        "mean_cohen_kappa": _cohen(p, w),
    }


def minority_ratings(codes: IntArray, k: int) -> int:
    """Ratings outside the most common value: what every coefficient's information rests on."""
    rated = codes[codes >= 0]
    if rated.size == 0:
        return 0
    return int(rated.size - np.bincount(rated, minlength=k).max())


def too_few(codes: IntArray, k: int) -> str | None:
    """The sentence shown instead of an interval, or None when an interval is shown."""
    minority = minority_ratings(codes, k)
    if minority >= MIN_MINORITY_RATINGS:
        return None
    noun = "rating" if minority == 1 else "ratings"
    return (
        f"{minority} {noun} outside the most common value: too few for an interval "
        f"(needs {MIN_MINORITY_RATINGS})"
    )


def _jackknife(p: Patterns, level: Level, values: FloatArray | None) -> dict[str, FloatArray]:
    """Each coefficient with one item of each pattern left out."""
    w = np.tile(p.counts.astype(np.float64), (len(p.counts), 1)) - np.eye(len(p.counts))
    return coefficients(p, w, level, values)


def intervals_for(
    codes: IntArray,
    k: int,
    level: Level = "nominal",
    n_resamples: int = 1000,
    seed: int = 0,
    values: FloatArray | None = None,
) -> dict[str, intervals.Interval]:
    """BCa interval (resampling items) of each of `WITH_INTERVALS`; (nan, nan) when
    `too_few` or there are no items."""
    if too_few(codes, k) is not None or codes.shape[0] == 0:
        return dict.fromkeys(WITH_INTERVALS, intervals.NAN2)
    p = patterns(codes, k)
    return pattern_intervals(p, level, n_resamples, np.random.default_rng(seed), values)


def pattern_intervals(
    p: Patterns,
    level: Level,
    n_resamples: int,
    rng: np.random.Generator,
    values: FloatArray | None = None,
) -> dict[str, intervals.Interval]:
    """BCa 95% intervals from patterns (the simulation calls this directly)."""
    n = int(p.counts.sum())
    draws = rng.multinomial(n, p.counts / n, size=n_resamples).astype(np.float64)
    boot = coefficients(p, draws, level, values)
    point = coefficients(p, p.counts[None, :].astype(np.float64), level, values)
    jack = _jackknife(p, level, values)
    weights = p.counts.astype(np.float64)
    return {
        name: intervals.bca(float(point[name][0]), boot[name], jack[name], weights)
        for name in WITH_INTERVALS
    }


def point_values(p: Patterns, level: Level = "nominal") -> dict[str, float]:
    """The coefficients of the patterns' items (equal to `labels.agreement`'s values)."""
    found = coefficients(p, p.counts[None, :].astype(np.float64), level)
    return {name: float(v[0]) if math.isfinite(v[0]) else math.nan for name, v in found.items()}
