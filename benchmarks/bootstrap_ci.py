"""The 1,000-resample percentile bootstrap interval for Krippendorff's alpha.

Times `agreement.bootstrap_alpha_ci` on the agreement benchmark's ratings (items with two
or more ratings, as the agreement report passes them). The baseline is the naive way,
`agreement.bootstrap_ci` recomputing alpha from the ratings for each resample, timed on a
few resamples and scaled to the same number. Target (issue 8): ≤ 5 s.
"""

from __future__ import annotations

from benchmarks.agreement_coefficients import shared_ratings, size_text
from benchmarks.core import Context, Figure, Target, seconds
from labels import agreement

NAIVE_RESAMPLES = 5


def run(ctx: Context) -> list[Figure]:
    ratings = shared_ratings(ctx)
    table, dim = ratings.pairable, ratings.dim
    n = ctx.sizes.resamples
    figure = Figure(
        f"agreement: {n:,}-resample bootstrap CI for alpha",
        size_text(ctx),
        "s",
        Target.at_most(5, "s"),
        baseline_what=f"naive bootstrap_ci (recompute alpha), {NAIVE_RESAMPLES}"
        f" resamples × {n // NAIVE_RESAMPLES}",
    )

    def fast() -> None:
        figure.details["ci"] = agreement.bootstrap_alpha_ci(
            table, level=dim.level, categories=dim.scale, n_resamples=n, seed=0
        )

    def naive() -> None:
        def alpha(units: agreement.Units) -> float:
            return agreement.krippendorff_alpha(units, level=dim.level, categories=dim.scale)

        agreement.bootstrap_ci(alpha, table, n_resamples=NAIVE_RESAMPLES, seed=0)

    for _ in range(ctx.repeats):
        figure.runs.append(seconds(fast))
        figure.baseline_runs.append(seconds(naive) * n / NAIVE_RESAMPLES)
    return [figure]
