"""PPI++ for a rate against the ppi_py package (an oracle only), and the product's interval
on the cases the README promises (rare and zero rates)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ppi_py import ppi_mean_ci, ppi_mean_pointestimate

from labels.graders import ppi


def oracle(
    y: np.ndarray, f: np.ndarray, fu: np.ndarray, **kw: object
) -> tuple[float, float, float]:
    point = float(np.asarray(ppi_mean_pointestimate(y, f, fu, **kw)).squeeze())
    low, high = ppi_mean_ci(y, f, fu, alpha=0.05, **kw)
    return point, float(np.asarray(low).squeeze()), float(np.asarray(high).squeeze())


def assert_matches(est: ppi.PPI, expected: tuple[float, float, float]) -> None:
    point, low, high = expected
    assert abs(est.point - point) < 1e-6
    assert abs(est.low - low) < 1e-3 and abs(est.high - high) < 1e-3


def test_the_packages_own_mean_case() -> None:
    """ppi_py's tests: Y ~ N(0, 1), Yhat = Y + 2 with the unlabeled all 2, whose estimate is
    exactly 0; and Y ~ N(0, 1) against an unrelated Yhat ~ N(-2, 1)."""
    rng = np.random.default_rng(0)
    y = rng.normal(0, 1, 100)
    est = ppi.ppi_mean(y, y + 2, np.full(10000, 2.0))
    assert_matches(est, oracle(y, y + 2, np.full(10000, 2.0)))
    assert abs(est.point) < 1e-12
    y, f, fu = rng.normal(0, 1, 10000), rng.normal(-2, 1, 10000), rng.normal(-2, 1, 10000)
    est = ppi.ppi_mean(y, f, fu)
    assert_matches(est, oracle(y, f, fu))
    assert est.lam < 0.05  # an unrelated prediction is tuned away: lambda near 0


@pytest.mark.parametrize("seed", range(8))
def test_random_binary_rates_match_ppi_py(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, big_n = int(rng.integers(30, 400)), int(rng.integers(100, 5000))
    p, sens, spec = rng.uniform(0.05, 0.95), rng.uniform(0.6, 1), rng.uniform(0.6, 1)
    truth = rng.random(n + big_n) < p
    said = np.where(truth, rng.random(n + big_n) < sens, rng.random(n + big_n) > spec)
    y, f, fu = truth[:n] * 1.0, said[:n] * 1.0, said[n:] * 1.0
    assert_matches(ppi.ppi_mean(y, f, fu), oracle(y, f, fu))
    for lam in (0.0, 0.5, 1.0):  # fixed lambda too: classical, half, plain PPI
        assert_matches(ppi.ppi_mean(y, f, fu, lam=lam), oracle(y, f, fu, lam=lam))


@pytest.mark.parametrize("seed", range(4))
def test_weighted_estimates_match_ppi_py(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, big_n = 150, 2000
    y = rng.normal(1, 1, n)
    f = y + rng.normal(0.3, 0.5, n)
    fu = rng.normal(1.3, 1.1, big_n)
    w, wu = rng.uniform(0.5, 4, n), rng.uniform(0.5, 2, big_n)
    assert_matches(ppi.ppi_mean(y, f, fu, w, wu), oracle(y, f, fu, w=w, w_unlabeled=wu))


def test_stratified_combines_strata_by_their_share() -> None:
    """Two strata: theta = sum N_h/N theta_h and var = sum (N_h/N)^2 var_h plus the
    shares' own spread, (sum W_h theta_h^2 - theta^2) / N."""
    rng = np.random.default_rng(5)
    parts = []
    for p, size, n in ((0.9, 300, 60), (0.1, 700, 60)):
        truth = rng.random(size) < p
        said = np.where(truth, rng.random(size) < 0.85, rng.random(size) > 0.95)
        parts.append(ppi.Stratum(truth[:n] * 1.0, said[:n] * 1.0, said[n:] * 1.0))
    point, var = ppi.stratified(parts, smoothed=False)
    each = [ppi.ppi_mean(s.y, s.f, s.f_unlabeled) for s in parts]
    assert point == pytest.approx(0.3 * each[0].point + 0.7 * each[1].point)
    spread = 0.3 * each[0].point ** 2 + 0.7 * each[1].point ** 2 - point**2
    assert var == pytest.approx(0.09 * each[0].se ** 2 + 0.49 * each[1].se ** 2 + spread / 1000)


def test_zero_of_two_hundred_still_has_an_upper_bound() -> None:
    """The grader says no to all 200; 50 of them were labeled, all no: the rate is 0, and
    the bound is the exact one for 0 of 50 (1 - 0.025^(1/50) = 0.0711), not 0."""
    s = ppi.Stratum(np.zeros(50), np.zeros(50), np.zeros(150))
    c = ppi.corrected([s])
    assert c.rate == 0 and c.low == 0
    assert c.high == pytest.approx(1 - 0.025 ** (1 / 50), abs=1e-9)
    assert c.n_eff == 50


def test_a_grader_that_caught_three_of_three_is_not_taken_as_perfect() -> None:
    """3 labeled positives, all caught, no false alarm: the plain PPI variance is 0 in the
    positive stratum; the pseudo-labels keep the interval open."""
    y = np.r_[np.ones(3), np.zeros(47)]
    f = y.copy()
    fu = np.r_[np.ones(80), np.zeros(870)]
    c = ppi.corrected([ppi.Stratum(y, f, fu)])
    assert c.low < 0.06 < c.high  # the truth of the simulated case that failed without it


def test_no_label_no_estimate_and_labels_needed() -> None:
    empty = ppi.corrected([ppi.Stratum(np.zeros(0), np.zeros(0), np.ones(10))])
    assert math.isnan(empty.rate) and ppi.labels_needed(empty, 0.03) is None
    rng = np.random.default_rng(9)
    truth = rng.random(5000) < 0.3
    said = np.where(truth, rng.random(5000) < 0.85, rng.random(5000) > 0.95)
    c = ppi.corrected([ppi.Stratum(truth[:100] * 1.0, said[:100] * 1.0, said[100:] * 1.0)])
    more = ppi.labels_needed(c, 0.03)
    assert more is not None and more > 0
    bigger = ppi.corrected(
        [ppi.Stratum(truth[: 100 + more] * 1.0, said[: 100 + more] * 1.0, said[100 + more :] * 1.0)]
    )
    assert (bigger.high - bigger.low) / 2 == pytest.approx(0.03, abs=0.01)
    assert ppi.labels_needed(c, 0.001) > 4900  # may be more than are left (callers say so)
