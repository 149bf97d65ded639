"""Every agreement coefficient for one dimension, and alpha alone against `krippendorff`.

"All coefficients" is what the agreement report computes per dimension apart from the
bootstrap (timed in `bootstrap_ci`), starting from the ratings as the store hands them
over (transcript, rater, value rows): encoding them once (`agreement_report.units`), then
Krippendorff's alpha, percent agreement, Fleiss' kappa, Gwet's AC1 and mean pairwise
Cohen's kappa on the items with two or more ratings. For "alpha alone" both libraries
get the ratings already encoded, in their own layout, built before the clock starts:
ours items × raters integer codes (-1 missing), `krippendorff`'s raters × items floats
(NaN missing).
Targets (issue 8): all ≤ 0.5 s; alpha ≤ 1.0 × `krippendorff.alpha` on the same data.
"""

from __future__ import annotations

import math
from typing import Any

from benchmarks.core import Context, Figure, Target, seconds
from benchmarks.gen_ratings import Ratings, generate
from labels import agreement, agreement_report


def all_coefficients(ratings: Ratings) -> dict[str, float]:
    """The coefficients `agreement_report.dimension_figures` computes, without the CI."""
    dim = ratings.dim
    codes, _ = agreement_report.units(ratings.frame, dim)
    table = agreement_report.pairable(codes)
    cats = dim.scale
    return {
        "alpha": agreement.krippendorff_alpha(table, level=dim.level, categories=cats),
        "percent_agreement": agreement.percent_agreement(table),
        "fleiss_kappa": agreement.fleiss_kappa(table, categories=cats),
        "gwet_ac1": agreement.gwet_ac1(table, categories=cats),
        "mean_cohen_kappa": agreement.mean_pairwise_cohen_kappa(table, categories=cats),
    }


def ours_alpha(ratings: Ratings) -> float:
    dim = ratings.dim
    return agreement.krippendorff_alpha(ratings.codes, level=dim.level, categories=dim.scale)


def their_alpha(ratings: Ratings) -> float:
    import krippendorff

    domain = list(range(len(ratings.dim.scale)))
    return float(
        krippendorff.alpha(
            reliability_data=ratings.reliability,
            level_of_measurement="ordinal",
            value_domain=domain,
        )
    )


def shared_ratings(ctx: Context) -> Ratings:
    s = ctx.sizes
    return ctx.shared("ratings", lambda: generate(s.agreement_items, s.agreement_raters, s.missing))


def size_text(ctx: Context) -> str:
    s = ctx.sizes
    return f"{s.agreement_items:,} items × {s.agreement_raters} raters, {s.missing:.0%} missing"


def run(ctx: Context) -> list[Figure]:
    ratings = shared_ratings(ctx)
    size = size_text(ctx)
    every = Figure(
        "agreement: all coefficients, one dimension",
        size,
        "s",
        Target.at_most(0.5, "s"),
        baseline_what="krippendorff.alpha alone",
    )
    alpha = Figure(
        "agreement: alpha alone",
        size,
        "s",
        Target.times_baseline(1.0),
        baseline_what="krippendorff.alpha (package) on the same data",
    )
    values: dict[str, Any] = {}
    for _ in range(ctx.repeats):
        every.runs.append(seconds(lambda: values.update(all_coefficients(ratings))))
        alpha.runs.append(seconds(lambda: values.update(ours=ours_alpha(ratings))))
        theirs = seconds(lambda: values.update(theirs=their_alpha(ratings)))
        every.baseline_runs.append(theirs)
        alpha.baseline_runs.append(theirs)
    alpha.details = {
        "ours": values["ours"],
        "krippendorff": values["theirs"],
        "same_value": math.isclose(values["ours"], values["theirs"], abs_tol=1e-9),
    }
    every.details = {k: v for k, v in values.items() if k not in ("ours", "theirs")}
    return [every, alpha]
