"""Spot-audits: allocation, inclusion probabilities, the weighted estimator on simulated
populations with a known error rate, resolving audited items into gold, the CLI."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from labels.cli_graders import audit_app
from labels.graders import audit, calibration
from labels.graders.map import GraderMap
from labels.models import Gold, GraderVerdict, Label, Rater, Record, utcnow
from labels.workspace import Workspace, open_workspace
from tests.factories import make_transcript

# -- allocation and inclusion probabilities ----------------------------------------------------


def test_allocate_by_hand() -> None:
    # one each first (3 left), then in proportion to the room left: 9, 4, 1 of 14 -> 2, 1, 0
    assert audit.allocate([10, 5, 2], 6).tolist() == [3, 2, 1]
    assert audit.allocate([10, 5, 2], 100).tolist() == [10, 5, 2]  # capped at every item
    assert audit.allocate([10, 0, 2], 2).tolist() == [1, 0, 1]
    assert audit.allocate([10, 5, 2], 2).tolist() == [1, 1, 0]  # too few for one each
    assert audit.allocate([], 5).tolist() == []
    assert audit.allocate([4, 4], 0).tolist() == [0, 0]


def population(n: int, seed: int, rates: dict[str, float], reviewed: float = 0.7) -> tuple:
    """Items with a true error flag, a noisy reference and the frame's status."""
    rng = np.random.default_rng(seed)
    cond = rng.choice(
        list(rates), n, p=np.linspace(2, 1, len(rates)) / np.linspace(2, 1, len(rates)).sum()
    )
    err = rng.random(n) < np.array([rates[c] for c in cond])
    truth = rng.random(n) < 0.3
    pred = truth ^ err
    ref = np.where(rng.random(n) < 0.9, truth, ~truth)
    seen = rng.random(n) < reviewed
    items = pd.DataFrame(
        {
            "transcript_id": [f"t{i:05d}" for i in range(n)],
            "status": np.where(pred, "grader yes", "grader no"),
            "condition": cond,
            "reviewed": seen,
            "differs": seen & (pred != ref),
        }
    )
    return items, err, pred, truth


def index_of(sample: pd.DataFrame) -> np.ndarray:
    return sample["transcript_id"].str[1:].astype(int).to_numpy()


def test_neyman_allocation_by_hand() -> None:
    # two each first (6 left), then in proportion to N_h * S_h = 50, 50, 0 -> 3, 3, 0
    assert audit.allocate([100, 50, 10], 12, [0.5, 1.0, 0.0], minimum=2).tolist() == [5, 5, 2]
    assert audit.allocate([1, 50], 10, [1.0, 1.0], minimum=2).tolist() == [1, 9]


def test_every_stratum_is_drawn_and_disagreement_pulls_the_rest() -> None:
    items, *_ = population(2000, 1, {"a": 0.1, "b": 0.3})
    sample, strata = audit.draw_sample(items, 40, seed=0)
    assert len(sample) == 40 and sample["transcript_id"].is_unique
    assert (strata["n"] >= 2).all() and len(strata) == 4  # grader yes/no × a/b
    merged = sample.merge(strata, on=["stratum", "status"])
    assert np.allclose(merged["inclusion_prob"], merged["n"] / merged["N"])
    # the anticipated error of a stratum is its Laplace-smoothed disagreement rate
    row = strata.iloc[0]
    mine = items[(items["status"] == row["status"]) & (items["condition"] == row["condition"])]
    assert math.isclose(row["p"], (mine["differs"].sum() + 1) / (mine["reviewed"].sum() + 2))


def test_suggested_size_meets_the_target_width() -> None:
    items, err, *_ = population(5000, 3, {"a": 0.1, "b": 0.3})
    table = audit.audit_design.strata(items)
    n = audit.audit_design.suggested_size(table, 0.1)
    assert 20 < n < 400
    widths = []
    for seed in range(40):
        sample, _ = audit.draw_sample(items, n, seed=seed)
        i = index_of(sample)
        est = audit.ratio_estimate(
            err[i],
            np.ones(len(i)),
            sample["inclusion_prob"],
            sample["stratum"],
            np.ones(len(i), bool),
        )
        widths.append(est.high - est.low)
    assert 0.06 < np.mean(widths) < 0.12


