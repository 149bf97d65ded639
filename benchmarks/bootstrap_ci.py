"""The 1,000-resample BCa bootstrap intervals the agreement report shows.

Times `agreement_ci.intervals_for` (alpha, Fleiss' kappa and mean Cohen's kappa, with the
jackknife BCa needs) on the agreement benchmark's ratings (items with two or more ratings,
as the agreement report passes them). The baseline is the naive way,
`agreement.bootstrap_ci` recomputing alpha from the ratings for each resample, timed on a
few resamples and scaled to the same number. Target (issue 8): ≤ 5 s.
"""

from __future__ import annotations

from benchmarks.agreement_coefficients import shared_ratings, size_text
from benchmarks.core import Context, Figure, Target, seconds
from labels import agreement, agreement_ci

NAIVE_RESAMPLES = 5


def run(ctx: Context) -> list[Figure]:
    ratings = shared_ratings(ctx)
    table, dim = ratings.pairable, ratings.dim
    n = ctx.sizes.resamples
    figure = Figure(
        f"agreement: {n:,}-resample BCa CIs for alpha, Fleiss κ, mean Cohen κ",
        size_text(ctx),
        "s",
        Target.at_most(5, "s"),
        baseline_what=f"naive bootstrap_ci (recompute alpha), {NAIVE_RESAMPLES}"
        f" resamples × {n // NAIVE_RESAMPLES}",
    )

    def fast() -> None:
        cis = agreement_ci.intervals_for(table, len(dim.scale), dim.level, n_resamples=n)
        figure.details["ci"] = cis["alpha"]

    def naive() -> None:
        def alpha(units: agreement.Units) -> float:
            return agreement.krippendorff_alpha(units, level=dim.level, categories=dim.scale)

        agreement.bootstrap_ci(alpha, table, n_resamples=NAIVE_RESAMPLES, seed=0)

    for _ in range(ctx.repeats):
        figure.runs.append(seconds(fast))
        figure.baseline_runs.append(seconds(naive) * n / NAIVE_RESAMPLES)
    return [figure]
