"""Consensus rules on hand-made cases, the adjudication queue, append-only gold."""

from __future__ import annotations

import pytest

from labels import gold
from labels.models import Label
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
        (["none", "implicit_threat"], gold.Rule("median", 2, 2), "none"),  # lower middle
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
