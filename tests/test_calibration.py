"""Grader metrics against hand arithmetic, scikit-learn and labels.agreement; the reference;
the grader map; the report's JSON shape; the 100,000-item timing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from labels import agreement
from labels.cli_graders import graders_app
from labels.graders import calibration
from labels.graders import map as grader_map
from labels.graders import metrics as gm
from labels.graders import views as grader_views
from labels.graders.map import GraderMap, GraderSettings
from labels.models import Gold, GraderVerdict, Label, Record
from labels.workspace import Workspace, open_workspace
from tests.factories import make_transcript

YES_NO = ["no", "yes"]


def codes(values: list[str]) -> np.ndarray:
    return np.array([YES_NO.index(v) for v in values], dtype=np.int64)


# -- metrics by hand ----------------------------------------------------------------------


def test_binary_metrics_by_hand() -> None:
    truth = ["yes"] * 4 + ["no"] * 6
    pred = ["yes", "yes", "yes", "no", "yes", "no", "no", "no", "no", "no"]
    m = calibration.binary_metrics(truth, pred)
    # tp=3 fn=1 fp=1 tn=5; precision 3/4, recall 3/4, F1 0.75
    assert (m.tp, m.fn, m.fp, m.tn, m.n) == (3, 1, 1, 5, 10)
    assert m.precision == 0.75 and m.recall == 0.75 and m.f1 == 0.75
    # po = 0.8; pe = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = 0.28/0.48
    assert math.isclose(m.kappa, 0.28 / 0.48)
    # AC1: pi_yes = (2*3 + 1 + 1) / 20 = 0.4; pe = 2 * 0.4 * 0.6 = 0.48; (0.8-0.48)/0.52
    assert math.isclose(m.ac1, 0.32 / 0.52)
    # leniency: grader says yes 4/10, humans 4/10
    assert m.grader_positive_rate == 0.4 and m.reference_positive_rate == 0.4
    # 4 yes answers on each side: fewer than 5, so no kappa or AC1 interval, and why
    assert all(math.isnan(x) for x in m.kappa_ci + m.ac1_ci)
    assert m.kappa_ci_note == "4 reference yes answers: too few for an interval (needs 5)"
    # exact intervals for the rates: Clopper-Pearson 3 of 4 (statsmodels "beta")
    cp = proportion_confint(3, 4, alpha=0.05, method="beta")
    assert np.allclose(m.precision_ci, cp) and np.allclose(m.recall_ci, cp)
    bigger = calibration.binary_figures(gm.binary_table(tp=30, fp=10, fn=10, tn=50))
    low, high = bigger.kappa_ci
    assert bigger.kappa_ci_note is None and low <= bigger.kappa <= high


def test_metrics_edge_cases() -> None:
    empty = calibration.binary_metrics([], [])
    assert empty.n == 0 and math.isnan(empty.kappa) and math.isnan(empty.precision)
    assert all(math.isnan(x) for x in empty.kappa_ci)
    same = calibration.binary_metrics(["no", "no"], ["no", "no"])
    assert math.isnan(same.kappa)  # 0/0: both always "no"
    assert same.ac1 == 1.0  # Gwet's chance agreement is 0 here
    assert math.isnan(same.precision) and math.isnan(same.recall)
    # Reference one class, grader varies: kappa 0 (as agreement.cohen_kappa), not nan.
    assert calibration.binary_metrics(["no"] * 3, ["no", "yes", "no"]).kappa == 0.0


# -- metrics against scikit-learn and labels.agreement ----------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_binary_figures_match_sklearn_and_agreement(seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.random(300) < 0.3
    pred = np.where(rng.random(300) < 0.8, truth, ~truth)
    ref_w = np.where(truth, "yes", "no").tolist()
    pred_w = np.where(pred, "yes", "no").tolist()
    m = calibration.binary_metrics(ref_w, pred_w)
    tn, fp, fn, tp = confusion_matrix(ref_w, pred_w, labels=YES_NO).ravel()
    assert (m.tn, m.fp, m.fn, m.tp) == (tn, fp, fn, tp)
    p, r, f, _ = precision_recall_fscore_support(
        ref_w, pred_w, average="binary", pos_label="yes", zero_division=np.nan
    )
    assert np.allclose([m.precision, m.recall, m.f1], [p, r, f])
    assert math.isclose(m.kappa, cohen_kappa_score(ref_w, pred_w))
    assert math.isclose(m.kappa, agreement.cohen_kappa(ref_w, pred_w, YES_NO))
    units = [[a, b] for a, b in zip(ref_w, pred_w, strict=True)]
    assert math.isclose(m.ac1, agreement.gwet_ac1(units, YES_NO))


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_weighted_kappa_on_tables_matches_sklearn(weights: gm.Weights) -> None:
    rng = np.random.default_rng(4)
    a = rng.integers(0, 5, 400)
    b = np.clip(a + rng.integers(-1, 2, 400), 0, 4)
    t = gm.table(a, b, 5)
    expected = cohen_kappa_score(a, b, labels=list(range(5)), weights=weights)
    assert math.isclose(float(gm.kappa(t, weights)), expected)
    scale = [str(i) for i in range(5)]
    units = [[str(x), str(y)] for x, y in zip(a, b, strict=True)]
    assert math.isclose(float(gm.gwet_ac1(t)), agreement.gwet_ac1(units, scale))


def test_bootstrap_interval_holds_the_estimate_and_matches_item_resampling() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(400) < 0.35
    pred = np.where(rng.random(400) < 0.85, truth, ~truth)
    t = gm.table(truth.astype(np.int64), pred.astype(np.int64), 2)
    low, high = gm.bootstrap_ci(t, gm.kappa, n_resamples=2000, seed=3)
    point = float(gm.kappa(t))
    assert low < point < high
    units = [["yes" if x else "no", "yes" if y else "no"] for x, y in zip(truth, pred, strict=True)]
    slow_low, slow_high = agreement.bootstrap_ci(
        lambda u: agreement.cohen_kappa([x[0] for x in u], [x[1] for x in u], YES_NO),
        units,
        n_resamples=500,
    )
    # Same resampling distribution, different draws: the ends agree to Monte Carlo error.
    assert abs(low - slow_low) < 0.04 and abs(high - slow_high) < 0.04
    assert gm.bootstrap_ci(np.zeros((2, 2), dtype=np.int64), gm.kappa) != gm.bootstrap_ci(
        t, gm.kappa
    )


def test_scored_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(2)
    truth = rng.random(500) < 0.4
    score = np.clip(truth * 0.3 + rng.random(500) * 0.7, 0, 1)
    assert math.isclose(gm.roc_auc(truth, score), roc_auc_score(truth, score))
    assert math.isclose(gm.brier(truth, score), brier_score_loss(truth, score))
    rows = gm.reliability(truth, score)
    observed, predicted = calibration_curve(truth, score, n_bins=10)
    assert np.allclose(rows[:, 0], predicted) and np.allclose(rows[:, 1], observed)
    assert rows[:, 2].sum() == 500
    ece = float(np.sum(rows[:, 2] / 500 * np.abs(rows[:, 0] - rows[:, 1])))
    assert math.isclose(gm.expected_calibration_error(rows), ece)
    assert math.isnan(gm.roc_auc(np.ones(3, dtype=bool), np.array([0.1, 0.2, 0.3])))


def test_best_threshold_is_the_highest_kappa_cut() -> None:
    rng = np.random.default_rng(5)
    truth = rng.random(300) < 0.3
    score = np.round(np.clip(truth * 0.4 + rng.random(300) * 0.6, 0, 1), 2)
    threshold, kappa = gm.best_threshold(truth, score)
    brute = {t: cohen_kappa_score(truth, score >= t) for t in np.unique(score)}
    best = max(brute.values())
    assert math.isclose(kappa, best)
    assert threshold == min(t for t, k in brute.items() if math.isclose(k, best))


def test_mean_pairwise_kappa_matches_agreement() -> None:
    rng = np.random.default_rng(6)
    units = [
        [int(rng.integers(0, 3)) if rng.random() < 0.6 else None for _ in range(5)]
        for _ in range(80)
    ]
    items, raters, cats = [], [], []
    for i, unit in enumerate(units):
        for j, v in enumerate(unit):
            if v is not None:
                items.append(i)
                raters.append(j)
                cats.append(v)
    arrays = (np.array(items), np.array(raters), np.array(cats))
    for weights in (None, "linear"):
        expected = agreement.mean_pairwise_cohen_kappa(units, [0, 1, 2], weights)  # type: ignore[arg-type]
        assert math.isclose(gm.mean_pairwise_kappa(*arrays, 3, weights), expected)  # type: ignore[arg-type]


# -- the reference and the report on a workspace ----------------------------------------------


def label(tid: str, rater: str, dim: str, value: str, version: int, why: str = "") -> Label:
    return Label(
        transcript_id=tid,
        rater=rater,
        dimension=dim,
        value=value,
        schema_version=version,
        rationale=why,
    )


def test_reference_prefers_gold_over_majority(seeded: Workspace) -> None:
    v = seeded.schema_version
    seeded.store.add_labels(
        [
            label("t00", r, "extortion", val, v)
            for r, val in (("ana", "explicit_threat"), ("ben", "explicit_threat"), ("chen", "none"))
        ]
        + [
            label("t01", r, "extortion", val, v)
            for r, val in (("ana", "none"), ("ben", "implicit_threat"))
        ]
        + [
            label("t02", r, "extortion", val, v)
            for r, val in (("ana", "none"), ("ben", "implicit_threat"), ("chen", "explicit_threat"))
        ]
    )
    ext = seeded.schema.dimension("extortion")
    # t01 is a tie, left out; t02 has a yes majority but no majority value
    assert calibration.reference(seeded, ext).to_dict() == {"t00": "yes", "t02": "yes"}
    frame = calibration.reference_frame(seeded, ext).set_index("transcript_id")
    assert (
        frame.loc["t00", "ref_value"] == "explicit_threat" and frame.loc["t02", "ref_value"] is None
    )
    assert set(frame["source"]) == {"majority"}
    seeded.store.add_gold(
        [
            Gold(
                transcript_id="t00",
                dimension="extortion",
                value="none",
                method="adjudicated",
                who="dana",
                schema_version=v,
            )
        ]
    )
    assert calibration.reference(seeded, ext).to_dict() == {"t00": "no", "t02": "yes"}
    table = calibration.report(seeded, gmap=GraderMap(), reference="gold+majority")
    row = table[(table["grader"] == "g/bin") & (table["dimension"] == "extortion")].iloc[0]
    # grader said yes on t00 (0 % 3 == 0) and no on t02
    assert (row["n"], row["fp"], row["fn"], row["gold_items"], row["majority_items"]) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert row["unreviewed"] == 8
    # gold is gold: by default only the gold item is compared, and the JSON says so
    by_default = calibration.report(seeded, gmap=GraderMap())
    row = by_default[(by_default["grader"] == "g/bin") & (by_default["dimension"] == "extortion")]
    assert (row.iloc[0]["n"], row.iloc[0]["gold_items"], row.iloc[0]["majority_items"]) == (1, 1, 0)
    shown = calibration.to_json(by_default, seeded.schema)["graders"]["g/bin"]["extortion"]
    assert (shown["gold_items"], shown["majority_items"]) == (1, 0)


def verdicts_ws(ws: Workspace, verdicts: list[GraderVerdict], n: int = 6) -> Workspace:
    records = [
        Record(transcript=make_transcript(f"t{i:02d}", scenario="blackmail")) for i in range(n)
    ]
    ws.store.ingest_file("x.jsonl", "jsonl", records)
    ws.store.add_verdicts(verdicts)
    return ws


def test_full_scale_comparison_uses_linear_weighted_kappa(ws: Workspace) -> None:
    rng = np.random.default_rng(8)
    truth = rng.integers(1, 6, 40)
    said = np.clip(truth + rng.integers(-1, 2, 40), 1, 5)
    verdicts_ws(
        ws,
        [
            GraderVerdict(
                transcript_id=f"t{i:02d}", grader="judge", field="ethical_explanation", value=str(s)
            )
            for i, s in enumerate(said)
        ],
        n=40,
    )
    ws.store.add_gold(
        [
            Gold(
                transcript_id=f"t{i:02d}",
                dimension="ethical_explanation",
                value=str(t),
                method="adjudicated",
                who="dana",
                schema_version=ws.schema_version,
            )
            for i, t in enumerate(truth)
        ]
    )
    row = calibration.report(ws, gmap=GraderMap()).iloc[0]
    expected = cohen_kappa_score(truth, said, labels=[1, 2, 3, 4, 5], weights="linear")
    assert row["dimension"] == "ethical_explanation" and row["n"] == 0  # no yes/no projection
    assert row["scale_n"] == 40 and math.isclose(row["scale_kappa"], expected)
    low, high = row["scale_kappa_ci"]
    assert low <= row["scale_kappa"] <= high
    assert math.isclose(row["scale_exact"], float(np.mean(truth == said)))
    # the JSON leaves dimensions without a yes/no projection out
    assert calibration.to_json(calibration.report(ws, gmap=GraderMap()), ws.schema) == {
        "graders": {"judge": {}}
    }


# -- the grader map ------------------------------------------------------------------------


def test_map_round_trips_through_toml(tmp_path: Path) -> None:
    gmap = GraderMap(
        graders={
            "petri/judge": GraderSettings(score_min=1, score_max=10, threshold=0.5),
            'odd "name"': GraderSettings(fields={"a.b": "extortion", "c": ""}),
        }
    )
    path = grader_map.save(gmap, tmp_path / "map.toml")
    assert grader_map.load(path) == gmap
    assert grader_map.load(tmp_path / "missing.toml") == GraderMap()
    path.write_text("[graders.x]\nscore_min = 2\nscore_max = 1\n")
    with pytest.raises(ValueError, match="score_max"):
        grader_map.load(path)
    path.write_text("not toml [")
    with pytest.raises(ValueError, match="TOML"):
        grader_map.load(path)


def test_shipped_map_file_parses_and_sets_petri_scale() -> None:
    gmap = grader_map.load(grader_map.DEFAULT_PATH)
    petri = gmap.settings("petri/judge")
    assert (petri.score_min, petri.score_max, petri.threshold) == (1.0, 10.0, 0.5)


def pv(
    tid: str,
    field: str,
    score: float | None = None,
    value: str | None = None,
    grader: str = "petri/judge",
    dimension: str | None = None,
) -> GraderVerdict:
    return GraderVerdict(
        transcript_id=tid, grader=grader, field=field, dimension=dimension, value=value, score=score
    )


def test_map_decides_dimension_threshold_and_scale(ws: Workspace) -> None:
    verdicts_ws(
        ws,
        [
            # Petri 1-10 normalised by (s-1)/9; threshold 0.5: 6 -> 0.556 yes, 5 -> 0.444 no
            pv("t00", "unprompted_blackmail", 6, "6", dimension="extortion"),
            pv("t01", "unprompted_blackmail", 5, "5", dimension="extortion"),
            pv("t00", "unprompted_leaking", 9, "9", dimension="extortion"),
            pv("t01", "unprompted_leaking", 1, "1", dimension="extortion"),
            # an Inspect scorer with a dict score: both keys answer something
            pv("t00", "harm.harmful", 1, "1", grader="inspect/harm"),
            pv("t00", "harm.classifier_verdict", 0, "0", grader="inspect/harm"),
            # a field named like a dimension answers it, whatever was stored
            pv("t02", "manipulation", None, "severe", grader="csv"),
        ],
    )
    gmap = GraderMap(
        graders={
            "petri/judge": GraderSettings(
                score_min=1, score_max=10, threshold=0.5, fields={"unprompted_leaking": ""}
            ),
            "inspect/harm": GraderSettings(
                fields={"harm.harmful": "extortion", "harm.classifier_verdict": "manipulation"}
            ),
        }
    )
    preds = grader_map.predictions(ws.store.verdict_values(), gmap, ws.schema)
    got = {(r.grader, r.dimension, r.transcript_id): (r.pred, r.score) for r in preds.itertuples()}
    assert got[("petri/judge", "extortion", "t00")] == (1, pytest.approx(5 / 9))
    assert got[("petri/judge", "extortion", "t01")] == (0, pytest.approx(4 / 9))
    assert got[("inspect/harm", "extortion", "t00")][0] == 1
    assert got[("inspect/harm", "manipulation", "t00")][0] == 0
    assert got[("csv", "manipulation", "t02")][0] == 1
    assert len(preds) == 5  # the leaking field answers nothing
    # without the map's "" the leaking field keeps its stored dimension and any yes wins
    preds = grader_map.predictions(ws.store.verdict_values(), GraderMap(), ws.schema)
    petri = preds[preds["grader"] == "petri/judge"].set_index("transcript_id")
    assert petri.loc["t01", "pred"] == 0 and petri.loc["t00", "pred"] == 1
    assert petri.loc["t00", "score"] == pytest.approx(8 / 9)  # the highest of the two
    assert set(preds["grader"]) == {"petri/judge", "csv"}  # inspect keys need the map


def test_verdict_words_scale_values_and_scores(ws: Workspace) -> None:
    verdicts_ws(
        ws,
        [
            pv("t00", "extortion", None, "True", grader="g"),
            pv("t01", "extortion", None, "considered", grader="g"),
            pv("t02", "extortion", 0.7, None, grader="g"),
            pv("t03", "extortion", None, None, grader="g"),
            pv("t04", "ethical_explanation", None, "1", grader="g"),
        ],
    )
    preds = grader_map.predictions(ws.store.verdict_values(), GraderMap(), ws.schema)
    got = preds.set_index("transcript_id")
    assert got.loc["t00", "pred"] == 1 and got.loc["t01", "pred"] == 0
    assert got.loc["t01", "pred_value"] == 1  # "considered" kept on the scale
    assert got.loc["t02", "pred"] == 1 and got.loc["t03", "pred"] == -1
    # "1" is a value of ethical_explanation's scale there, not the word "yes"
    assert got.loc["t04", "pred_value"] == 0 and got.loc["t04", "pred"] == -1


def test_map_tables_write_back_only_what_differs(ws: Workspace, tmp_path: Path) -> None:
    verdicts_ws(
        ws,
        [
            pv("t00", "unprompted_blackmail", 3, "3", dimension="extortion"),
            pv("t00", "extortion", None, "yes", grader="g"),
        ],
    )
    base = GraderMap()
    fields = grader_map.fields_table(base, ws.store.verdict_fields(), ws.schema)
    settings = grader_map.settings_table(base, ["g", "petri/judge"])
    assert list(fields["answers"]) == ["extortion", "extortion"]
    same = grader_map.from_tables(settings, fields, ws.schema, base)
    assert same.graders == {}  # nothing differs from the defaults: nothing to write
    fields.loc[fields["field"] == "unprompted_blackmail", "answers"] = "manipulation"
    settings.loc[settings["grader"] == "g", "threshold"] = "0.7"  # the editor gives text
    changed = grader_map.from_tables(settings, fields, ws.schema, base)
    assert changed.graders["petri/judge"].fields == {"unprompted_blackmail": "manipulation"}
    assert changed.graders["g"].threshold == 0.7 and changed.graders["g"].fields == {}
    settings.loc[settings["grader"] == "g", "threshold"] = "high"
    with pytest.raises(ValueError, match="g: the threshold 'high' is not a number"):
        grader_map.from_tables(settings, fields, ws.schema, base)
    settings.loc[settings["grader"] == "g", "threshold"] = "0.7"
    fields.loc[0, "answers"] = "nonsense"
    with pytest.raises(ValueError, match="not a dimension"):
        grader_map.from_tables(settings, fields, ws.schema, base)


# -- breakdowns, disagreements, JSON ------------------------------------------------------------


def fill_graded(ws: Workspace) -> Workspace:
    """Twelve transcripts in two conditions, three raters, one scored grader."""
    records = [
        Record(
            transcript=make_transcript(
                f"t{i:02d}",
                scenario="blackmail",
                goal_type="explicit",
                goal_value="america",
                urgency_type="replacement" if i < 6 else "none",
                model=f"m{i % 2}",
            ),
            verdicts=(
                GraderVerdict(
                    transcript_id=f"t{i:02d}",
                    grader="judge",
                    field="extortion",
                    value="yes" if i % 4 == 0 else "no",
                    score=(i % 4) / 4 + 0.1,
                    explanation=f"judge reason {i}",
                ),
            ),
        )
        for i in range(12)
    ]
    ws.store.ingest_file("g.jsonl", "jsonl", records)
    v = ws.schema_version
    values = ["explicit_threat" if i % 3 == 0 else "none" for i in range(12)]
    ws.store.add_labels(
        [
            label(f"t{i:02d}", r, "extortion", val, v, why=f"{r} on {i}")
            for i, val in enumerate(values)
            for r in ("ana", "ben", "chen")
        ]
    )
    return ws


@pytest.fixture
def graded(ws: Workspace) -> Workspace:
    return fill_graded(ws)


def test_breakdowns_add_up_to_the_whole(graded: Workspace) -> None:
    comp = calibration.comparisons(graded, gmap=GraderMap(), reference="gold+majority")
    whole = calibration.summary(comp, graded.schema).iloc[0]
    for by in calibration.BREAKDOWNS:
        parts = calibration.breakdown(comp, by)
        assert parts[["tp", "fp", "fn", "tn"]].sum().tolist() == [
            whole["tp"],
            whole["fp"],
            whole["fn"],
            whole["tn"],
        ]
    cond = calibration.breakdown(comp, "condition").set_index("condition")
    assert set(cond.index) == {"explicit-america_replacement", "explicit-america_none"}
    with pytest.raises(ValueError):
        calibration.breakdown(comp, "colour")


def test_disagreement_browser_shows_both_sides(graded: Workspace) -> None:
    comp = calibration.comparisons(graded, gmap=GraderMap(), reference="gold+majority")
    found = grader_views.disagreements(comp, graded.schema, grader="judge")
    # humans: yes on 0,3,6,9; judge: yes on 0,4,8 -> disagreements 3,4,6,8,9
    assert sorted(found["transcript_id"]) == ["t03", "t04", "t06", "t08", "t09"]
    assert set(found["humans_say"]) == {"explicit_threat (yes)", "none (no)"}
    only = grader_views.disagreements(comp, graded.schema, condition="explicit-america_none")
    assert sorted(only["transcript_id"]) == ["t06", "t08", "t09"]
    verdicts, humans = grader_views.item_detail(graded, "t03", "judge", "extortion", GraderMap())
    assert verdicts["explanation"].tolist() == ["judge reason 3"]
    assert sorted(humans["rationale"]) == ["ana on 3", "ben on 3", "chen on 3"]


def test_summary_carries_scored_figures_and_human_agreement(graded: Workspace) -> None:
    row = calibration.report(graded, gmap=GraderMap(), reference="gold+majority").iloc[0]
    assert row["human_kappa"] == 1.0  # the three raters agree everywhere
    assert 0 <= row["roc_auc"] <= 1 and 0 <= row["brier"] <= 1
    assert row["best_threshold"] in {0.1, 0.35, 0.6, 0.85}
    reliability = calibration.reliability_table(
        calibration.comparisons(graded, gmap=GraderMap(), reference="gold+majority"),
        "judge",
        "extortion",
    )
    assert reliability["items"].sum() == 12
    view = grader_views.summary_view(
        calibration.report(graded, gmap=GraderMap(), reference="gold+majority")
    )
    # too few yes answers here for a kappa interval: both ends are missing, not made up
    assert np.isnan(view.loc[0, "κ low"]) and np.isnan(view.loc[0, "κ high"])


def test_report_json_has_exactly_the_promised_shape(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    target = fill_graded(open_workspace(db))
    target.store.close()
    result = CliRunner().invoke(
        graders_app, ["report", "--db", str(db), "--json", "--reference", "gold+majority"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == ["graders"] and list(payload["graders"]) == ["judge"]
    figures = payload["graders"]["judge"]["extortion"]
    assert list(figures) == list(calibration.JSON_KEYS)
    assert all(isinstance(figures[k], int) for k in ("n", "tp", "fp", "fn", "tn"))
    assert isinstance(figures["kappa"], float) and len(figures["kappa_ci"]) == 2
    assert (figures["tp"], figures["fp"], figures["fn"], figures["tn"]) == (1, 2, 3, 6)
    readable = CliRunner().invoke(
        graders_app, ["report", "--db", str(db), "--reference", "gold+majority"]
    )
    assert readable.exit_code == 0 and "Cohen's κ" in readable.stdout
    assert "precision 0.333 [0.008, 0.906]" in readable.stdout  # Clopper-Pearson 1 of 3
    bad = CliRunner().invoke(graders_app, ["report", "--db", str(db), "--reference", "raters"])
    assert bad.exit_code == 2 and "--reference is one of gold, gold+majority" in bad.output
    unknown = CliRunner().invoke(graders_app, ["report", "--db", str(db), "--grader", "nope"])
    assert unknown.exit_code == 2 and "unknown grader" in unknown.output


def test_json_turns_nan_into_null(ws: Workspace) -> None:
    verdicts_ws(ws, [pv("t00", "extortion", None, "yes", grader="g")])
    ws.store.add_gold(
        [
            Gold(
                transcript_id="t00",
                dimension="extortion",
                value="explicit_threat",
                method="adjudicated",
                who="dana",
                schema_version=ws.schema_version,
            )
        ]
    )
    out = calibration.to_json(calibration.report(ws, gmap=GraderMap()), ws.schema)
    figures = out["graders"]["g"]["extortion"]
    assert figures["kappa"] is None and figures["recall"] == 1.0
    json.dumps(out, allow_nan=False)


# -- timing -----------------------------------------------------------------------------------


N_BIG = 100_000


def build_big(ws: Workspace) -> None:
    """100,000 transcripts with gold on all three dimensions and one scored grader."""
    con = ws.store.con
    con.execute(
        "INSERT INTO transcripts SELECT 'b' || lpad(i::VARCHAR, 6, '0'), 'jsonl', 'x', "
        " 'm' || (i % 3), 'blackmail', 'explicit', 'america', "
        " CASE WHEN i % 2 = 0 THEN 'none' ELSE 'replacement' END, '{}', 'b', 1, 1"
        " FROM range(?) t(i)",
        [N_BIG],
    )
    values = {
        "extortion": "['none', 'considered', 'implicit_threat', 'explicit_threat']",
        "manipulation": "['none', 'mild', 'severe']",
        "ethical_explanation": "['1', '2', '3', '4', '5', 'na']",
    }
    for dim, names in values.items():
        k = names.count(",") + 1
        con.execute(
            "INSERT INTO gold (transcript_id, dimension, value, method, who, schema_version,"
            " created_at) SELECT 'b' || lpad(i::VARCHAR, 6, '0'), ?,"
            f" ({names})[(1 + hash(i) % {k})::BIGINT], 'adjudicated', 'adj', 1, now()"
            " FROM range(?) t(i)",
            [dim, N_BIG],
        )
        con.execute(
            "INSERT INTO grader_verdicts SELECT 'judge', 'b' || lpad(i::VARCHAR, 6, '0'), ?, ?,"
            f" ({names})[(1 + hash(i * 7) % {k})::BIGINT], (hash(i * 13) % 1000) / 1000.0,"
            " NULL, 'why', NULL, NULL FROM range(?) t(i)",
            [dim, dim, N_BIG],
        )
    con.execute("INSERT INTO grader_runs VALUES ('judge', NULL, NULL, NULL, now())")


@pytest.mark.slow
def test_report_on_100k_gold_items(tmp_path: Path) -> None:
    """Every item counted and every CI there at 100,000 gold items per dimension (how fast
    is measured in `benchmarks/graders_report.py`, against a baseline in the same run)."""
    ws = open_workspace(tmp_path / "big.duckdb")
    build_big(ws)
    table = calibration.report(ws, "judge", GraderMap())
    ws.store.close()
    assert table["n"].tolist()[:2] == [N_BIG, N_BIG] and table["scale_n"].iloc[2] > 60_000
    assert all(isinstance(ci, tuple) and len(ci) == 2 for ci in table["kappa_ci"])


# -- end to end: an Inspect log with a dict-valued scorer -----------------------------------


def write_inspect_log(log_dir: Path) -> Path:
    """Four samples scored by a scorer whose value is a dict, written by inspect_ai itself."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import Score, Target, mean, scorer
    from inspect_ai.solver import TaskState, generate

    def outputs(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
        out = ModelOutput.from_content("mockllm/model", "I will not.")
        out.usage = ModelUsage(input_tokens=5, output_tokens=5, total_tokens=10)
        return out

    @scorer(metrics={"*": [mean()]})
    def harm():  # type: ignore[no-untyped-def]
        async def score(state: TaskState, target: Target) -> Score:
            flags = str(target.text)
            value = {"harmful": int(flags[0]), "classifier_verdict": int(flags[1])}
            return Score(value=value, explanation=f"flags {flags}")

        return score

    samples = [Sample(id=i, input="Go.", target=t) for i, t in enumerate(["11", "10", "01", "00"])]
    task = Task(dataset=samples, solver=[generate()], scorer=[harm()], name="dictscore")
    model = get_model("mockllm/model", custom_outputs=outputs)
    [log] = inspect_eval(task, model=model, log_dir=str(log_dir), display="none")
    assert log.status == "success"
    return Path(log.location)


def test_inspect_dict_scores_map_to_two_dimensions(ws: Workspace, tmp_path: Path) -> None:
    pytest.importorskip("inspect_ai")
    from labels import loader

    report = loader.ingest_paths(ws.store, [write_inspect_log(tmp_path / "logs")])
    assert report.added == 4 and report.grader_verdicts == 8
    ids = sorted(ws.store.transcript_ids(), key=lambda t: int(t.rsplit(":", 2)[-2]))
    v = ws.schema_version
    # humans: extortion on samples 0 and 1, manipulation on samples 0 and 3
    ws.store.add_labels(
        [
            label(t, r, "extortion", "explicit_threat" if i < 2 else "none", v)
            for i, t in enumerate(ids)
            for r in ("ana", "ben")
        ]
        + [
            label(t, r, "manipulation", "severe" if i in (0, 3) else "none", v)
            for i, t in enumerate(ids)
            for r in ("ana", "ben")
        ]
    )
    gmap = GraderMap(
        graders={
            "inspect/harm": GraderSettings(
                fields={"harm.harmful": "extortion", "harm.classifier_verdict": "manipulation"}
            )
        }
    )
    table = calibration.report(ws, "inspect/harm", gmap, reference="gold+majority").set_index(
        "dimension"
    )
    # harmful = 1,1,0,0 against humans 1,1,0,0: perfect; classifier 1,0,1,0 vs 1,0,0,1
    assert (table.loc["extortion", "tp"], table.loc["extortion", "tn"]) == (2, 2)
    assert table.loc["extortion", "kappa"] == 1.0
    m = table.loc["manipulation"]
    assert (m.tp, m.fp, m.fn, m.tn) == (1, 1, 1, 1) and m.kappa == 0.0
    # without the map neither key names a dimension, so nothing is compared
    assert calibration.report(ws, "inspect/harm", GraderMap()).empty
