"""Simulated raters and graders from a known truth, for `tests/test_coverage.py`.

Raters: three, with sensitivity 0.80 / 0.85 / 0.90 and specificity 0.95 / 0.965 / 0.98
against a latent yes/no truth; each rating missing at random with the cell's rate. A
data set of n items is a multinomial draw over the 27 possible rating patterns (codes
-1 missing, 0 no, 1 yes); items with fewer than two ratings are dropped, as the
agreement report does. The population value of each coefficient is its value on the
pattern probabilities themselves (an infinite sample).

Graders: one grader with sensitivity 0.85 and specificity 0.95 against gold = truth; a
data set is a multinomial draw of the 2x2 table.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from labels import agreement_ci, intervals

SENSITIVITY = (0.80, 0.85, 0.90)
SPECIFICITY = (0.95, 0.965, 0.98)
GRADER = (0.85, 0.95)  # sensitivity, specificity


@dataclass(frozen=True)
class Cell:
    prevalence: float
    items: int
    missing: float = 0.0


def rating_patterns(prevalence: float, missing: float) -> tuple[np.ndarray, np.ndarray]:
    """(pairable patterns (p, 3), their probabilities renormalised over pairable ones)."""
    codes = np.array(list(itertools.product((-1, 0, 1), repeat=3)), dtype=np.int64)
    probs = np.zeros(len(codes))
    for truth, weight in ((1, prevalence), (0, 1 - prevalence)):
        p = np.full(len(codes), weight)
        for r in range(3):
            yes = SENSITIVITY[r] if truth else 1 - SPECIFICITY[r]
            per = np.select(
                [codes[:, r] == -1, codes[:, r] == 1],
                [missing, (1 - missing) * yes],
                (1 - missing) * (1 - yes),
            )
            p = p * per
        probs += p
    keep = (codes >= 0).sum(axis=1) >= 2
    return codes[keep], probs[keep] / probs[keep].sum()


def truth_values(prevalence: float, missing: float) -> dict[str, float]:
    codes, probs = rating_patterns(prevalence, missing)
    p = agreement_ci.Patterns(codes, np.ones(len(codes), np.int64), 2)
    values = agreement_ci.coefficients(p, 1e9 * probs[None, :])  # an infinite sample
    return {k: float(v[0]) for k, v in values.items()}


def agreement_coverage(
    cell: Cell, reps: int, seed: int, n_resamples: int = 1000, method: str = "bca"
) -> dict[str, dict[str, float]]:
    """Per coefficient: coverage among data sets given an interval, share given one,
    mean estimate minus truth."""
    rng = np.random.default_rng(seed)
    codes, probs = rating_patterns(cell.prevalence, cell.missing)
    truth = truth_values(cell.prevalence, cell.missing)
    hits: dict[str, list[bool]] = {k: [] for k in agreement_ci.WITH_INTERVALS}
    shown = dict.fromkeys(agreement_ci.WITH_INTERVALS, 0)
    bias = {k: [] for k in agreement_ci.COEFFICIENTS}
    draws = rng.multinomial(cell.items, probs, size=reps)
    for counts in draws:
        keep = counts > 0
        p = agreement_ci.Patterns(codes[keep], counts[keep].astype(np.int64), 2)
        table = np.repeat(p.codes, p.counts, axis=0)
        point = agreement_ci.point_values(p)
        for k in agreement_ci.COEFFICIENTS:
            if math.isfinite(point[k]):
                bias[k].append(point[k] - truth[k])
        if method != "none" and agreement_ci.too_few(table, 2) is not None:
            continue
        cis = _method_intervals(p, n_resamples, rng, method)
        for k, (low, high) in cis.items():
            if math.isnan(low):
                continue
            shown[k] += 1
            hits[k].append(low <= truth[k] <= high)
    return {
        k: {
            "coverage": float(np.mean(hits[k])) if hits[k] else math.nan,
            "shown": shown[k] / reps,
            "bias": float(np.mean(bias[k])) if bias[k] else math.nan,
            "truth": truth[k],
        }
        for k in agreement_ci.WITH_INTERVALS
    }


def _method_intervals(p, n_resamples, rng, method):
    if method == "bca":
        return agreement_ci.pattern_intervals(p, "nominal", n_resamples, rng)
    n = int(p.counts.sum())
    draws = rng.multinomial(n, p.counts / n, size=n_resamples).astype(np.float64)
    boot = agreement_ci.coefficients(p, draws)
    return {k: intervals.percentile(boot[k]) for k in agreement_ci.WITH_INTERVALS}


def grader_cells(prevalence: float) -> np.ndarray:
    """Cell probabilities of the (gold, grader) 2x2 table, (no, yes) order, flattened."""
    sens, spec = GRADER
    return np.array(
        [
            (1 - prevalence) * spec,
            (1 - prevalence) * (1 - spec),
            prevalence * (1 - sens),
            prevalence * sens,
        ]
    )


def grader_truth(prevalence: float) -> dict[str, float]:
    from labels.graders import metrics as gm

    t = grader_cells(prevalence).reshape(2, 2)
    rates = gm.rates(t)
    return {
        "kappa": float(gm.kappa(t)),
        "ac1": float(gm.gwet_ac1(t)),
        "precision": rates["precision"],
        "recall": rates["recall"],
        "f1": rates["f1"],
    }


def grader_coverage(
    prevalence: float, items: int, reps: int, seed: int
) -> dict[str, dict[str, float]]:
    """Per grader figure: coverage among tables given an interval, share given one."""
    from labels.graders import calibration

    rng = np.random.default_rng(seed)
    truth = grader_truth(prevalence)
    tables = rng.multinomial(items, grader_cells(prevalence), size=reps).reshape(-1, 2, 2)
    hits: dict[str, list[bool]] = {k: [] for k in truth}
    for i, t in enumerate(tables):
        figures = calibration.binary_figures(t.astype(np.int64), seed=i)
        for k in truth:
            low, high = getattr(figures, f"{k}_ci")
            if low is not None and math.isfinite(low):
                hits[k].append(low <= truth[k] <= high)
    return {
        k: {
            "coverage": float(np.mean(h)) if h else math.nan,
            "shown": len(h) / reps,
            "truth": truth[k],
        }
        for k, h in hits.items()
    }


# -- audits --------------------------------------------------------------------------------

CONDITIONS = {"c1": 0.03, "c2": 0.10, "c3": 0.25, "c4": 0.45}
AUDIT_ESTIMATES = ("error", "false_positive", "false_negative", "prevalence")


def audit_population(seed: int, reviewed: float) -> dict[str, np.ndarray]:
    """10,000 verdicts, four conditions of 2,500 (prevalence 3-45%); the grader errs
    mostly on its low-confidence items (a quarter of them, error 0.35 against 0.03) and in
    condition c3 (+0.15); a `reviewed` share already has a raters' reference that is
    right 90% of the time."""
    rng = np.random.default_rng(seed)
    cond = np.repeat(list(CONDITIONS), 2500)
    truth = rng.random(cond.size) < np.array([CONDITIONS[c] for c in cond])
    low = rng.random(cond.size) < 0.25
    p_err = np.where(low, 0.35, 0.03) + np.where(cond == "c3", 0.15, 0.0)
    pred = truth ^ (rng.random(cond.size) < p_err)
    has_ref = rng.random(cond.size) < reviewed
    ref = np.where(rng.random(cond.size) < 0.9, truth, ~truth)
    return {"condition": cond, "truth": truth, "pred": pred, "has_ref": has_ref, "ref": ref}


def population_rates(pop: dict[str, np.ndarray]) -> dict[str, float]:
    t, g = pop["truth"], pop["pred"]
    return {
        "error": float(np.mean(t != g)),
        "false_positive": float(np.mean(g[~t])),
        "false_negative": float(np.mean(~g[t])),
        "prevalence": float(np.mean(t)),
    }


def audit_frame(pop: dict[str, np.ndarray]):
    import pandas as pd

    return pd.DataFrame(
        {
            "transcript_id": [f"t{i:05d}" for i in range(pop["truth"].size)],
            "status": np.where(pop["pred"], "grader yes", "grader no"),
            "condition": pop["condition"],
            "reviewed": pop["has_ref"],
            "differs": pop["has_ref"] & (pop["ref"] != pop["pred"]),
        }
    )


def _estimates(idx, prob, stratum, pop) -> dict[str, dict[str, float]]:
    from labels.graders import audit

    t, g = pop["truth"][idx], pop["pred"][idx]
    done, ones = np.ones(idx.size, bool), np.ones(idx.size)
    args = (prob, stratum, done)
    return {
        "error": audit.ratio_estimate(t != g, ones, *args),
        "false_positive": audit.ratio_estimate(g & ~t, ~t, *args),
        "false_negative": audit.ratio_estimate(~g & t, t, *args),
        "prevalence": audit.ratio_estimate(t, ones, *args),
    }


def audit_simulation(size: int, reviewed: float, reps: int, seed: int) -> dict[str, dict]:
    """Per estimate: bias, RMSE, coverage of the stratified design; RMSE of a simple
    random sample of the same size (plain ratio), and the share of draws that gave one."""
    from labels.graders import audit

    pop = audit_population(seed, reviewed)
    truth = population_rates(pop)
    items = audit_frame(pop)
    rng = np.random.default_rng(seed + 1)
    got: dict[str, list[tuple[float, bool]]] = {k: [] for k in AUDIT_ESTIMATES}
    srs: dict[str, list[float]] = {k: [] for k in AUDIT_ESTIMATES}
    for r in range(reps):
        sample, _ = audit.draw_sample(items, size, seed=r)
        idx = sample["transcript_id"].str[1:].astype(int).to_numpy()
        est = _estimates(idx, sample["inclusion_prob"].to_numpy(), sample["stratum"], pop)
        for k, e in est.items():
            if math.isfinite(e.rate):
                got[k].append((e.rate, e.low <= truth[k] <= e.high))
        simple = rng.choice(pop["truth"].size, size, replace=False)
        plain = _estimates(simple, np.full(size, size / pop["truth"].size), np.zeros(size), pop)
        for k, e in plain.items():
            if math.isfinite(e.rate):
                srs[k].append(e.rate)
    out = {}
    for k in AUDIT_ESTIMATES:
        rates = np.array([x[0] for x in got[k]])
        out[k] = {
            "truth": truth[k],
            "bias": float(rates.mean() - truth[k]),
            "rmse": float(np.sqrt(np.mean((rates - truth[k]) ** 2))),
            "coverage": float(np.mean([x[1] for x in got[k]])),
            "srs_rmse": float(np.sqrt(np.mean((np.array(srs[k]) - truth[k]) ** 2))),
            "defined": len(rates) / reps,
            "srs_defined": len(srs[k]) / reps,
        }
    return out


# -- the grader on the full (ordinal) scale ------------------------------------------------

SCALES = {0.05: (0.90, 0.05, 0.03, 0.02), 0.20: (0.65, 0.15, 0.12, 0.08)}
"""Truth over none / considered / implicit / explicit; the second pair is the yes share."""


def scale_cells(prevalence: float) -> np.ndarray:
    """(truth, grader) cell probabilities: the grader keeps the value with 0.8 and moves
    one step either way with 0.1 each (0.2 inwards at the ends)."""
    truth = np.array(SCALES[prevalence])
    k = truth.size
    move = np.zeros((k, k))
    for i in range(k):
        move[i, i] = 0.8
        for j in (i - 1, i + 1):
            if 0 <= j < k:
                move[i, j] = 0.1 if 0 < i < k - 1 else 0.2
    return (truth[:, None] * move).ravel()


def scale_coverage(prevalence: float, items: int, reps: int, seed: int) -> dict[str, float]:
    """Coverage of the full-scale (linear weighted) kappa interval, and how often shown."""
    from labels.graders import calibration
    from labels.graders import metrics as gm

    cells = scale_cells(prevalence)
    k = int(math.isqrt(cells.size))
    truth = float(gm.kappa(cells.reshape(k, k), "linear"))
    rng = np.random.default_rng(seed)
    hits = []
    for i, flat in enumerate(rng.multinomial(items, cells, size=reps)):
        figures = calibration.scale_table_figures(flat.reshape(k, k), "linear", seed=i)
        low, high = figures.scale_kappa_ci
        if math.isfinite(low):
            hits.append(low <= truth <= high)
    return {
        "coverage": float(np.mean(hits)) if hits else math.nan,
        "shown": len(hits) / reps,
        "truth": truth,
    }


# -- one rater's kappa with the others (the raters view) -----------------------------------


def rater_kappa_truth(prevalence: float, missing: float, column: int = 0) -> float:
    """The column's mean Cohen's kappa with the other two on the pattern probabilities."""
    from labels import raters

    codes, probs = rating_patterns(prevalence, missing)
    moved = raters.with_others(codes, column)  # the rows it keeps, in order, are `rated`
    rated = (codes[:, column] >= 0) & ((np.delete(codes, column, axis=1) >= 0).sum(axis=1) >= 1)
    p = agreement_ci.Patterns(moved, np.ones(len(moved), np.int64), 2)
    return raters.point(p, 1e9 * probs[rated])


def rater_kappa_coverage(cell: Cell, reps: int, seed: int, column: int = 0) -> dict[str, float]:
    """Coverage of one rater's kappa-with-others interval (BCa, the too-few rule), the
    share of data sets given one, and the mean estimate minus the truth."""
    from labels import raters

    rng = np.random.default_rng(seed)
    codes, probs = rating_patterns(cell.prevalence, cell.missing)
    truth = rater_kappa_truth(cell.prevalence, cell.missing, column)
    hits, bias = [], []
    for i, counts in enumerate(rng.multinomial(cell.items, probs, size=reps)):
        table = np.repeat(codes, counts, axis=0)
        k = raters.kappa_with_others(table, column, 2, seed=seed + i)
        if math.isfinite(k.value):
            bias.append(k.value - truth)
        if math.isfinite(k.ci[0]):
            hits.append(k.ci[0] <= truth <= k.ci[1])
    return {
        "coverage": float(np.mean(hits)) if hits else math.nan,
        "shown": len(hits) / reps,
        "bias": float(np.mean(bias)) if bias else math.nan,
        "truth": truth,
    }


def rates_coverage(
    prevalence: float, labels: int, reps: int, seed: int, size: int = 1000, audit: bool = False
) -> dict[str, float]:
    """Corrected rates (`labels.graders.ppi.corrected`) for one group with a known truth.

    Each replication: `size` transcripts with truth ~ Bernoulli(prevalence), the grader
    (GRADER's sensitivity and specificity) on all, humans on `labels` of them: a simple
    random sample, or with `audit` an audit-like design, half from what the grader called
    yes and half from the rest (strata), which the estimator weights back by stratum. Gold
    alone is Clopper-Pearson on the same labels (random design). Returns coverage, mean
    width of both, and their ratio.
    """
    from labels.graders import ppi

    rng = np.random.default_rng(seed)
    sens, spec = GRADER
    hits, widths, gold_widths = 0, [], []
    for _ in range(reps):
        truth = rng.random(size) < prevalence
        said = np.where(truth, rng.random(size) < sens, rng.random(size) > spec)
        cells = [np.flatnonzero(said), np.flatnonzero(~said)] if audit else [np.arange(size)]
        quotas = [labels // 2, labels - labels // 2] if audit else [labels]
        strata = []
        for cell, quota in zip(cells, quotas, strict=True):
            picked = np.zeros(cell.size, dtype=bool)
            picked[rng.choice(cell.size, size=min(quota, cell.size), replace=False)] = True
            y, f = truth[cell] * 1.0, said[cell] * 1.0
            strata.append(ppi.Stratum(y[picked], f[picked], f[~picked]))
        c = ppi.corrected(strata)
        hits += c.low <= prevalence <= c.high
        widths.append(c.high - c.low)
        if not audit:
            low, high = intervals.clopper_pearson(int(strata[0].y.sum()), labels)
            gold_widths.append(high - low)
    width = float(np.mean(widths))
    gold = float(np.mean(gold_widths)) if gold_widths else math.nan
    return {"coverage": hits / reps, "width": width, "gold_width": gold, "ratio": width / gold}
