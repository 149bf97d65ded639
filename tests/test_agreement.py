"""Agreement coefficients: published values, independent oracles, edge cases, bootstrap.

krippendorff, statsmodels and scikit-learn are used here only as oracles.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from labels import agreement as ag

N = None
LEVELS: tuple[ag.Level, ...] = ("nominal", "ordinal", "interval", "ratio")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with
# missing data: 4 observers (rows) x 12 units (columns), values 1..5, '.' = missing.
KRIPP_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
KRIPP_2011_UNITS = [list(unit) for unit in zip(*KRIPP_2011, strict=True)]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
# counts of raters per (subject, category). Published: P-bar = 0.378, Pe = 0.213,
# kappa = 0.210.
WIKI_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the oracles' warnings on degenerate tables (they return nan)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def is_nan_pair(pair: tuple[float, float]) -> bool:
    return math.isnan(pair[0]) and math.isnan(pair[1])


def units_from_counts(table: Sequence[Sequence[int]]) -> list[list[Hashable]]:
    """One row of ratings per item from a (items x categories) counts table."""
    return [[c for c, count in enumerate(row) for _ in range(count)] for row in table]


def raters_from_cells(cells: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    """Two raters' ratings from a contingency table {(a, b): count}."""
    a = [pair[0] for pair, count in cells.items() for _ in range(count)]
    b = [pair[1] for pair, count in cells.items() for _ in range(count)]
    return a, b


def two_by_two(yy: int, yn: int, ny: int, nn: int) -> tuple[list[str], list[str]]:
    """Rater A in rows, rater B in columns: cells (yes/yes, yes/no, no/yes, no/no)."""
    return raters_from_cells({("y", "y"): yy, ("y", "n"): yn, ("n", "y"): ny, ("n", "n"): nn})


# --- published and hand-computed values -------------------------------------------------


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_published_values(level: ag.Level, published: float) -> None:
    assert round(ag.krippendorff_alpha(KRIPP_2011_UNITS, level), 3) == published


def test_krippendorff_2011_pairable_values() -> None:
    # Unit 12 has a single value and is dropped: n.. = 3 + 8 * 4 + 3 + 2 = 40 (as published).
    codes, cats = ag.encode(KRIPP_2011_UNITS)
    coincidences = ag.coincidence_matrix(ag.category_counts(codes, len(cats)))
    assert cats == [1, 2, 3, 4, 5]
    assert coincidences.sum() == pytest.approx(40.0)
    np.testing.assert_allclose(coincidences, coincidences.T)


def test_krippendorff_2011_string_values() -> None:
    # Interval/ratio read string categories as numbers; nominal works on any labels.
    as_text = [[None if v is None else str(v) for v in unit] for unit in KRIPP_2011_UNITS]
    cats = ["1", "2", "3", "4", "5"]
    for level in LEVELS:
        expected = ag.krippendorff_alpha(KRIPP_2011_UNITS, level)
        assert ag.krippendorff_alpha(as_text, level, cats) == pytest.approx(expected)


def test_fleiss_wikipedia_example() -> None:
    units = units_from_counts(WIKI_FLEISS)
    kappa = ag.fleiss_kappa(units)
    assert round(kappa, 3) == 0.210
    assert kappa == pytest.approx(sm_fleiss_kappa(np.array(WIKI_FLEISS), method="fleiss"))
    assert round(ag.percent_agreement(units), 3) == 0.378  # P-bar


def test_cohen_kappa_wikipedia_two_by_two() -> None:
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    # po = 35/50 = 0.7; A says yes 25/50 = 0.5, B 30/50 = 0.6
    # pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    a, b = two_by_two(20, 5, 10, 15)
    assert ag.cohen_kappa(a, b) == pytest.approx(0.4)
    # Gwet AC1: pi_yes = (0.5 + 0.6) / 2 = 0.55, pi_no = 0.45
    # pe = (0.55 * 0.45 + 0.45 * 0.55) / (2 - 1) = 0.495
    # AC1 = (0.7 - 0.495) / (1 - 0.495) = 0.205 / 0.505 = 0.405941
    assert ag.gwet_ac1(list(zip(a, b, strict=True))) == pytest.approx(0.205 / 0.505)