def test_recorded_inclusion_probabilities_are_the_selection_frequencies() -> None:
    items, *_ = population(400, 2, {"a": 0.1, "b": 0.3, "c": 0.5})
    hits = np.zeros(len(items))
    runs = 1500
    for seed in range(runs):
        sample, strata = audit.draw_sample(items, 40, seed=seed)
        hits[index_of(sample)] += 1
    pi = items.merge(strata, on=["status", "condition"], how="left")
    pi = (pi["n"] / pi["N"]).to_numpy()
    assert math.isclose(pi.sum(), 40)
    # each frequency is within 4.5 binomial standard errors of its recorded probability
    se = np.sqrt(pi * (1 - pi) / runs) + 1e-9
    assert np.all(np.abs(hits / runs - pi) <= 4.5 * se + 1e-12)


# -- the weighted estimator -------------------------------------------------------------------


def test_census_gives_the_plain_rate_with_a_wilson_interval() -> None:
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    est = audit.ratio_estimate(y, np.ones(10), np.ones(10), ["s"] * 10, np.ones(10, bool))
    assert est.rate == 0.2 and est.items == 10
    assert est.low < 0.2 < est.high and est.low > 0.0
    none = audit.ratio_estimate(y * 0, np.ones(10), np.ones(10), ["s"] * 10, np.ones(10, bool))
    assert none.rate == 0.0 and none.high > 0.0  # no error seen is not proof of none
    empty = audit.ratio_estimate(y, np.ones(10), np.ones(10), ["s"] * 10, np.zeros(10, bool))
    assert math.isnan(empty.rate) and math.isnan(empty.low)


@pytest.mark.parametrize(
    "rates",
    [{"a": 0.05, "b": 0.1, "c": 0.3, "d": 0.5}, {"a": 0.01, "b": 0.02, "c": 0.05, "d": 0.1}],
)
def test_weighted_estimate_recovers_a_known_error_rate(rates: dict[str, float]) -> None:
    items, err, *_ = population(3000, 7, rates)
    truth = err.mean()
    estimates, covered = [], 0
    runs = 200
    for seed in range(runs):
        sample, _ = audit.draw_sample(items, 200, seed=seed)
        idx = index_of(sample)
        est = audit.ratio_estimate(
            err[idx],
            np.ones(len(idx)),
            sample["inclusion_prob"],
            sample["stratum"],
            np.ones(len(idx), bool),
        )
        assert est.low <= est.rate <= est.high
        estimates.append(est.rate)
        covered += est.low <= truth <= est.high
    # Neyman allocation oversamples the error-prone strata, yet the weighted mean lands on
    # the population rate
    assert abs(np.mean(estimates) - truth) < 0.01
    naive = np.mean(
        [err[index_of(audit.draw_sample(items, 200, seed=s)[0])].mean() for s in range(20)]
    )
    assert naive > 1.1 * truth  # what an unweighted look at the audit would claim
    assert covered / runs >= 0.93


def test_unresolved_items_are_reweighted_within_their_stratum() -> None:
    items, err, *_ = population(3000, 11, {"a": 0.05, "b": 0.3})
    rng = np.random.default_rng(0)
    estimates = []
    for seed in range(100):
        sample, _ = audit.draw_sample(items, 300, seed=seed)
        idx = index_of(sample)
        done = rng.random(len(idx)) < 0.6  # 40% still waiting, at random
        est = audit.ratio_estimate(
            err[idx], np.ones(len(idx)), sample["inclusion_prob"], sample["stratum"], done
        )
        estimates.append(est.rate)
    assert abs(np.mean(estimates) - err.mean()) < 0.01


def test_false_positive_and_negative_rates_are_ratio_estimates() -> None:
    items, err, pred, truth = population(3000, 5, {"a": 0.1, "b": 0.2})
    fpr = (pred & ~truth).sum() / (~truth).sum()
    fnr = (~pred & truth).sum() / truth.sum()
    got_fp, got_fn = [], []
    for seed in range(100):
        sample, _ = audit.draw_sample(items, 300, seed=seed)
        i = index_of(sample)
        args = (sample["inclusion_prob"], sample["stratum"], np.ones(len(i), bool))
        got_fp.append(audit.ratio_estimate(pred[i] & ~truth[i], ~truth[i], *args).rate)
        got_fn.append(audit.ratio_estimate(~pred[i] & truth[i], truth[i], *args).rate)
    assert abs(np.mean(got_fp) - fpr) < 0.015 and abs(np.mean(got_fn) - fnr) < 0.02


