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
    base, width = k + 1, codes.shape[1]
    if width * math.log2(base) < 62:  # one integer per row: a 1-D unique is far faster
        keys = (codes + 1) @ (base ** np.arange(width, dtype=np.int64))
        first, counts = np.unique(keys, return_index=True, return_counts=True)[1:]
        unique = codes[first]
    else:
        unique, counts = np.unique(codes, axis=0, return_counts=True)
    return Patterns(unique.astype(np.int64), counts.astype(np.int64), k)


def _pair_tables(p: Patterns) -> FloatArray:
    """(patterns, rater pairs × k²): which cell of each rater pair's table a pattern adds to."""
    k, r = p.k, p.codes.shape[1]
    blocks = []
    for j, m in combinations(range(r), 2):
        both = (p.codes[:, j] >= 0) & (p.codes[:, m] >= 0)
        cell = np.where(both, p.codes[:, j] * k + p.codes[:, m], 0)
        onehot = np.zeros((len(cell), k * k))
        onehot[np.arange(len(cell)), cell] = both
        blocks.append(onehot)
    return np.hstack(blocks) if blocks else np.zeros((len(p.codes), 0))


def design(p: Patterns) -> FloatArray:
    """Per pattern, every sum the coefficients need, so that for item multiplicities w the
    sums are `w @ design(p)`: coincidences (k²), agreeing-pair share, pairable, rated,
    category shares (k), and each rater pair's table (k² per pair)."""
    c = agreement.category_counts(p.codes, p.k)
    m = c.sum(axis=1)
    pair = m >= 2
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=pair)
    coincide = np.einsum("pc,pk->pck", c, c) - np.einsum("pc,ck->pck", c, np.eye(p.k))
    agree = np.divide((c * (c - 1)).sum(axis=1), m * (m - 1), out=np.zeros_like(m), where=pair)
    share = np.divide(c, m[:, None], out=np.zeros_like(c), where=m[:, None] >= 1)
    return np.hstack(
        [
            (coincide * scale[:, None, None]).reshape(len(c), -1),
            np.column_stack([agree, pair, m >= 1]).astype(np.float64),
            share,
            _pair_tables(p),
        ]
    )


def _corrected(po: FloatArray, pe: FloatArray) -> FloatArray:
    ok = np.isfinite(po) & (pe < 1 - 1e-12)
    return np.where(ok, (po - pe) / np.where(ok, 1 - pe, 1.0), np.nan)


def mean_kappa(tables: FloatArray) -> FloatArray:
    """Mean over rater pairs of Cohen's kappa, (B, pairs, k, k) tables; pairs sharing < 2
    items or with a nan kappa left out."""
    kappas = np.where(tables.sum(axis=(-2, -1)) >= 2, agreement.kappa_of_tables(tables), np.nan)
    finite = np.isfinite(kappas)
    total = np.where(finite, kappas, 0.0).sum(axis=1)
    count = finite.sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def from_sums(
    sums: FloatArray, k: int, level: Level = "nominal", values: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Each coefficient from (B, columns of `design`) sums."""
    b, k2 = sums.shape[0], k * k
    agree, pairable, rated = sums[:, k2], sums[:, k2 + 1], sums[:, k2 + 2]
    po = np.divide(agree, pairable, out=np.full(b, np.nan), where=pairable > 0)
    pi = sums[:, k2 + 3 : k2 + 3 + k] / np.where(rated > 0, rated, 1.0)[:, None]
    ac1 = _corrected(po, (pi * (1 - pi)).sum(axis=1) / max(k - 1, 1))
    tables = sums[:, k2 + 3 + k :].reshape(b, -1, k, k)
    scale = np.arange(k, dtype=np.float64) if values is None else values
    return {
        "alpha": agreement._alpha_from(sums[:, :k2].reshape(b, k, k), level, scale),
        "fleiss_kappa": _corrected(po, (pi**2).sum(axis=1)),
        "gwet_ac1": ac1 if k >= 2 else np.full(b, np.nan),
        "mean_cohen_kappa": mean_kappa(tables) if tables.shape[1] else np.full(b, np.nan),
    }


def coefficients(
    p: Patterns, w: FloatArray, level: Level = "nominal", values: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Each coefficient for every row of `w` ((B, patterns) item multiplicities); `values`
    are the categories' numbers for interval and ratio alpha (default: their positions)."""
    return from_sums(w @ design(p), p.k, level, values)


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


def _jackknife(
    p: Patterns, m: FloatArray, level: Level, values: FloatArray | None
) -> dict[str, FloatArray]:
    """Each coefficient with one item of each pattern left out: the sums less that row."""
    full = p.counts.astype(np.float64) @ m
    return from_sums(full[None, :] - m, p.k, level, values)


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
    m = design(p)
    draws = rng.multinomial(n, p.counts / n, size=n_resamples).astype(np.float64)
    boot = from_sums(draws @ m, p.k, level, values)
    point = from_sums(p.counts[None, :].astype(np.float64) @ m, p.k, level, values)
    jack = _jackknife(p, m, level, values)
    weights = p.counts.astype(np.float64)
    return {
        name: intervals.bca(float(point[name][0]), boot[name], jack[name], weights)
        for name in WITH_INTERVALS
    }


def point_values(p: Patterns, level: Level = "nominal") -> dict[str, float]:
    """The coefficients of the patterns' items (equal to `labels.agreement`'s values)."""
    found = coefficients(p, p.counts[None, :].astype(np.float64), level)
    return {name: float(v[0]) if math.isfinite(v[0]) else math.nan for name, v in found.items()}