WEIGHTED_CELLS = {  # rater A in rows, rater B in columns, categories low < mid < high
    ("low", "low"): 10,
    ("low", "mid"): 4,
    ("low", "high"): 1,
    ("mid", "low"): 3,
    ("mid", "mid"): 12,
    ("mid", "high"): 5,
    ("high", "low"): 1,
    ("high", "mid"): 2,
    ("high", "high"): 12,
}
SCALE = ["low", "mid", "high"]


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # n = 50; rows 15, 20, 15; columns 14, 18, 18.
        # Unweighted: po = 34/50 = 0.68; pe = (15*14 + 20*18 + 15*18) / 2500 = 0.336;
        # kappa = 0.344 / 0.664 = 0.518072
        (None, 0.344 / 0.664),
        # Linear |i-j|: observed sum w O = 14*1 + 2*2 = 18 -> 0.36;
        # expected: gap-1 cells 15*18 + 20*14 + 20*18 + 15*18 = 1180, gap-2 cells
        # 15*18 + 15*14 = 480; (1180 + 2*480) / 2500 = 0.856; kappa = 1 - 0.36/0.856
        ("linear", 1 - 0.36 / 0.856),
        # Quadratic (i-j)**2: observed 14 + 2*4 = 22 -> 0.44; expected
        # (1180 + 4*480) / 2500 = 1.24; kappa = 1 - 0.44/1.24 = 0.645161
        ("quadratic", 1 - 0.44 / 1.24),
    ],
)
def test_weighted_kappa_by_hand(weights: ag.Weights | None, expected: float) -> None:
    a, b = raters_from_cells(WEIGHTED_CELLS)
    assert ag.cohen_kappa(a, b, SCALE, weights) == pytest.approx(expected)
    oracle = cohen_kappa_score(a, b, labels=SCALE, weights=weights)
    assert ag.cohen_kappa(a, b, SCALE, weights) == pytest.approx(oracle)


def test_weighted_kappa_counts_unused_categories() -> None:
    # An unused category between two used ones widens the linear scale.
    a, b = ["x", "x", "z", "z", "x"], ["x", "z", "z", "z", "x"]
    wide = ag.cohen_kappa(a, b, ["x", "y", "z"], "linear")
    assert wide == pytest.approx(cohen_kappa_score(a, b, labels=["x", "y", "z"], weights="linear"))
    assert ag.cohen_kappa(a, b, ["x", "z"], "linear") == pytest.approx(ag.cohen_kappa(a, b))


def test_kappa_paradox_feinstein_cicchetti_1990() -> None:
    # Both tables have po = 0.85 (n = 100).
    # (40, 9, 6, 45): rows 49/51, columns 46/54; pe = .49*.46 + .51*.54 = 0.5008;
    #   kappa = 0.3492 / 0.4992 = 0.70
    # (80, 10, 5, 5): rows 90/10, columns 85/15; pe = .90*.85 + .10*.15 = 0.78;
    #   kappa = 0.07 / 0.22 = 0.32
    # AC1: pi_yes = 0.475 -> pe = 2*.475*.525 = 0.49875, AC1 = 0.35125/0.50125 = 0.70;
    #      pi_yes = 0.875 -> pe = 2*.875*.125 = 0.21875, AC1 = 0.63125/0.78125 = 0.81
    balanced, skewed = two_by_two(40, 9, 6, 45), two_by_two(80, 10, 5, 5)
    for a, b in (balanced, skewed):
        assert ag.percent_agreement(list(zip(a, b, strict=True))) == pytest.approx(0.85)
    assert round(ag.cohen_kappa(*balanced), 2) == 0.70
    assert round(ag.cohen_kappa(*skewed), 2) == 0.32
    assert ag.gwet_ac1(list(zip(*balanced, strict=True))) == pytest.approx(0.35125 / 0.50125)
    assert ag.gwet_ac1(list(zip(*skewed, strict=True))) == pytest.approx(0.63125 / 0.78125)


def test_gwet_ac1_multi_rater_by_hand() -> None:
    # Items (3 raters, categories a, b): [a,a,a], [a,a,b], [b,b,None], [a,None,None]
    # pa over items with >= 2 ratings: (1 + 1/3 + 1) / 3 = 7/9
    # pi_a = mean of (1, 2/3, 0, 1) = 2/3, pi_b = 1/3 (the single-rating item counts)
    # AC1: pe = 2 * 2/3 * 1/3 / (2 - 1) = 4/9;  (7/9 - 4/9) / (5/9) = 0.6
    # Fleiss/Gwet kappa: pe = 4/9 + 1/9 = 5/9;  (7/9 - 5/9) / (4/9) = 0.5
    units: list[list[Hashable]] = [
        ["a", "a", "a"],
        ["a", "a", "b"],
        ["b", "b", None],
        ["a", None, None],
    ]
    assert ag.gwet_ac1(units) == pytest.approx(0.6)
    assert ag.fleiss_kappa(units) == pytest.approx(0.5)


