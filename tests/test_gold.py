"""Consensus rules on hand-made cases, the adjudication queue, append-only gold."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from labels import gold
from labels.models import Label
from labels.schema import Project
from labels.workspace import Workspace


@pytest.fixture
def ext(ws: Workspace):  # type: ignore[no-untyped-def]
    return ws.schema.dimension("extortion")


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        (["none", "none"], gold.Rule("unanimous", 2), "none"),
        (["none"], gold.Rule("unanimous", 2), None),  # too few raters
        (["none", "considered"], gold.Rule("unanimous", 2), None),
        (["none", "none", "considered"], gold.Rule("majority", 2), "none"),
        (["none", "considered"], gold.Rule("majority", 2), None),  # tie: never a coin flip
        (["none", "none", "considered", "considered"], gold.Rule("majority", 2), None),
        (["none", "considered", "considered"], gold.Rule("median", 2, 1), "considered"),
        (["none", "implicit_threat"], gold.Rule("median", 2, 1), None),  # spread 2 > 1
        (["none", "implicit_threat"], gold.Rule("median", 2, 2), None),  # tie: adjudicate
        (["considered", "implicit_threat"], gold.Rule("median", 2, 1), None),  # tie
        (["considered", "implicit_threat"], gold.Rule("median", 2, 1, "lower"), "considered"),
        (["considered", "implicit_threat"], gold.Rule("median", 2, 1, "upper"), "implicit_threat"),
        (["none", "considered", "considered", "none"], gold.Rule("median", 2, 1), None),
        (
            ["none", "considered", "considered", "considered"],
            gold.Rule("median", 2, 1),
            "considered",
        ),
    ],
)
def test_decide(values: list[str], rule: gold.Rule, expected: str | None, ext) -> None:  # type: ignore[no-untyped-def]
    assert gold.decide(values, ext, rule) == expected


def test_spread_is_scale_steps_for_ordinal(ext) -> None:  # type: ignore[no-untyped-def]
    assert gold.spread(["none", "explicit_threat"], ext) == 3.0
    assert gold.spread(["none", "none"], ext) == 0.0


def test_queue_orders_by_disagreement_and_gold_is_append_only(seeded: Workspace) -> None:
    v = seeded.schema_version

    def lab(t: str, r: str, value: str) -> Label:
        return Label(transcript_id=t, rater=r, dimension="extortion", value=value, schema_version=v)

    seeded.store.add_labels(
        [
            lab("t01", "ana", "none"),
            lab("t01", "ben", "considered"),
            lab("t02", "ana", "none"),
            lab("t02", "ben", "explicit_threat"),
            lab("t03", "ana", "none"),
            lab("t03", "ben", "none"),
        ]
    )
    todo = gold.adjudication_queue(seeded, gold.Rule("unanimous", 2))
    assert todo["transcript_id"].tolist() == ["t02", "t01"]
    gold.adjudicate(seeded, "dana", "t02", "extortion", "explicit_threat", "clear threat in #3")
    gold.adjudicate(seeded, "dana", "t02", "extortion", "implicit_threat", "on reflection, veiled")
    current = seeded.store.current_gold("extortion")
    assert current["value"].tolist() == ["implicit_threat"]
    assert seeded.store.counts()["gold"] == 2
    assert gold.adjudication_queue(seeded, gold.Rule("unanimous", 2))["transcript_id"].tolist() == [
        "t01"
    ]
    with pytest.raises(ValueError, match="not a value"):
        gold.adjudicate(seeded, "dana", "t01", "extortion", "maybe")


def _labels(ws: Workspace, rows: list[tuple[str, str, str, str]]) -> None:
    ws.store.add_labels(
        [
            Label(transcript_id=t, rater=r, dimension=d, value=v, schema_version=ws.schema_version)
            for t, r, d, v in rows
        ]
    )


def test_apply_consensus_writes_decided_items_and_respects_adjudication(seeded: Workspace) -> None:
    _labels(
        seeded,
        [
            ("t01", "ana", "extortion", "none"),
            ("t01", "ben", "extortion", "none"),
            ("t02", "ana", "extortion", "none"),
            ("t02", "ben", "extortion", "considered"),
            ("t03", "ana", "extortion", "explicit_threat"),
            ("t03", "ben", "extortion", "explicit_threat"),
        ],
    )
    gold.adjudicate(seeded, "dana", "t03", "extortion", "implicit_threat", "veiled, not explicit")
    assert gold.apply_consensus(seeded) == 1  # t01 only: t02 is a tie, t03 is adjudicated
    current = seeded.store.current_gold("extortion").set_index("transcript_id")
    assert current.loc["t01", "method"] == "unanimous" and current.loc["t01", "who"] == "consensus"
    assert current.loc["t03", "value"] == "implicit_threat"
    assert gold.apply_consensus(seeded) == 0  # idempotent
    _labels(seeded, [("t01", "chen", "extortion", "considered")])
    assert gold.apply_consensus(seeded, gold.Rule("majority", 2)) == 0  # none still wins 2-1
    assert gold.undecided(seeded).totals()["extortion"] == 1  # t02


def test_send_back_reopens_for_the_raters_with_the_question(seeded: Workspace) -> None:
    _labels(
        seeded, [("t05", "ana", "manipulation", "mild"), ("t05", "ben", "manipulation", "none")]
    )
    sent = gold.send_back(seeded, "dana", "t05", "manipulation", "Is the deadline real?")
    assert sent == ["ana", "ben"]

    assert seeded.next_item("ana") == "t05"
    note = seeded.store.assignment_note("ana", "t05")
    assert note is not None and note.kind == "question"
    assert note.text == "Question from dana on manipulation: Is the deadline real?"
    gold.mark_unclear(seeded, "dana", "t05", "manipulation", "mild vs none needs an anchor")
    notes = seeded.store.case_notes()
    assert notes["kind"].tolist() == ["guideline_unclear", "question"]
    with pytest.raises(ValueError, match="question"):
        gold.send_back(seeded, "dana", "t05", "manipulation", "  ")


def test_the_schema_can_send_even_median_ties_to_one_side() -> None:
    project = Project(consensus="median", median_even_ties="upper")
    rule = gold.Rule(
        project.consensus, project.min_raters, project.max_spread, project.median_even_ties
    )
    assert rule.describe() == "median of ≥2 raters, spread ≤1, even ties to the upper"
    assert Project().median_even_ties == "adjudicate"


RULES = [
    gold.Rule("unanimous", 2),
    gold.Rule("majority", 2),
    gold.Rule("majority", 1),
    gold.Rule("median", 2, 1, "adjudicate"),
    gold.Rule("median", 2, 2, "lower"),
    gold.Rule("median", 3, 1, "upper"),
]


def _random_labels(ws: Workspace, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for t in range(300):
        for d in ws.schema.dimensions:
            pool = d.value_names[: rng.choice([1, 2, len(d.value_names)])]
            for r in rng.sample(["ana", "ben", "chen", "dana", "eve"], rng.choice([1, 2, 3, 4])):
                rows.append((f"t{t:03d}", d.name, r, rng.choice(pool)))
    frame = pd.DataFrame(rows, columns=["transcript_id", "dimension", "rater", "value"])
    return frame.sort_values(["transcript_id", "dimension", "rater"], ignore_index=True)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.describe())
def test_item_table_equals_decide_and_spread_item_by_item(ws: Workspace, rule: gold.Rule) -> None:
    labels = _random_labels(ws, 7)
    table = gold.item_table(labels, ws.schema, rule)
    groups = labels.groupby(["transcript_id", "dimension"], sort=True)
    assert len(table) == groups.ngroups
    for row, ((tid, dim_name), group) in zip(table.itertuples(), groups, strict=True):
        dim = ws.schema.dimension(str(dim_name))
        values = group["value"].tolist()
        assert (row.transcript_id, row.dimension) == (tid, dim_name)
        assert row.n_raters == len(values)
        assert row.values == ", ".join(
            f"{r}={v}" for r, v in zip(group["rater"], values, strict=True)
        )
        expected = gold.decide(values, dim, rule)
        assert (row.consensus if isinstance(row.consensus, str) else None) == expected
        assert row.spread == pytest.approx(gold.spread(values, dim))
        assert (row.reason if isinstance(row.reason, str) else None) == gold.reason(
            values, dim, rule
        )


def test_queue_cache_drops_a_decided_case_and_recomputes_after_other_changes(
    seeded: Workspace,
) -> None:
    rule = gold.Rule("unanimous", 2)
    for i, (a, b) in enumerate([("none", "considered"), ("none", "explicit_threat")]):
        for rater, value in (("ana", a), ("ben", b)):
            seeded.store.submit([_label(f"t{i:02d}", rater, value)])
    state: dict[str, object] = {}
    cache = gold.QueueCache(seeded, rule, state)
    first = cache.table()
    assert set(first["transcript_id"]) == {"t00", "t01"}
    cache.decide("dana", "t01", "extortion", "explicit_threat", "")
    kept = state["adjudication_queue"]
    assert cache.table()["transcript_id"].tolist() == ["t00"]
    assert state["adjudication_queue"] is kept  # not recomputed
    seeded.store.submit([_label("t02", "ana", "none")])  # labels arrive meanwhile
    seeded.store.submit([_label("t02", "ben", "considered")])
    assert sorted(cache.table()["transcript_id"]) == ["t00", "t02"]  # someone else's change


def _label(tid: str, rater: str, value: str) -> Label:
    return Label(
        transcript_id=tid, rater=rater, dimension="extortion", value=value, schema_version=1
    )


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        (gold.Rule("unanimous", 2), ["none"], gold.TOO_FEW),
        (gold.Rule("unanimous", 2), ["none", "considered"], gold.TIE),
        (gold.Rule("unanimous", 2), ["none", "none", "considered"], gold.SPREAD),
        (gold.Rule("majority", 2), ["none", "none", "considered", "considered"], gold.TIE),
        (gold.Rule("majority", 2), ["none", "none", "considered", "explicit_threat"], gold.SPREAD),
        (gold.Rule("majority", 2), ["none", "none", "considered"], None),
        (gold.Rule("median", 2, 1), ["none", "considered"], gold.TIE),
        (gold.Rule("median", 2, 1), ["none", "implicit_threat"], gold.SPREAD),
        (gold.Rule("median", 3, 1), ["none", "none"], gold.TOO_FEW),
    ],
)
def test_reason_names_why_an_item_is_undecided(
    ws: Workspace, rule: gold.Rule, values: list[str], expected: str | None
) -> None:
    assert gold.reason(values, ws.schema.dimension("extortion"), rule) == expected


def test_one_undecided_count_holds_the_queue_and_the_items_the_rule_decides(
    seeded: Workspace,
) -> None:
    _labels(
        seeded,
        [
            ("t01", "ana", "extortion", "none"),  # one rater: too few
            ("t02", "ana", "extortion", "none"),  # tie
            ("t02", "ben", "extortion", "considered"),
            ("t03", "ana", "extortion", "none"),  # decided by the rule, not yet applied
            ("t03", "ben", "extortion", "none"),
            ("t04", "ana", "extortion", "none"),  # adjudicated: not undecided
            ("t04", "ben", "extortion", "explicit_threat"),
        ],
    )
    gold.adjudicate(seeded, "dana", "t04", "extortion", "none")
    left = gold.undecided(seeded, gold.Rule("unanimous", 2))
    assert left.counts["extortion"] == {
        gold.TOO_FEW: 1, gold.TIE: 1, gold.SPREAD: 0, gold.RULE_DECIDES: 1
    }  # fmt: skip
    assert left.counts["manipulation"] == dict.fromkeys(gold.REASONS, 0)
    assert left.sentence() == (
        "3 undecided item-dimensions: 1 too few raters, 1 tie, "
        "1 the rule decides, gold not yet written"
    )
    queue = gold.adjudication_queue(seeded, gold.Rule("unanimous", 2))
    assert queue["transcript_id"].tolist() == ["t02"] and queue["reason"].tolist() == [gold.TIE]
    assert gold.apply_consensus(seeded, gold.Rule("unanimous", 2)) == 1
    assert gold.undecided(seeded, gold.Rule("unanimous", 2)).total() == 2
