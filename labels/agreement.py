"""Inter-rater agreement coefficients and bootstrap confidence intervals, in pure numpy.

Data layout: `units` is a sequence of items; each item is a sequence of ratings, one per
rater (column), with `None` (or a float NaN) where that rater did not rate the item. Rows
may have different lengths; missing trailing ratings count as missing. Ratings are any
hashable values (strings, ints, ...). `categories` is the ordered list of possible values:
unused values still count (for weighted kappa, Gwet's AC1 and the ordinal scale order).
When `categories` is None the sorted distinct observed values are used. A rating that is
not one of the given categories raises `ValueError`.

`units` may also come already encoded: a 2-D integer numpy array of positions in
`categories`, -1 where missing (without `categories`, the positions are the categories).
Callers that hold many ratings (the agreement report) encode once and pass the codes on.

Every coefficient is derived from one integer encoding of the ratings (`encode`) and the
per-item category counts (`category_counts`), so 100,000 items take tens of milliseconds.

Edge-case conventions (no function raises on them):

* no pairable data (no item with two ratings, no pair of ratings for Cohen) -> `nan`;
* no variation (every rating in one category): the chance-corrected coefficients are
  0/0 and return `nan` (alpha, Fleiss' kappa, Cohen's kappa), while percent agreement
  is 1.0 and Gwet's AC1 is 1.0 as long as there are at least two categories (its chance
  agreement is then 0);
* bootstrap resamples whose statistic is `nan` are ignored; all `nan` -> `(nan, nan)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from itertools import chain, combinations, repeat
from typing import Literal

import numpy as np
import numpy.typing as npt

from labels import intervals

IntArray = npt.NDArray[np.int64]
Units = Sequence[Sequence[Hashable]] | IntArray
Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"]
FloatArray = npt.NDArray[np.float64]

LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
_UNMATCHED = -2


def _is_missing(value: object) -> bool:
    """None and float NaN (including numpy floats) both mean "not rated"."""
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def _observed_categories(units: Sequence[Sequence[Hashable]]) -> list[Hashable]:
    """Sorted distinct non-missing values; mixed, unorderable types sort by (type, repr)."""
    seen = {v for v in set(chain.from_iterable(units)) if not _is_missing(v)}
    try:
        return sorted(seen)  # type: ignore[type-var]
    except TypeError:
        return sorted(seen, key=lambda v: (type(v).__name__, repr(v)))


def _resolve_unmatched(units: Sequence[Sequence[Hashable]], codes: IntArray) -> None:
    """Codes left unmatched are NaN-missing (set to -1) or unknown values (raise)."""
    for i, j in zip(*np.nonzero(codes == _UNMATCHED), strict=True):
        value = units[i][j]
        if not _is_missing(value):
            raise ValueError(f"rating {value!r} (item {i}) is not one of the categories")
        codes[i, j] = -1


def encode(
    units: Units, categories: Sequence[Hashable] | None = None
) -> tuple[IntArray, list[Hashable]]:
    """(n_items, n_raters) int array of category positions (-1 = missing), and the categories.

    Ragged rows are padded with -1. Raises `ValueError` for duplicate categories or a
    rating outside the given categories. Integer codes (see the module docstring) are
    checked and returned as they are.
    """
    if isinstance(units, np.ndarray):
        return _checked_codes(units, categories)
    cats = _observed_categories(units) if categories is None else list(categories)
    lookup: dict[Hashable, int] = {c: i for i, c in enumerate(cats)}
    if len(lookup) != len(cats):
        raise ValueError("categories contain duplicates")
    lookup[None] = -1
    n = len(units)
    widths = {len(u) for u in units}
    width = max(widths, default=0)
    if len(widths) <= 1:
        flat = map(lookup.get, chain.from_iterable(units), repeat(_UNMATCHED))
        codes = np.fromiter(flat, dtype=np.int64, count=n * width).reshape(n, width)
    else:
        codes = np.full((n, width), -1, dtype=np.int64)
        for i, unit in enumerate(units):
            codes[i, : len(unit)] = [lookup.get(v, _UNMATCHED) for v in unit]
    if (codes == _UNMATCHED).any():
        _resolve_unmatched(units, codes)
    return codes, cats


def _checked_codes(
    codes: IntArray, categories: Sequence[Hashable] | None
) -> tuple[IntArray, list[Hashable]]:
    """Already-encoded ratings, validated against their categories."""
    if categories is None:  # positions stand for themselves (enough for percent agreement)
        categories = range(int(codes.max(initial=-1)) + 1)
    cats = list(categories)
    if len(set(cats)) != len(cats):
        raise ValueError("categories contain duplicates")
    if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
        raise ValueError("encoded ratings must be a 2-D integer array")
    if codes.size and (codes.min() < -1 or codes.max() >= len(cats)):
        raise ValueError(f"encoded ratings must lie in -1..{len(cats) - 1}")
    return codes.astype(np.int64, copy=False), cats


def category_counts(codes: IntArray, n_categories: int) -> FloatArray:
    """(n_items, n_categories) matrix: how many raters put item i in category c."""
    n, k = codes.shape[0], n_categories
    cells = np.where(codes < 0, k, codes) + np.arange(n, dtype=np.int64)[:, None] * (k + 1)
    counts = np.bincount(cells.ravel(), minlength=n * (k + 1)).reshape(n, k + 1)
    return np.asarray(counts[:, :k], dtype=np.float64)


def _counts(units: Units, categories: Sequence[Hashable] | None) -> FloatArray:
    codes, cats = encode(units, categories)
    return category_counts(codes, len(cats))


def _observed_agreement(counts: FloatArray) -> float:
    """Mean over items with >= 2 ratings of the share of agreeing rater pairs; nan if none."""
    m = counts.sum(axis=1)
    pairable = m >= 2
    if not pairable.any():
        return math.nan
    c, m = counts[pairable], m[pairable]
    return float(np.mean((c * (c - 1)).sum(axis=1) / (m * (m - 1))))


def _classification_proportions(counts: FloatArray) -> FloatArray:
    """Gwet's pi_c: mean over items with >= 1 rating of the share of ratings in c."""
    m = counts.sum(axis=1)
    rated = m >= 1
    if not rated.any():
        return np.zeros(counts.shape[1])
    return np.asarray((counts[rated] / m[rated, None]).mean(axis=0), dtype=np.float64)