# --- oracles on random data ---------------------------------------------------------------


@st.composite
def rating_tables(
    draw: st.DrawFn, missing: bool = True, max_items: int = 25
) -> tuple[list[list[int | None]], list[int]]:
    """(items x raters ratings with None for missing, categories 0..k-1)."""
    k = draw(st.integers(2, 5))
    n_raters = draw(st.integers(2, 6))
    value = st.integers(0, k - 1)
    cell = st.one_of(st.none(), value, value) if missing else value
    row = st.lists(cell, min_size=n_raters, max_size=n_raters)
    return draw(st.lists(row, min_size=1, max_size=max_items)), list(range(k))


NUMERIC_VALUES = [0.0, 1.0, 2.5, 4.0, 9.0]  # category c of a drawn table has value [c]


def reliability_data(units: list[list[int | None]], values: Sequence[float]) -> np.ndarray:
    """krippendorff's layout: raters x units floats, nan for missing."""
    rows = [[math.nan if v is None else values[v] for v in unit] for unit in units]
    return np.array(rows, dtype=float).T


def kripp_oracle(units: list[list[int | None]], level: ag.Level, values: Sequence[float]) -> float:
    with quiet():
        try:
            return float(
                krippendorff.alpha(
                    reliability_data=reliability_data(units, values),
                    level_of_measurement=level,
                    value_domain=list(values),
                )
            )
        except ValueError:  # no unit with two values
            return math.nan


