"""Interval methods against independent implementations (statsmodels, scipy, krippendorff)."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
from statsmodels.stats.proportion import proportion_confint

from labels import agreement, agreement_ci, intervals


@pytest.mark.parametrize(("x", "n"), [(0, 5), (3, 4), (5, 5), (17, 60), (1, 1000)])
def test_clopper_pearson_matches_statsmodels(x: int, n: int) -> None:
    assert np.allclose(
        intervals.clopper_pearson(x, n), proportion_confint(x, n, alpha=0.05, method="beta")
    )
    assert all(math.isnan(v) for v in intervals.clopper_pearson(0, 0))


def test_f1_interval_is_the_jaccard_interval_mapped() -> None:
    tp, fp, fn = 12, 3, 5
    low, high = proportion_confint(tp, tp + fp + fn, alpha=0.05, method="beta")
    got = intervals.f1_interval(tp, fp, fn)
    assert np.allclose(got, (2 * low / (1 + low), 2 * high / (1 + high)))
    assert got[0] <= 2 * tp / (2 * tp + fp + fn) <= got[1]


def test_bca_matches_scipy_on_a_skewed_mean() -> None:
    rng = np.random.default_rng(3)
    data = rng.exponential(size=40)
    oracle = stats.bootstrap(
        (data,), np.mean, n_resamples=20000, method="BCa", random_state=1
    ).confidence_interval
    boot = rng.choice(data, size=(20000, data.size)).mean(axis=1)
    jack = (data.sum() - data) / (data.size - 1)
    got = intervals.bca(float(data.mean()), boot, jack, np.ones(data.size))
    assert np.allclose(got, (oracle.low, oracle.high), atol=0.02)
    plain = intervals.percentile(boot)
    assert got[0] > plain[0]  # BCa moves towards the long right tail


def test_pattern_coefficients_equal_the_direct_ones() -> None:
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 3, size=(50, 4))
    codes[rng.random(codes.shape) < 0.2] = -1
    codes = codes[(codes >= 0).sum(axis=1) >= 2]
    p = agreement_ci.patterns(codes, 3)
    got = agreement_ci.point_values(p)
    data = np.where(codes < 0, np.nan, codes).T.astype(float)
    assert math.isclose(got["alpha"], krippendorff.alpha(data, level_of_measurement="nominal"))
    assert math.isclose(got["fleiss_kappa"], agreement.fleiss_kappa(codes, range(3)))
    assert math.isclose(got["gwet_ac1"], agreement.gwet_ac1(codes, range(3)))
    assert math.isclose(
        got["mean_cohen_kappa"], agreement.mean_pairwise_cohen_kappa(codes, range(3))
    )
    full = codes[(codes >= 0).all(axis=1)]  # statsmodels' Fleiss needs complete rows
    table, _ = aggregate_raters(full)
    assert math.isclose(
        agreement_ci.point_values(agreement_ci.patterns(full, 3))["fleiss_kappa"],
        fleiss_kappa(table),
    )


def test_too_few_minority_ratings_get_a_sentence_not_an_interval() -> None:
    codes = np.array([[0, 0, 0]] * 20 + [[1, 1, 0]] * 3)  # 6 ratings outside "0"
    assert agreement_ci.too_few(codes, 2) == (
        "6 ratings outside the most common value: too few for an interval (needs 12)"
    )
    assert all(math.isnan(v[0]) for v in agreement_ci.intervals_for(codes, 2).values())
    more = np.array([[0, 0, 0]] * 20 + [[1, 1, 0]] * 4 + [[1, 1, 1]] * 2)  # 14
    cis = agreement_ci.intervals_for(more, 2)
    alpha = agreement.krippendorff_alpha(more)
    assert agreement_ci.too_few(more, 2) is None and cis["alpha"][0] <= alpha <= cis["alpha"][1]


def test_alpha_bca_matches_scipy_bootstrap_over_items() -> None:
    """The pattern BCa against scipy's BCa resampling items, alpha from krippendorff."""
    rng = np.random.default_rng(11)
    truth = rng.random(60) < 0.3
    codes = np.where(rng.random((60, 3)) < 0.85, truth[:, None], ~truth[:, None]).astype(int)

    def alpha_of(idx: np.ndarray) -> float:
        data = codes[idx.astype(int)].T.astype(float)
        return float(krippendorff.alpha(data, level_of_measurement="nominal"))

    oracle = stats.bootstrap(
        (np.arange(60),), alpha_of, n_resamples=4000, method="BCa", vectorized=False, rng=2
    ).confidence_interval
    p = agreement_ci.patterns(codes, 2)
    got = agreement_ci.pattern_intervals(p, "nominal", 20000, np.random.default_rng(3))["alpha"]
    assert np.allclose(got, (oracle.low, oracle.high), atol=0.02)


def test_full_scale_kappa_needs_values_outside_the_mode_on_both_sides() -> None:
    from labels.graders import calibration

    sparse = np.diag([40, 2, 1, 0])  # 3 items outside "none" on each side
    figures = calibration.scale_table_figures(sparse, "linear")
    assert all(math.isnan(x) for x in figures.scale_kappa_ci)
    assert figures.scale_kappa_ci_note == (
        "3 reference values outside its most common one: too few for an interval (needs 5)"
    )
    spread = np.array([[30, 3, 0, 0], [2, 6, 1, 0], [0, 1, 4, 1], [0, 0, 1, 3]])
    shown = calibration.scale_table_figures(spread, "linear")
    low, high = shown.scale_kappa_ci
    assert shown.scale_kappa_ci_note is None and low <= shown.scale_kappa <= high


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 17), (20, 20)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    oracle = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert np.allclose(intervals.wilson(x / n, n), oracle)


def test_patterns_of_wide_tables_equal_numpys_unique_rows() -> None:
    """Items packed into several int64 keys (40 raters × 5 categories) group as
    `np.unique(axis=0)` groups them; one key (8 raters) too."""
    rng = np.random.default_rng(8)
    for raters in (8, 40):
        codes = rng.integers(-1, 5, size=(3000, raters))
        codes[:, 3:] = np.where(rng.random((3000, raters - 3)) < 0.9, -1, codes[:, 3:])
        p = agreement_ci.patterns(codes, 5)
        rows, counts = np.unique(codes, axis=0, return_counts=True)
        assert dict(zip(map(tuple, p.codes), p.counts, strict=True)) == dict(
            zip(map(tuple, rows), counts, strict=True)
        )