# -- on a workspace: draw, queue, resolve, estimate ---------------------------------------------


def audited(ws: Workspace) -> Workspace:
    """Twenty transcripts: ten labeled by two raters, ten unlabeled; one yes/no grader."""
    records = [
        Record(
            transcript=make_transcript(
                f"t{i:02d}",
                scenario="blackmail",
                goal_type="explicit",
                goal_value="america",
                urgency_type="none" if i % 2 else "replacement",
            ),
            verdicts=(
                GraderVerdict(
                    transcript_id=f"t{i:02d}",
                    grader="kw",
                    field="extortion",
                    value="yes" if i % 4 == 0 else "no",
                ),
            ),
        )
        for i in range(20)
    ]
    ws.store.ingest_file("a.jsonl", "jsonl", records)
    for rid in ("ana", "ben", "chen", "eve", "fay"):
        ws.store.upsert_rater(Rater(id=rid, name=rid.title()))
    v = ws.schema_version
    earlier = utcnow() - timedelta(days=1)
    ws.store.add_labels(
        [
            Label(
                transcript_id=f"t{i:02d}",
                rater=r,
                dimension="extortion",
                value="explicit_threat" if i % 2 == 0 else "none",
                schema_version=v,
                created_at=earlier,
            )
            for i in range(10)
            for r in ("ana", "ben")
        ]
    )
    return ws


def test_sample_is_recorded_queued_first_and_blind(ws: Workspace) -> None:
    audited(ws)
    d = audit.sample(ws, "kw", 8, seed=3, who="dana", gmap=GraderMap())
    # reference: yes on even items 0..8; grader yes on 0, 4, 8 (12 and 16 unreviewed)
    frame = audit.frame(
        calibration.comparisons(ws, "kw", GraderMap(), reference="gold+majority"), "kw"
    )
    by_id = frame.set_index("transcript_id")
    assert sorted(by_id.index[by_id["differs"]]) == ["t02", "t06"]
    assert (~by_id["reviewed"]).sum() == 10
    assert sorted(by_id.index[by_id["status"] == "grader yes"])[:3] == ["t00", "t04", "t08"]
    # two strata (grader yes / no, one condition), at least two items from each
    assert len(d.items) == 8 and set(d.items["status"]) == {"grader yes", "grader no"}
    assert (d.items["status"].value_counts() >= 2).all()
    draws = ws.store.audit_draws("kw")
    assert draws.loc[0, "drawn"] == 8 and draws.loc[0, "who"] == "dana"
    queued = ws.store.df(
        "SELECT transcript_id, inclusion_prob FROM queue_items WHERE queue = 'audit'"
    )
    probs = dict(zip(queued["transcript_id"], queued["inclusion_prob"], strict=True))
    assert probs == dict(zip(d.items["transcript_id"], d.items["inclusion_prob"], strict=True))
    assert ws.next_item("eve") in set(d.items["transcript_id"])  # audits come first


def test_resolve_writes_audit_gold_once_and_respects_adjudication(ws: Workspace) -> None:
    audited(ws)
    d = audit.sample(ws, "kw", 20, seed=0, gmap=GraderMap())
    v = ws.schema_version
    later = [
        Label(transcript_id=t, rater=r, dimension="extortion", value=val, schema_version=v)
        for t, vals in (
            ("t12", ("none", "none", "explicit_threat")),
            ("t13", ("none", "considered")),
        )
        for r, val in zip(("ana", "eve", "fay"), vals, strict=False)
    ]
    ws.store.add_labels(later)
    written = audit.resolve(ws)
    assert [(g.transcript_id, g.value, g.method) for g in written] == [("t12", "none", "audit")]
    assert audit.resolve(ws) == []  # nothing new: idempotent
    ws.store.add_gold(
        [
            Gold(
                transcript_id="t13",
                dimension="extortion",
                value="considered",
                method="adjudicated",
                who="dana",
                schema_version=v,
            )
        ]
    )
    ws.store.add_labels(
        [
            Label(
                transcript_id="t13",
                rater="fay",
                dimension="extortion",
                value="none",
                schema_version=v,
            )
        ]
    )
    assert audit.resolve(ws) == []  # the adjudicator's later decision stands
    assert set(d.items["transcript_id"]) >= {"t12", "t13"}