@settings(max_examples=60, deadline=None)
@given(rating_tables(), st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package(
    table: tuple[list[list[int | None]], list[int]], level: ag.Level
) -> None:
    units, cats = table
    numeric = level in ("interval", "ratio")
    values = NUMERIC_VALUES[: len(cats)] if numeric else [float(c) for c in cats]
    expected = kripp_oracle(units, level, values)
    if numeric:  # rate with the numeric values themselves
        rated = [[None if v is None else values[v] for v in unit] for unit in units]
        ours = ag.krippendorff_alpha(rated, level, values)
    else:
        ours = ag.krippendorff_alpha(units, level, cats)
    if math.isnan(expected):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(rating_tables(missing=False))
def test_fleiss_matches_statsmodels_on_complete_data(
    table: tuple[list[list[int | None]], list[int]],
) -> None:
    units, cats = table
    counts = np.array([[unit.count(c) for c in cats] for unit in units])
    with quiet():
        expected = float(sm_fleiss_kappa(counts, method="fleiss"))
    assert ag.fleiss_kappa(units, cats) == pytest.approx(expected, abs=1e-9, nan_ok=True)


def gwet_reference(units: list[list[int | None]], cats: list[int]) -> tuple[float, float]:
    """(generalised Fleiss kappa, AC1) by the textbook formulas, item by item."""
    rated = [[v for v in unit if v is not None] for unit in units]
    pairs = [r for r in rated if len(r) >= 2]
    pa = sum(
        sum(r.count(c) * (r.count(c) - 1) for c in cats) / (len(r) * (len(r) - 1)) for r in pairs
    )
    pa /= len(pairs)
    rated = [r for r in rated if r]
    pi = [sum(r.count(c) / len(r) for r in rated) / len(rated) for c in cats]
    pe_kappa = sum(p * p for p in pi)
    pe_ac1 = sum(p * (1 - p) for p in pi) / (len(cats) - 1)
    return (pa - pe_kappa) / (1 - pe_kappa), (pa - pe_ac1) / (1 - pe_ac1)


@settings(max_examples=60, deadline=None)
@given(rating_tables())
def test_fleiss_and_ac1_with_missing_match_reference(
    table: tuple[list[list[int | None]], list[int]],
) -> None:
    units, cats = table
    assume(any(sum(v is not None for v in unit) >= 2 for unit in units))
    assume(len({v for unit in units for v in unit if v is not None}) >= 2)
    kappa, ac1 = gwet_reference(units, cats)
    assert ag.fleiss_kappa(units, cats) == pytest.approx(kappa, abs=1e-9)
    assert ag.gwet_ac1(units, cats) == pytest.approx(ac1, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(rating_tables(), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_matches_sklearn_and_statsmodels(
    table: tuple[list[list[int | None]], list[int]], weights: ag.Weights | None
) -> None:
    units, cats = table
    a, b = [unit[0] for unit in units], [unit[1] for unit in units]
    both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    assume(len(both) >= 2)
    xs, ys = [x for x, _ in both], [y for _, y in both]
    with quiet():
        expected = float(cohen_kappa_score(xs, ys, labels=cats, weights=weights))
    ours = ag.cohen_kappa(a, b, cats, weights)
    assert ours == pytest.approx(expected, abs=1e-9, nan_ok=True)
    assume(math.isfinite(expected))
    crosstab = np.zeros((len(cats), len(cats)))
    for x, y in both:
        crosstab[x, y] += 1
    with quiet():
        assert ours == pytest.approx(sm_cohens_kappa(crosstab, wt=weights).kappa, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(rating_tables())
def test_percent_and_mean_pairwise_kappa_match_loops(
    table: tuple[list[list[int | None]], list[int]],
) -> None:
    units, cats = table
    shares = []
    for unit in units:
        rated = [v for v in unit if v is not None]
        if len(rated) >= 2:
            pairs = list(combinations(rated, 2))
            shares.append(sum(x == y for x, y in pairs) / len(pairs))
    expected = sum(shares) / len(shares) if shares else math.nan
    assert ag.percent_agreement(units) == pytest.approx(expected, nan_ok=True)
    kappas = []
    for j, k in combinations(range(len(units[0])), 2):
        both = [(u[j], u[k]) for u in units if u[j] is not None and u[k] is not None]
        if len(both) >= 2:
            with quiet():
                kappa = cohen_kappa_score(*zip(*both, strict=True), labels=cats)
            if math.isfinite(kappa):
                kappas.append(kappa)
    expected = float(np.mean(kappas)) if kappas else math.nan
    assert ag.mean_pairwise_cohen_kappa(units, cats) == pytest.approx(expected, nan_ok=True)


# --- categories, encoding and edge cases -----------------------------------------------------


def test_encode_pads_ragged_rows_and_reads_nan_as_missing() -> None:
    codes, cats = ag.encode([["b", "a"], ["a"], [math.nan, "b", None]])
    assert cats == ["a", "b"]
    assert codes.tolist() == [[1, 0, -1], [0, -1, -1], [-1, 1, -1]]


def test_encode_rejects_unknown_values_and_duplicate_categories() -> None:
    with pytest.raises(ValueError, match="not one of the categories"):
        ag.encode([["a", "c"]], ["a", "b"])
    with pytest.raises(ValueError, match="duplicates"):
        ag.encode([["a"]], ["a", "a"])


def test_invalid_arguments_raise() -> None:
    with pytest.raises(ValueError, match="level"):
        ag.krippendorff_alpha([[1, 2]], "cardinal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="numeric"):
        ag.krippendorff_alpha([["low", "high"]], "interval")
    with pytest.raises(ValueError, match="weights"):
        ag.cohen_kappa([1, 2], [1, 2], weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same length"):
        ag.cohen_kappa([1, 2], [1])


def test_ordinal_alpha_uses_category_order_not_unused_categories() -> None:
    units = [["a", "b"], ["b", "c"], ["c", "c"], ["a", "a"], ["b", "c"]]
    base = ag.krippendorff_alpha(units, "ordinal", ["a", "b", "c"])
    # Unused categories have zero frequency, so they add nothing to the rank distances.
    assert ag.krippendorff_alpha(units, "ordinal", ["a", "x", "b", "y", "c"]) == pytest.approx(base)
    assert ag.krippendorff_alpha(units, "ordinal", ["c", "b", "a"]) == pytest.approx(base)
    assert ag.krippendorff_alpha(units, "ordinal", ["b", "a", "c"]) != pytest.approx(base)
    nominal = ag.krippendorff_alpha(units, "nominal")
    assert ag.krippendorff_alpha(units, "nominal", ["b", "a", "c", "z"]) == pytest.approx(nominal)


def test_gwet_ac1_counts_unused_categories() -> None:
    units = [["a", "a"], ["a", "b"], ["b", "b"]]
    assert ag.gwet_ac1(units, ["a", "b", "c"]) != pytest.approx(ag.gwet_ac1(units))


ALL_NAN = ("krippendorff_alpha", "fleiss_kappa", "gwet_ac1", "mean_pairwise_cohen_kappa")


@pytest.mark.parametrize(
    "units",
    [[], [[]], [[None, None], [None, None]], [["1", None], [None, "2"]], [["1"]]],
    ids=["no items", "empty item", "all missing", "no shared pair", "single rating"],
)
def test_no_pairable_data_gives_nan(units: list[list[Hashable]]) -> None:
    assert math.isnan(ag.percent_agreement(units))
    for name in ALL_NAN:
        assert math.isnan(getattr(ag, name)(units)), name
    for level in LEVELS:
        assert math.isnan(ag.krippendorff_alpha(units, level, ["1", "2"]))
    assert is_nan_pair(ag.bootstrap_alpha_ci(units))
    assert math.isnan(ag.cohen_kappa([u[0] if u else None for u in units], [None] * len(units)))
    assert ag.interpret_alpha(ag.krippendorff_alpha(units)).startswith("not enough data")


def test_single_category_conventions() -> None:
    units: list[list[Hashable]] = [["3", "3", None], ["3", "3", "3"], ["3", None, None]]
    assert ag.percent_agreement(units) == 1.0
    for level in LEVELS:  # expected disagreement 0 -> 0/0
        assert math.isnan(ag.krippendorff_alpha(units, level))
        assert math.isnan(ag.krippendorff_alpha(units, level, ["1", "2", "3"]))
    assert math.isnan(ag.fleiss_kappa(units, ["1", "2", "3"]))
    assert math.isnan(ag.cohen_kappa(["3", "3"], ["3", "3"], ["1", "2", "3"], "linear"))
    assert math.isnan(ag.mean_pairwise_cohen_kappa(units))
    assert ag.gwet_ac1(units, ["1", "2", "3"]) == 1.0  # chance agreement 0 on a 3-point scale
    assert math.isnan(ag.gwet_ac1(units))  # one observed category: q = 1
    assert is_nan_pair(ag.bootstrap_alpha_ci(units))


def test_single_item_disagreement() -> None:
    # o_ab = o_ba = 1, n = 2: alpha = 1 - (2 - 1) * 2 / (1 * 1 * 2) = 0.
    assert ag.krippendorff_alpha([["a", "b"]]) == pytest.approx(0.0)
    assert ag.percent_agreement([["a", "b"]]) == 0.0


@pytest.mark.parametrize(
    ("alpha", "reading"),
    [
        (0.95, "reliable"),
        (0.800, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.6669, "not reliable"),
        (-0.2, "not reliable"),
        (math.nan, "not enough data"),
    ],
)
def test_interpret_alpha(alpha: float, reading: str) -> None:
    assert ag.interpret_alpha(alpha).startswith(reading)


# --- bootstrap -------------------------------------------------------------------------------


def noisy_units(n_items: int, seed: int, levels: int = 4) -> list[list[int | None]]:
    """Four raters who mostly agree on a true value in 1..levels, 20% of ratings missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, levels + 1, n_items)
    noise = rng.integers(-1, 2, (n_items, 4)) * (rng.random((n_items, 4)) < 0.3)
    ratings = np.clip(truth[:, None] + noise, 1, levels).tolist()
    missing = (rng.random((n_items, 4)) < 0.2).tolist()
    return [
        [None if m else v for v, m in zip(row, mrow, strict=True)]
        for row, mrow in zip(ratings, missing, strict=True)
    ]


@pytest.mark.parametrize("level", LEVELS)
def test_bootstrap_contains_estimate_and_is_deterministic(level: ag.Level) -> None:
    units = noisy_units(150, seed=1)
    low, high = ag.bootstrap_alpha_ci(units, level, seed=3)
    assert low < ag.krippendorff_alpha(units, level) < high
    assert high - low < 0.3
    assert ag.bootstrap_alpha_ci(units, level, seed=3) == (low, high)
    assert ag.bootstrap_alpha_ci(units, level, seed=4) != (low, high)
    wider = ag.bootstrap_alpha_ci(units, level, seed=3, confidence=0.99)
    assert wider[0] <= low and high <= wider[1]


def test_generic_bootstrap_is_deterministic() -> None:
    units = noisy_units(150, seed=2)
    generic = ag.bootstrap_ci(ag.percent_agreement, units, n_resamples=200, seed=5)
    assert generic == ag.bootstrap_ci(ag.percent_agreement, units, n_resamples=200, seed=5)
    assert generic != ag.bootstrap_ci(ag.percent_agreement, units, n_resamples=200, seed=6)
    assert generic[0] < ag.percent_agreement(units) < generic[1]


@pytest.mark.parametrize("level", LEVELS)
def test_fast_alpha_bootstrap_matches_item_resampling(level: ag.Level) -> None:
    """Drawing count patterns from a multinomial gives the item-resampling interval."""
    rng = np.random.default_rng(5)
    n, cats = 300, [1, 2, 4, 7]
    truth = rng.integers(0, 4, n)
    table = np.where(rng.random((n, 3)) < 0.7, truth[:, None], rng.integers(0, 4, (n, 3)))
    table[rng.random((n, 3)) < 0.15] = -1
    fast = ag.bootstrap_alpha_ci(table, level, cats, n_resamples=2000, seed=1)
    generic = ag.bootstrap_ci(
        lambda u: ag.krippendorff_alpha(u, level, cats), table, n_resamples=2000, seed=2
    )
    assert fast[1] - fast[0] > 0.05  # a real interval, not a degenerate one
    np.testing.assert_allclose(fast, generic, atol=0.015)


def test_bootstrap_ignores_nan_resamples() -> None:
    # About one resample in ten (0.8**10) is all "a" (alpha nan); the rest are finite.
    units = [["a", "a"]] * 8 + [["a", "b"], ["b", "b"]]
    low, high = ag.bootstrap_alpha_ci(units, n_resamples=200)
    assert math.isfinite(low) and math.isfinite(high)
    assert is_nan_pair(ag.bootstrap_ci(lambda u: math.nan, units, n_resamples=5))


def test_bootstrap_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_resamples"):
        ag.bootstrap_ci(ag.percent_agreement, [[1, 1]], n_resamples=0)
    with pytest.raises(ValueError, match="confidence"):
        ag.bootstrap_alpha_ci([[1, 1]], confidence=1.0)


def _codes(units: list[list[int | None]], cats: list[int]) -> np.ndarray:
    """The integer encoding the agreement report hands over: positions, -1 missing."""
    return np.array([[-1 if v is None else cats.index(v) for v in u] for u in units], np.int64)


@settings(max_examples=40, deadline=None)
@given(rating_tables(), st.sampled_from(LEVELS))
def test_encoded_ratings_give_the_same_figures(
    table: tuple[list[list[int | None]], list[int]], level: ag.Level
) -> None:
    """Every coefficient reads integer codes exactly as it reads the values they stand for."""
    units, cats = table
    codes = _codes(units, cats)
    same = [
        (ag.krippendorff_alpha(units, level, cats), ag.krippendorff_alpha(codes, level, cats)),
        (ag.percent_agreement(units), ag.percent_agreement(codes)),
        (ag.fleiss_kappa(units, cats), ag.fleiss_kappa(codes, cats)),
        (ag.gwet_ac1(units, cats), ag.gwet_ac1(codes, cats)),
        (ag.mean_pairwise_cohen_kappa(units, cats), ag.mean_pairwise_cohen_kappa(codes, cats)),
        (
            ag.cohen_kappa([u[0] for u in units], [u[1] for u in units], cats, "linear"),
            ag.cohen_kappa(codes[:, 0], codes[:, 1], cats, "linear"),
        ),
    ]
    for plain, encoded in same:
        assert plain == encoded or (math.isnan(plain) and math.isnan(encoded))
    stat = lambda u: ag.krippendorff_alpha(u, level, cats)  # noqa: E731
    assert ag.bootstrap_ci(stat, units, 20, seed=3) == ag.bootstrap_ci(stat, codes, 20, seed=3)
    assert ag.bootstrap_alpha_ci(units, level, cats, 50) == ag.bootstrap_alpha_ci(
        codes, level, cats, 50
    )


def test_encoded_ratings_are_checked() -> None:
    with pytest.raises(ValueError, match="-1..2"):
        ag.krippendorff_alpha(np.array([[0, 3]]), categories=["a", "b", "c"])
    with pytest.raises(ValueError, match="-1..2"):
        ag.fleiss_kappa(np.array([[0, -2]]), categories=["a", "b", "c"])
    with pytest.raises(ValueError, match="2-D integer"):
        ag.fleiss_kappa(np.array([0.0, 1.0]), categories=["a", "b"])
