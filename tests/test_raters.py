"""The raters view (labels/raters.py, store/activity.py): figures checked against
scikit-learn and by hand, on both backends; the CLI; the page."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from labels import raters
from labels.models import Gold, Label
from labels.workspace import Workspace
from tests.test_cli import cli

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_kappa_with_others_is_the_mean_of_sklearns_pairwise_kappas() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, size=(80, 4))
    codes[rng.random(codes.shape) < 0.25] = -1
    for column in range(4):
        expected = []
        for other in range(4):
            if other == column:
                continue
            both = (codes[:, column] >= 0) & (codes[:, other] >= 0)
            expected.append(cohen_kappa_score(codes[both, column], codes[both, other]))
        got = raters.kappa_with_others(codes, column, 3, n_resamples=200)
        assert got.value == pytest.approx(np.mean(expected), abs=1e-12)
        shared = (codes[:, column] >= 0) & ((np.delete(codes, column, 1) >= 0).sum(1) >= 1)
        assert got.items == int(shared.sum())
        assert got.ci[0] < got.value < got.ci[1] and got.note is None


def test_too_few_minority_ratings_give_a_sentence_not_an_interval() -> None:
    codes = np.zeros((40, 3), dtype=np.int64)
    codes[:3, 0] = 1  # 3 ratings outside the most common value
    got = raters.kappa_with_others(codes, 0, 2)
    assert math.isnan(got.ci[0]) and "too few for an interval" in str(got.note)
    few = np.array([[0, 0], [1, 1], [1, 0], [0, 1]] * 5)  # 20 items, 20 minority ratings
    got = raters.kappa_with_others(few, 0, 2)
    assert got.note == "20 items shared with other raters: too few for an interval (needs 30)"
    assert math.isnan(got.ci[0]) and got.value == pytest.approx(0.0)
    assert raters.kappa_with_others(np.full((5, 2), -1), 0, 2).note == (
        "no item shared with another rater"
    )


def label(t: str, rater: str, dim: str, value: str, at: datetime, seconds: float) -> Label:
    return Label(
        transcript_id=t,
        rater=rater,
        dimension=dim,
        value=value,
        schema_version=1,
        seconds=seconds,
        created_at=at,
    )


def gold(t: str, value: str, method: str, at: datetime) -> Gold:
    return Gold(
        transcript_id=t,
        dimension="extortion",
        value=value,
        method=method,  # type: ignore[arg-type]
        who="dana",
        schema_version=1,
        created_at=at,
    )


@pytest.fixture
def worked(seeded: Workspace) -> Workspace:
    """ana and ben label t00-t09 on extortion; ana agrees with every gold, ben with none.

    Gold: t00-t04 adjudicated (after the labels), t05-t07 set before the labels (gold
    checks), t08-t09 unanimous consensus made from their own labels (left out).
    """
    store = seeded.store
    labels = []
    for i in range(10):
        t, at = f"t{i:02d}", T0 + timedelta(hours=i * 6)  # ten items over three days
        labels.append(label(t, "ana", "extortion", "none", at, 30.0 + i))
        labels.append(label(t, "ben", "extortion", "considered" if i < 8 else "none", at, 90.0))
        labels.append(label(t, "ben", "manipulation", "none", at, 90.0))  # one submit: 90 s
    store.add_labels(labels)
    store.finish_assignment("t03", "ben", "skipped", note="unreadable", kind="skip")
    store.finish_assignment("t04", "ana", "done", flagged=True, note="flag", kind="flag")
    golds = [gold(f"t{i:02d}", "none", "adjudicated", T0 + timedelta(days=5)) for i in range(5)]
    golds += [gold(f"t{i:02d}", "none", "audit", T0 - timedelta(days=1)) for i in range(5, 8)]
    golds += [gold(f"t{i:02d}", "none", "unanimous", T0 + timedelta(days=5)) for i in (8, 9)]
    store.add_gold(golds)
    return seeded


def test_activity_counts_items_time_skips_and_flags(worked: Workspace) -> None:
    work = worked.store.rater_work()
    rows = work[work["day"].isna()].set_index("rater")
    assert rows.loc["ana", "items"] == 10 and rows.loc["ben", "items"] == 10
    # ana: 30..39 s on one dimension, median 34.5; ben: 90 s on each of two rows of one submit
    assert rows.loc["ana", "median_seconds"] == pytest.approx(34.5)
    assert rows.loc["ben", "median_seconds"] == pytest.approx(90.0)
    days = work[work["day"].notna() & (work["rater"] == "ana")]
    assert days["items"].tolist() == [3, 4, 3]  # every 6 h from 09:00 on the 20th
    assert days["median_seconds"].tolist() == pytest.approx([31.0, 34.5, 38.0])
    marks = worked.store.rater_marks().set_index("rater")
    assert marks.loc["ben", "skipped"] == 1 and marks.loc["ana", "flagged"] == 1
    assert marks.loc["chen", "skipped"] == 0  # a rater with nothing done is listed too
    result = raters.report(worked)
    assert [(r.rater, r.items) for r in result.raters] == [("ana", 10), ("ben", 10), ("chen", 0)]


def test_gold_the_rater_did_not_make_counts_and_flags_below_the_threshold(
    worked: Workspace,
) -> None:
    result = raters.report(worked)
    by = {r.rater: r for r in result.raters}
    # consensus gold on t08-t09 is left out: 8 labels beside gold each
    assert by["ana"].gold_compared == 8 and by["ana"].gold_agree == 8
    assert by["ben"].gold_compared == 8 and by["ben"].gold_agree == 0
    assert not any(r.below_threshold for r in result.raters)  # fewer than MIN_GOLD = 10
    assert by["ben"].gold_ci == pytest.approx((0.0, 1 - 0.025 ** (1 / 8)))  # Clopper-Pearson
    for i in (8, 9):  # two more adjudicated golds: now 10 labels each
        worked.store.add_gold([gold(f"t{i:02d}", "none", "adjudicated", T0 + timedelta(days=6))])
    result = raters.report(worked)
    assert [r.rater for r in result.flagged()] == ["ben"]
    sentence = raters.flag_sentence(result.flagged()[0], result.threshold)
    assert "Ben agrees with gold on 20% of 10 labels" in sentence and "below the project's 80%" in (
        sentence
    )
    days = result.days[result.days["rater"] == "ben"]
    assert days["gold_compared"].sum() == 10 and days["gold_agree"].sum() == 2


def test_the_cli_prints_the_report_and_its_json(tmp_path: Path) -> None:
    from tests.factories import build_demo_db

    db = build_demo_db(tmp_path / "demo.duckdb")
    done = cli("raters", db=db)
    assert done.returncode == 0, done.stderr
    assert "Costa" in done.stdout and "0.71 [0.54, 0.83]" in done.stdout  # rich wraps cells
    body = json.loads(cli("raters", "--json", db=db).stdout)
    assert body["gold_agreement_min"] == 0.8
    ana = next(r for r in body["raters"] if r["rater"] == "ana")
    assert ana["items"] == 64 and ana["gold_agreement"] is None
    assert (
        ana["kappa_with_others"]["extortion"]["ci"][0]
        < ana["kappa_with_others"]["extortion"]["kappa"]
    )
    assert cli("raters", "list", db=db).returncode == 0


def test_the_cache_key_changes_with_a_skip_a_label_or_gold(worked: Workspace) -> None:
    store = worked.store
    seen = [store.activity_version()]
    store.finish_assignment("t05", "chen", "skipped", note="later", kind="skip")
    seen.append(store.activity_version())
    store.add_labels([label("t06", "chen", "extortion", "none", T0, 12.0)])
    seen.append(store.activity_version())
    store.add_gold([gold("t06", "considered", "adjudicated", T0 + timedelta(days=9))])
    seen.append(store.activity_version())
    assert len(set(seen)) == 4