def test_estimates_use_gold_written_after_the_draw(ws: Workspace) -> None:
    audited(ws)
    d = audit.sample(ws, "kw", 20, seed=0, gmap=GraderMap())
    v = ws.schema_version
    # the audit finds the truth: explicit threat on items divisible by 3
    ws.store.add_gold(
        [
            Gold(
                transcript_id=t,
                dimension="extortion",
                value="explicit_threat" if int(t[1:]) % 3 == 0 else "none",
                method="audit",
                who="audit",
                schema_version=v,
            )
            for t in d.items["transcript_id"]
        ]
    )
    table = audit.estimates(ws, "kw", GraderMap())
    row = table[table["dimension"] == "extortion"].iloc[0]
    assert row["sampled"] == 20 and row["resolved"] == 20
    # a census (every π = 1): the plain rate. Grader yes on 0,4,8,12,16; truth 0,3,...,18
    truth = {i for i in range(20) if i % 3 == 0}
    said = {i for i in range(20) if i % 4 == 0}
    assert math.isclose(row["error"], len(truth ^ said) / 20)
    assert math.isclose(row["false_positive"], len(said - truth) / (20 - len(truth)))
    assert math.isclose(row["false_negative"], len(truth - said) / len(truth))
    assert row["error_low"] <= row["error"] <= row["error_high"]


def test_cli_audit_sample_and_resolve(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ws = audited(open_workspace(db))
    ws.store.close()
    runner = CliRunner()
    result = runner.invoke(audit_app, ["sample", "--grader", "kw", "--n", "6", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "6 of 20 transcripts" in result.stdout and "6 new on the audit queue" in result.stdout
    again = runner.invoke(audit_app, ["sample", "--grader", "kw", "--n", "6", "--db", str(db)])
    assert again.exit_code == 0 and "0 new on the audit queue" in again.stdout  # same seed
    missing = runner.invoke(audit_app, ["sample", "--grader", "nope", "--n", "6", "--db", str(db)])
    assert missing.exit_code == 2 and "no yes/no verdict" in missing.output
    resolved = runner.invoke(audit_app, ["resolve", "--db", str(db)])
    assert resolved.exit_code == 0 and "0 gold row(s)" in resolved.stdout
    empty = runner.invoke(audit_app, ["estimate", "--db", str(db)])
    assert empty.exit_code == 0 and "0 of 6 audited; error –" in empty.stdout
    as_json = json.loads(runner.invoke(audit_app, ["estimate", "--db", str(db), "--json"]).stdout)
    # nothing settled since the draw yet: the estimates are there, without a number
    row = as_json["estimates"][0]
    assert (row["grader"], row["dimension"], row["sampled"], row["resolved"]) == (
        "kw",
        "extortion",
        6,
        0,
    )
    assert row["error"] is None and row["false_negative_low"] is None


def test_cli_audit_estimate_prints_population_rates(tmp_path: Path) -> None:
    db = tmp_path / "e.duckdb"
    ws = audited(open_workspace(db))
    d = audit.sample(ws, "kw", 20, seed=0, gmap=GraderMap())  # a census of the frame
    truth = {i: "explicit_threat" if i % 2 == 0 else "none" for i in range(20)}
    ws.store.add_gold(
        [
            Gold(
                transcript_id=t,
                dimension="extortion",
                value=truth[int(t[1:])],
                method="audit",
                who="audit",
                schema_version=ws.schema_version,
            )
            for t in d.items["transcript_id"]
        ]
    )
    ws.store.close()
    out = CliRunner().invoke(audit_app, ["estimate", "--db", str(db), "--json"])
    row = json.loads(out.stdout)["estimates"][0]
    # grader yes on 0, 4, 8, 12, 16; truth yes on the even items: 5 of 10 missed, none wrong
    assert row["resolved"] == 20 and row["error"] == 0.25 and row["false_negative"] == 0.5
    assert row["false_positive"] == 0.0 and row["prevalence"] == 0.5
    text = CliRunner().invoke(audit_app, ["estimate", "--db", str(db)])
    assert "false neg. 0.500 [" in text.stdout and "20 of 20 audited" in text.stdout
