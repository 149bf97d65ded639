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
    per = max(1, int(62 // math.log2(base)))  # columns packed into one int64 key
    keys = np.column_stack(
        [
            (codes[:, lo : lo + per] + 1)
            @ (base ** np.arange(min(per, width - lo), dtype=np.int64))
            for lo in range(0, width, per)
        ]
    )
    if keys.shape[1] == 1:  # a 1-D unique
        first, counts = np.unique(keys[:, 0], return_index=True, return_counts=True)[1:]
    else:  # sort the key tuples, a pattern starts where any key changes
        order = np.lexsort(keys.T[::-1])
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
        first, counts = order[starts], np.diff(np.r_[starts, len(order)])
    unique = codes[first]
    return Patterns(unique.astype(np.int64), counts.astype(np.int64), k)


CHUNK_CELLS = 4_000_000
"""Most sums computed at once (rows × columns), so memory stays flat however many
resamples, patterns or rater pairs there are."""


@dataclass(frozen=True)
class Design:
    """Per pattern, every sum the coefficients need, so that for item multiplicities w the
    sums are `w @ [dense | pairs]`: coincidences (k²), agreeing-pair share, pairable,
    rated, category shares (k) densely; then each co-rating rater pair's k×k table, which
    is sparse (a pattern adds one item to the tables of the pairs that rated it both), so
    it is kept as the (pattern, column) positions of its ones. Only pairs that share an
    item in the data get columns: with 30 raters and 3 per item that is 90 of 435."""

    dense: FloatArray
    pattern: IntArray
    """Row of each one in the pair columns."""
    column: IntArray
    """Its column, counted after the dense ones."""
    columns: int
    """How many columns in all."""

    def sums(self, w: FloatArray) -> FloatArray:
        """(B, columns) sums for (B, patterns) multiplicities."""
        b, width = w.shape[0], self.dense.shape[1]
        out = np.zeros((b, self.columns))
        out[:, :width] = w @ self.dense
        pair_cols = self.columns - width
        if pair_cols and self.pattern.size:
            step = max(1, CHUNK_CELLS // max(self.pattern.size, pair_cols))
            for lo in range(0, b, step):
                part = w[lo : lo + step]
                rows = np.arange(part.shape[0])[:, None] * pair_cols + (self.column - width)
                flat = np.bincount(
                    rows.ravel(),
                    weights=part[:, self.pattern].ravel(),
                    minlength=part.shape[0] * pair_cols,
                )
                out[lo : lo + step, width:] = flat.reshape(part.shape[0], pair_cols)
        return out

    def rows(self, lo: int, hi: int) -> FloatArray:
        """The design's rows lo..hi, densely."""
        out = np.zeros((hi - lo, self.columns))
        out[:, : self.dense.shape[1]] = self.dense[lo:hi]
        keep = (self.pattern >= lo) & (self.pattern < hi)
        out[self.pattern[keep] - lo, self.column[keep]] = 1.0
        return out


def _pair_cells(p: Patterns, offset: int) -> tuple[IntArray, IntArray, int]:
    """(pattern, column, how many pair columns) of the pair tables' ones."""
    k, r = p.k, p.codes.shape[1]
    rows, cols = [], []
    block = 0
    for j, m in combinations(range(r), 2):
        both = np.flatnonzero((p.codes[:, j] >= 0) & (p.codes[:, m] >= 0))
        if both.size == 0:
            continue
        rows.append(both)
        cols.append(offset + block * k * k + p.codes[both, j] * k + p.codes[both, m])
        block += 1
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    return np.concatenate(rows), np.concatenate(cols).astype(np.int64), block * k * k


def design(p: Patterns) -> Design:
    """The sums each pattern adds to (see `Design`)."""
    c = agreement.category_counts(p.codes, p.k)
    m = c.sum(axis=1)
    pair = m >= 2
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=pair)
    coincide = np.einsum("pc,pk->pck", c, c) - np.einsum("pc,ck->pck", c, np.eye(p.k))
    agree = np.divide((c * (c - 1)).sum(axis=1), m * (m - 1), out=np.zeros_like(m), where=pair)
    share = np.divide(c, m[:, None], out=np.zeros_like(c), where=m[:, None] >= 1)
    dense = np.hstack(
        [
            (coincide * scale[:, None, None]).reshape(len(c), -1),
            np.column_stack([agree, pair, m >= 1]).astype(np.float64),
            share,
        ]
    )
    pattern, column, width = _pair_cells(p, dense.shape[1])
    return Design(dense, pattern, column, dense.shape[1] + width)


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
    return _evaluate(design(p), w, p.k, level, values)


def _evaluate(
    d: Design, w: FloatArray, k: int, level: Level, values: FloatArray | None
) -> dict[str, FloatArray]:
    """`from_sums` of `d.sums(w)`, a block of rows of `w` at a time."""
    step = max(1, CHUNK_CELLS // d.columns)
    parts = [
        from_sums(d.sums(w[lo : lo + step]), k, level, values) for lo in range(0, len(w), step)
    ]
    if not parts:
        return from_sums(np.zeros((0, d.columns)), k, level, values)
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


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
    p: Patterns, d: Design, level: Level, values: FloatArray | None
) -> dict[str, FloatArray]:
    """Each coefficient with one item of each pattern left out: the sums less that row."""
    full = d.sums(p.counts[None, :].astype(np.float64))
    step = max(1, CHUNK_CELLS // d.columns)
    n = len(p.counts)
    parts = [
        from_sums(full - d.rows(lo, min(lo + step, n)), p.k, level, values)
        for lo in range(0, n, step)
    ]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


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
    d = design(p)
    boot = _resampled(d, p, n_resamples, rng, level, values)
    point = _evaluate(d, p.counts[None, :].astype(np.float64), p.k, level, values)
    jack = _jackknife(p, d, level, values)
    weights = p.counts.astype(np.float64)
    return {
        name: intervals.bca(float(point[name][0]), boot[name], jack[name], weights)
        for name in WITH_INTERVALS
    }


def _resampled(
    d: Design,
    p: Patterns,
    n_resamples: int,
    rng: np.random.Generator,
    level: Level,
    values: FloatArray | None,
) -> dict[str, FloatArray]:
    """The coefficients of `n_resamples` bootstrap resamples of the items (multinomial
    draws of the pattern multiplicities), drawn a block at a time."""
    n = int(p.counts.sum())
    step = max(1, CHUNK_CELLS // max(len(p.counts), d.columns))
    parts = []
    for lo in range(0, n_resamples, step):
        size = min(step, n_resamples - lo)
        draws = rng.multinomial(n, p.counts / n, size=size).astype(np.float64)
        parts.append(from_sums(d.sums(draws), p.k, level, values))
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def point_values(
    p: Patterns, level: Level = "nominal", values: FloatArray | None = None
) -> dict[str, float]:
    """The coefficients of the patterns' items (equal to `labels.agreement`'s values)."""
    found = coefficients(p, p.counts[None, :].astype(np.float64), level, values)
    return {name: float(v[0]) if math.isfinite(v[0]) else math.nan for name, v in found.items()}
