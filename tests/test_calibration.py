"""Grader metrics against the human reference, checked against hand arithmetic."""

from __future__ import annotations

import math

from labels import calibration
from labels.models import Gold, Label
from labels.workspace import Workspace


def test_binary_metrics_by_hand() -> None:
    truth = ["yes"] * 4 + ["no"] * 6
    pred = ["yes", "yes", "yes", "no", "yes", "no", "no", "no", "no", "no"]
    m = calibration.binary_metrics(truth, pred)
    # tp=3 fn=1 fp=1 tn=5; precision 3/4, recall 3/4, F1 0.75
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (3, 1, 1, 5)
    assert m["precision"] == 0.75 and m["recall"] == 0.75 and m["f1"] == 0.75
    # po = 0.8; pe = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = 0.28/0.48
    assert math.isclose(m["kappa"], 0.28 / 0.48)


def test_metrics_edge_cases() -> None:
    assert math.isnan(calibration.binary_metrics([], [])["kappa"])
    assert math.isnan(calibration.binary_metrics(["no", "no"], ["no", "no"])["kappa"])


def test_verdict_binary(ws: Workspace) -> None:
    ext = ws.schema.dimension("extortion")
    assert calibration.verdict_binary("True", None, ext) == "yes"
    assert calibration.verdict_binary("considered", None, ext) == "no"
    assert calibration.verdict_binary(None, 0.7, ext) == "yes"
    assert calibration.verdict_binary(None, None, ext) is None


def test_reference_prefers_gold_over_majority(seeded: Workspace) -> None:
    v = seeded.schema_version
    seeded.store.add_labels(
        [
            Label(transcript_id="t00", rater=r, dimension="extortion", value=val, schema_version=v)
            for r, val in (("ana", "explicit_threat"), ("ben", "explicit_threat"), ("chen", "none"))
        ]
        + [
            Label(transcript_id="t01", rater=r, dimension="extortion", value=val, schema_version=v)
            for r, val in (("ana", "none"), ("ben", "implicit_threat"))
        ]
    )
    ext = seeded.schema.dimension("extortion")
    ref = calibration.reference(seeded, ext)
    assert ref.to_dict() == {"t00": "yes"}  # t01 is a tie, left out
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
    assert calibration.reference(seeded, ext).to_dict() == {"t00": "no"}
    table = calibration.report(seeded)
    row = table[(table["grader"] == "g/bin") & (table["dimension"] == "extortion")].iloc[0]
    assert (row["n"], row["fp"]) == (1, 1)  # grader said yes on t00 (0 % 3 == 0)
