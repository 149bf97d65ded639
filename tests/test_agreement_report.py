"""The agreement report against the store: units, figures, over time."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import krippendorff
import numpy as np

from labels import agreement_report
from labels.models import Label
from labels.workspace import Workspace

DAY1 = datetime(2026, 11, 1, 12, tzinfo=UTC)
DAY2 = datetime(2026, 11, 2, 12, tzinfo=UTC)


def add(ws: Workspace, rows: list[tuple[str, str, str, datetime]]) -> None:
    ws.store.add_labels(
        [
            Label(
                transcript_id=t,
                rater=r,
                dimension="extortion",
                value=v,
                schema_version=ws.schema_version,
                created_at=when,
            )
            for t, r, v, when in rows
        ]
    )


def test_report_matches_krippendorff_package(seeded: Workspace) -> None:
    add(
        seeded,
        [
            ("t00", "ana", "none", DAY1),
            ("t00", "ben", "none", DAY1),
            ("t00", "chen", "considered", DAY1),
            ("t01", "ana", "explicit_threat", DAY1),
            ("t01", "ben", "implicit_threat", DAY1),
            ("t02", "ana", "none", DAY1),
            ("t02", "ben", "none", DAY1),
            ("t03", "ana", "implicit_threat", DAY1),
            ("t03", "chen", "implicit_threat", DAY1),
            ("t04", "ben", "considered", DAY1),  # one rating only: not pairable
        ],
    )
    figures = agreement_report.report(seeded, "extortion", n_resamples=200).dimensions["extortion"]
    data = np.array(
        [
            [0, 3, 0, 2],
            [0, 2, 0, np.nan],
            [1, np.nan, np.nan, 2],
        ],
        dtype=float,
    )  # raters (ana, ben, chen) × items t00..t03, as scale positions
    oracle = krippendorff.alpha(
        reliability_data=data, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3]
    )
    assert figures.items == 4 and figures.raters == 3
    assert math.isclose(figures.alpha, oracle, rel_tol=1e-9)
    # 5 of 9 ratings outside the most common value (0): too few for an interval
    assert all(math.isnan(x) for x in figures.alpha_ci)
    assert figures.ci_note == (
        "5 ratings outside the most common value: too few for an interval (needs 12)"
    )


def test_na_values_are_set_aside(seeded: Workspace) -> None:
    seeded.store.add_labels(
        [
            Label(
                transcript_id="t00",
                rater=r,
                dimension="ethical_explanation",
                value=v,
                schema_version=seeded.schema_version,
            )
            for r, v in (("ana", "na"), ("ben", "3"), ("chen", "3"))
        ]
    )
    figures = agreement_report.report(seeded, "ethical_explanation", 50).dimensions
    assert figures["ethical_explanation"].items == 1
    assert figures["ethical_explanation"].percent_agreement == 1.0


def test_over_time_uses_labels_as_of_each_day(seeded: Workspace) -> None:
    add(
        seeded,
        [
            ("t00", "ana", "none", DAY1),
            ("t00", "ben", "explicit_threat", DAY1),
            ("t01", "ana", "none", DAY1),
            ("t01", "ben", "none", DAY1),
            ("t00", "ben", "none", DAY2),  # ben revises on day 2: now everyone agrees
            ("t02", "ana", "implicit_threat", DAY2),
            ("t02", "ben", "implicit_threat", DAY2),
        ],
    )
    trend = agreement_report.over_time(seeded, seeded.schema.dimension("extortion"))
    assert trend["items"].tolist() == [2, 3]
    assert trend["alpha"].iloc[0] < 0.5 and trend["alpha"].iloc[1] == 1.0


def test_over_time_equals_alpha_recomputed_from_each_days_labels(seeded: Workspace) -> None:
    """Five days of random labels by six raters on 30 items, with revisions and
    not-applicable values (extortion's scale has none, so the ordinal
    ethical_explanation is used): each day's alpha and item count equal the krippendorff
    package's on the latest label per rater and item made by that day's end."""
    dim = seeded.schema.dimension("ethical_explanation")
    rng = np.random.default_rng(4)
    values = [*dim.scale, *dim.na_values]
    rows = []
    for i in range(400):
        when = datetime(2026, 11, 1 + int(rng.integers(5)), int(rng.integers(24)), tzinfo=UTC)
        rows.append(
            (f"t{rng.integers(30):02d}", f"r{rng.integers(6)}", str(rng.choice(values)), when, i)
        )
    rows.sort(key=lambda r: (r[3], r[4]))
    seeded.store.add_labels(
        [
            Label(
                transcript_id=t,
                rater=r,
                dimension=dim.name,
                value=v,
                schema_version=seeded.schema_version,
                created_at=when,
            )
            for t, r, v, when, _ in rows
        ]
    )
    trend = agreement_report.over_time(seeded, dim)
    assert len(trend) == 5
    for day, got in zip(sorted({r[3].date() for r in rows}), trend.itertuples(), strict=True):
        latest: dict[tuple[str, str], str] = {}
        for t, r, v, when, _ in rows:
            if when.date() <= day:
                latest[(t, r)] = v
        items = sorted({t for t, _ in latest})
        raters = sorted({r for _, r in latest})
        data = np.full((len(raters), len(items)), np.nan)
        for (t, r), v in latest.items():
            if v not in dim.na_values:
                data[raters.index(r), items.index(t)] = dim.scale.index(v)
        kept = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
        assert got.period.date() == day
        assert got.items == kept.shape[1]
        expected = krippendorff.alpha(kept, level_of_measurement="ordinal")
        assert math.isclose(got.alpha, expected, abs_tol=1e-9)


def test_dimension_figures_equal_each_coefficient_computed_directly() -> None:
    """The report takes every point value from one pattern sum; each equals the direct
    function of `labels.agreement` (and alpha krippendorff's), at every level, on random
    ratings with 12 raters of whom 2-4 rate each item."""
    from labels import agreement
    from labels.schema import Dimension, Value

    rng = np.random.default_rng(21)
    table = np.full((300, 12), -1, dtype=np.int64)
    for row in table:
        who = rng.choice(12, size=int(rng.integers(2, 5)), replace=False)
        row[who] = rng.integers(0, 4, size=len(who))
    for level in ("nominal", "ordinal", "interval"):
        values = [Value(name=str(v), key=str(v)) for v in range(4)]
        dim = Dimension(name="d", title="D", level=level, values=values)
        got = agreement_report.dimension_figures(table, dim, n_resamples=200)
        cats = dim.scale
        data = np.where(table < 0, np.nan, table).T.astype(float)
        assert math.isclose(got.alpha, krippendorff.alpha(data, level_of_measurement=level))
        assert math.isclose(got.fleiss_kappa, agreement.fleiss_kappa(table, categories=cats))
        assert math.isclose(got.gwet_ac1, agreement.gwet_ac1(table, categories=cats))
        assert math.isclose(
            got.mean_cohen_kappa, agreement.mean_pairwise_cohen_kappa(table, categories=cats)
        )
        low, high = got.alpha_ci
        assert low < got.alpha < high