def _chance_corrected(observed: float, chance: float) -> float:
    """(po - pe) / (1 - pe), nan when it is 0/0 (pe == 1) or po is nan."""
    if math.isnan(observed) or math.isclose(chance, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return math.nan
    return (observed - chance) / (1.0 - chance)


def percent_agreement(units: Units) -> float:
    """Mean over items with >= 2 ratings of the share of rater pairs that agree.

    Items with fewer than two ratings are left out; no such item -> nan. Everyone always
    in one category -> 1.0.
    """
    return _observed_agreement(_counts(units, None))


def fleiss_kappa(units: Units, categories: Sequence[Hashable] | None = None) -> float:
    """Fleiss' kappa; Gwet's generalisation when the number of ratings varies per item.

    Observed agreement is `percent_agreement` (items with >= 2 ratings); chance agreement
    is sum_c pi_c**2 with pi_c the mean over items with >= 1 rating of the share of that
    item's ratings in c (Gwet 2014, Handbook of Inter-Rater Reliability). When every rated
    item has the same number of ratings this is exactly Fleiss (1971). Unused categories
    do not change the value. No pairable item, or every rating in one category (0/0) -> nan.
    """
    counts = _counts(units, categories)
    pi = _classification_proportions(counts)
    return _chance_corrected(_observed_agreement(counts), float(np.sum(pi**2)))


def gwet_ac1(units: Units, categories: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1 for any number of raters with missing ratings (Gwet 2008, 2014).

    Observed agreement as in `fleiss_kappa`; chance agreement
    pe = sum_c pi_c (1 - pi_c) / (q - 1) with q = len(categories) (unused categories
    count, so pass the full scale). pe <= 1/q, so everyone in one category gives 1.0.
    Fewer than two categories, or no pairable item -> nan.
    """
    counts = _counts(units, categories)
    q = counts.shape[1]
    if q < 2:
        return math.nan
    pi = _classification_proportions(counts)
    return _chance_corrected(_observed_agreement(counts), float(np.sum(pi * (1 - pi)) / (q - 1)))


def coincidence_matrix(counts: FloatArray) -> FloatArray:
    """Krippendorff's coincidences o_ck = sum_i (n_ic n_ik - [c == k] n_ic) / (m_i - 1).

    Items with fewer than two ratings (m_i < 2) contribute nothing.
    """
    m = counts.sum(axis=1)
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    weighted = counts * scale[:, None]
    return np.asarray(weighted.T @ counts - np.diag(weighted.sum(axis=0)), dtype=np.float64)


def _numeric_values(categories: Sequence[Hashable]) -> FloatArray:
    """Categories as floats for the interval and ratio metrics ("3" -> 3.0)."""
    try:
        return np.array([float(c) for c in categories], dtype=np.float64)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ValueError(f"interval/ratio alpha needs numeric categories: {err}") from err


def _squared_distances(marginals: FloatArray, level: str, values: FloatArray) -> FloatArray:
    """delta**2 between every pair of categories, shape (..., k, k).

    Ordinal uses Krippendorff's rank metric (sum_{g=c..k} n_g - (n_c + n_k) / 2)**2, which
    equals the squared difference of mid-ranks cumsum(n) - n / 2 (zero-frequency
    categories add nothing). Ratio takes 0/0 (two zeros) as distance 0.
    """
    k = marginals.shape[-1]
    if level == "nominal":
        return np.asarray(1.0 - np.eye(k), dtype=np.float64)
    if level == "ordinal":
        ranks = np.cumsum(marginals, axis=-1) - marginals / 2
        return np.asarray((ranks[..., :, None] - ranks[..., None, :]) ** 2, dtype=np.float64)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return np.asarray(diff**2, dtype=np.float64)
    total = values[:, None] + values[None, :]
    ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return np.asarray(ratio**2, dtype=np.float64)


def _alpha_from(coincidences: FloatArray, level: str, values: FloatArray) -> FloatArray:
    """alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck for (..., k, k) coincidences.

    Zero expected disagreement (no variation, or no pairable values) -> nan.
    """
    marginals = coincidences.sum(axis=-1)
    total = marginals.sum(axis=-1)
    d2 = _squared_distances(marginals, level, values)
    observed = (coincidences * d2).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * d2).sum(axis=(-2, -1))
    safe = np.where(expected > 0, expected, 1.0)
    return np.where(expected > 0, 1.0 - (total - 1.0) * observed / safe, np.nan)


def _alpha_setup(
    units: Units, level: str, categories: Sequence[Hashable] | None
) -> tuple[FloatArray, FloatArray]:
    """Validated (per-item counts, numeric category values) for alpha."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    codes, cats = encode(units, categories)
    numeric = level in ("interval", "ratio")
    values = _numeric_values(cats) if numeric else np.arange(len(cats), dtype=np.float64)
    return category_counts(codes, len(cats)), values


def krippendorff_alpha(
    units: Units, level: Level = "nominal", categories: Sequence[Hashable] | None = None
) -> float:
    """Krippendorff's alpha at the "nominal", "ordinal", "interval" or "ratio" level.

    Follows Krippendorff (2011): ratings go into a coincidence matrix, items with fewer
    than two ratings are dropped, any number of raters per item. Ordinal distances come
    from the coincidence marginals in `categories` order (unused categories have zero
    frequency); interval and ratio distances from the categories' numeric values (strings
    such as "3" are read with `float`; non-numeric categories raise `ValueError`).
    No pairable values, or no variation at all (0/0) -> nan.
    """
    counts, values = _alpha_setup(units, level, categories)
    return float(_alpha_from(coincidence_matrix(counts), level, values))


def _disagreement_weights(k: int, weights: Weights | None) -> FloatArray:
    """k x k disagreement weights by category position: 0/1, |i-j|, or (i-j)**2."""
    powers = {None: 0, "linear": 1, "quadratic": 2}
    if weights not in powers:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    gap = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(np.float64)
    return np.where(gap > 0, gap ** powers[weights], 0.0)


def kappa_of_tables(tables: npt.ArrayLike, weights: Weights | None = None) -> FloatArray:
    """Cohen's kappa (weighted by category distance if asked) of each (..., k, k) table of
    counts: 1 - sum(w * observed) / sum(w * expected), expected the outer product of the
    margins. nan for an empty table or zero expected disagreement (both sides always in
    one and the same category). The one kappa every figure uses: raters' pairs here and
    in `labels.agreement_ci`, grader against reference in `labels.graders.metrics`."""
    t = np.asarray(tables, dtype=np.float64)
    n = t.sum(axis=(-2, -1))
    if weights is None:  # 0/1 weights: the same formula through the diagonal, without the
        # (..., k, k) temporaries (the bootstrap evaluates millions of tables)
        safe = np.where(n > 0, n, 1.0)
        po = np.trace(t, axis1=-2, axis2=-1) / safe
        pe = (t.sum(axis=-1) * t.sum(axis=-2)).sum(axis=-1) / safe**2
        fine = (n > 0) & (1.0 - pe > 1e-12)
        kappa = (po - pe) / np.where(fine, 1.0 - pe, 1.0)
        return np.asarray(np.where(fine, kappa, np.nan), dtype=np.float64)
    safe_n = np.where(n > 0, n, 1.0)[..., None, None]
    p = t / safe_n
    expected = p.sum(axis=-1)[..., :, None] * p.sum(axis=-2)[..., None, :]
    w = _disagreement_weights(t.shape[-1], weights)
    observed_d = (w * p).sum(axis=(-2, -1))
    expected_d = (w * expected).sum(axis=(-2, -1))
    ok = (n > 0) & (expected_d > 1e-12)
    out = 1.0 - observed_d / np.where(ok, expected_d, 1.0)
    return np.asarray(np.where(ok, out, np.nan), dtype=np.float64)


def pair_table(a: IntArray, b: IntArray, k: int) -> IntArray:
    """k x k counts of (a, b) codes over the items where both are >= 0."""
    both = (a >= 0) & (b >= 0)
    return np.bincount(a[both] * k + b[both], minlength=k * k).reshape(k, k).astype(np.int64)


def cohen_kappa(
    rater_a: Sequence[Hashable] | IntArray,
    rater_b: Sequence[Hashable] | IntArray,
    categories: Sequence[Hashable] | None = None,
    weights: Weights | None = None,
) -> float:
    """Cohen's kappa between two raters; weights None, "linear" or "quadratic".

    Weighted variants weight disagreement by the distance between category positions in
    `categories` (so unused categories widen the scale). Items missing on either side are
    dropped. Two 1-D integer arrays are read as codes (see the module docstring).
    Raises `ValueError` when the two sequences differ in length. No shared item,
    or chance disagreement 0 (both raters always in one and the same category) -> nan.
    """
    if len(rater_a) != len(rater_b):
        raise ValueError("rater_a and rater_b must have the same length")
    both = (
        np.column_stack((rater_a, rater_b))
        if isinstance(rater_a, np.ndarray) and isinstance(rater_b, np.ndarray)
        else list(zip(rater_a, rater_b, strict=True))
    )
    codes, cats = encode(both, categories)
    if codes.shape[0] == 0:
        return math.nan
    return float(kappa_of_tables(pair_table(codes[:, 0], codes[:, 1], len(cats)), weights))


def mean_pairwise_cohen_kappa(
    units: Units, categories: Sequence[Hashable] | None = None, weights: Weights | None = None
) -> float:
    """Mean of Cohen's kappa over rater (column) pairs that share at least two items.

    Pairs whose kappa is nan (no variation) are left out of the mean; no usable pair -> nan.
    The items x raters form of `mean_pairwise_kappa`: the same tables and `kappa_of_tables`,
    each column pair's table counted directly (6x faster on 100,000 x 5 than going through
    the long form, which suits many raters on few items each).
    """
    codes, cats = encode(units, categories)
    k = len(cats)
    _disagreement_weights(k, weights)  # refuse unknown weights even with no pair
    pairs = list(combinations(range(codes.shape[1] if codes.ndim == 2 else 0), 2))
    if not pairs or k == 0:
        return math.nan
    tables = np.array(
        [pair_table(codes[:, j], codes[:, m], k) for j, m in pairs], dtype=np.int64
    ).reshape(-1, k, k)
    kappas = kappa_of_tables(tables[tables.sum(axis=(1, 2)) >= 2], weights)
    finite = kappas[np.isfinite(kappas)]
    return float(finite.mean()) if finite.size else math.nan


def mean_pairwise_kappa(
    items: IntArray, raters: IntArray, codes: IntArray, k: int, weights: Weights | None = None
) -> float:
    """Mean Cohen's kappa over rater pairs sharing at least two items, from long-form ratings.

    One entry per (item, rater) rating with its category code (< 0 = missing, left out).
    Computed from the pairs that actually co-rate (every pair's table in one bincount), so
    30 raters and 300,000 ratings cost milliseconds. Pairs whose kappa is nan are left
    out; no usable pair -> nan.
    """
    keep = codes >= 0
    frame = np.column_stack([items[keep], raters[keep], codes[keep]])
    if frame.shape[0] < 2:
        return math.nan
    frame = frame[np.lexsort((frame[:, 1], frame[:, 0]))]
    starts = np.flatnonzero(np.r_[True, frame[1:, 0] != frame[:-1, 0]])
    sizes = np.diff(np.r_[starts, frame.shape[0]])
    group_end = np.repeat(starts + sizes, sizes)  # one past each rating's item block
    pos = np.arange(frame.shape[0])
    left, right = [], []
    for gap in range(1, int(sizes.max())):  # pair each rating with the later ones of its item
        ok = pos + gap < group_end
        left.append(pos[ok])
        right.append(pos[ok] + gap)
    if not left:
        return math.nan
    a, b = np.concatenate(left), np.concatenate(right)
    n_raters = int(frame[:, 1].max()) + 1
    pair_key = frame[a, 1] * n_raters + frame[b, 1]
    pair_ids, pair_of = np.unique(pair_key, return_inverse=True)
    cells = pair_of * k * k + frame[a, 2] * k + frame[b, 2]
    tables = np.bincount(cells, minlength=len(pair_ids) * k * k).reshape(-1, k, k)
    shared = tables.sum(axis=(1, 2)) >= 2
    kappas = kappa_of_tables(tables[shared], weights)
    finite = kappas[np.isfinite(kappas)]
    return float(finite.mean()) if finite.size else math.nan


def _check_bootstrap(n_resamples: int, confidence: float) -> None:
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")


def bootstrap_ci(
    statistic: Callable[[Units], float],
    units: Units,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic(units)`, resampling items with replacement.

    Each resample draws `rng.integers(0, len(units), len(units))` from
    `numpy.random.default_rng(seed)`, so results are deterministic per seed. Resamples
    where the statistic is nan are ignored; no items or all nan -> (nan, nan).
    """
    _check_bootstrap(n_resamples, confidence)
    n = len(units)
    if n == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    stats = np.empty(n_resamples)
    for b in range(n_resamples):
        drawn = rng.integers(0, n, size=n)
        stats[b] = statistic(
            units[drawn] if isinstance(units, np.ndarray) else [units[i] for i in drawn]
        )
    return intervals.percentile(stats, confidence)


def _item_patterns(counts: FloatArray) -> tuple[IntArray, FloatArray]:
    """(pattern id per item, flattened coincidence contribution per distinct count pattern)."""
    patterns, inverse = np.unique(counts, axis=0, return_inverse=True)
    per_pattern = np.einsum("pc,pk->pck", patterns, patterns)
    per_pattern -= np.einsum("pc,ck->pck", patterns, np.eye(counts.shape[1]))
    m = patterns.sum(axis=1)
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    flat = (per_pattern * scale[:, None, None]).reshape(len(patterns), -1)
    return inverse.reshape(-1).astype(np.int64), np.asarray(flat, dtype=np.float64)


def bootstrap_alpha_ci(
    units: Units,
    level: Level = "nominal",
    categories: Sequence[Hashable] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Fast percentile bootstrap interval for `krippendorff_alpha`.

    The product shows BCa intervals instead (`labels.agreement_ci`): this percentile
    interval covered only 0.68 at 30 items with 5% positives (docs/coverage.md).

    Resampling n items with replacement means drawing how often each item is taken, a
    multinomial over the items; items with the same category-count pattern contribute
    the same coincidences, so each resample draws how often each *pattern* is taken,
    `rng.multinomial(n, share of items per pattern)`, and sums precomputed per-pattern
    coincidence matrices. The resamples follow the same distribution as `bootstrap_ci`'s
    (not the same draws), at a cost that does not grow with the items. Deterministic per
    seed; same nan conventions as `bootstrap_ci`.
    """
    _check_bootstrap(n_resamples, confidence)
    counts, values = _alpha_setup(units, level, categories)
    n, k = counts.shape
    if n == 0 or k == 0:
        return math.nan, math.nan
    pattern_of, contributions = _item_patterns(counts)
    share = np.bincount(pattern_of, minlength=contributions.shape[0]) / n
    rng = np.random.default_rng(seed)
    multiplicity = rng.multinomial(n, share, size=n_resamples).astype(np.float64)
    coincidences = (multiplicity @ contributions).reshape(n_resamples, k, k)
    return intervals.percentile(_alpha_from(coincidences, level, values), confidence)


def interpret_alpha(alpha: float) -> str:
    """Plain-words reading of alpha with Krippendorff's (2004) thresholds.

    >= 0.800 reliable; 0.667 to 0.800 tentative conclusions only; < 0.667 not reliable;
    nan: not enough data.
    """
    if math.isnan(alpha):
        return "not enough data to judge reliability"
    if alpha >= 0.800:
        return "reliable (alpha >= 0.800)"
    if alpha >= 0.667:
        return "tentative conclusions only (0.667 <= alpha < 0.800)"
    return "not reliable (alpha < 0.667)"
