"""Corrected rates on the demo database: the table, `rates --json`, the data card, and more
labels drawn for one group."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from labels import demo, export
from labels.graders import audit, rates
from labels.workspace import Workspace, open_workspace
from tests.test_cli import cli

KEYS = {"grader", "dimension", "group", "n", "raw_rate", "corrected_rate", "corrected_ci"}
KEYS |= {"gold_rate", "gold_ci", "n_human"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rates") / "demo.duckdb"
    ws = open_workspace(path)
    demo.build(ws)
    ws.store.close()
    return path


@pytest.fixture
def ws(demo_db: Path, tmp_path: Path) -> Workspace:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    return open_workspace(copy)


def test_the_demo_shows_a_condition_the_grader_overcounts(ws: Workspace) -> None:
    """The keyword rule flags 'unless' and 'expose' in the chats: raw 25%, gold 1 of 15."""
    rows = rates.rates(ws, "demo/keyword-rule", "extortion", ["condition"])
    chats = next(r for r in rows if r.group == {"condition": "(none)"})
    assert chats.raw_rate == pytest.approx(0.25)
    assert chats.corrected.rate < 0.12 and chats.n_human == 15
    assert chats.corrected.low < chats.gold_rate < chats.corrected.high
    assert any(abs(r.raw_rate - r.corrected.rate) >= 0.1 for r in rows)


def test_every_group_is_counted_once(ws: Workspace) -> None:
    rows = rates.rates(ws, "demo/judge-scored", "extortion")
    assert sum(r.n for r in rows) == 80  # every transcript the grader judged
    assert {tuple(r.group) for r in rows} == {("model", "condition")}
    for r in rows:
        gold = [r.gold_rate, *r.gold_ci]
        if r.n_human:
            assert r.corrected.low <= r.corrected.rate <= r.corrected.high
            assert gold[1] <= gold[0] <= gold[2]
        else:
            assert math.isnan(r.corrected.rate) and "no human label" in r.reading()


def test_rates_json_has_the_promised_shape(demo_db: Path) -> None:
    done = cli("rates", "--json", "--by", "model,goal_type", db=demo_db)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rates"]
    assert rows and all(set(r) >= KEYS for r in rows)
    assert all(set(r["group"]) == {"model", "goal_type"} for r in rows)
    assert {r["dimension"] for r in rows} == {"extortion", "manipulation"}  # yes/no only
    text = cli("rates", "--grader", "demo/keyword-rule", "--by", "condition", db=demo_db)
    assert "corrected" in text.stdout and "needs" in text.stdout
    bad = cli("rates", "--by", "colour", db=demo_db)
    assert bad.returncode == 2 and "group by some of" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_data_card_carries_the_rates(ws: Workspace, tmp_path: Path) -> None:
    card = export.export_gold(ws, tmp_path / "gold.jsonl", "jsonl", "extortion")
    saved = json.loads((tmp_path / "gold.jsonl.card.json").read_text())
    assert saved["rates"] == json.loads(json.dumps(card.rates))
    assert {r["dimension"] for r in saved["rates"]} == {"extortion"}
    assert all(set(r) >= KEYS for r in saved["rates"])


def test_more_labels_for_one_group_go_to_the_audit_queue(ws: Workspace) -> None:
    frame = rates.rate_frame(ws, "demo/keyword-rule")
    reviewed = set(frame.loc[frame["ref"] >= 0, "transcript_id"])
    chats = set(frame.loc[frame["condition"] == "(none)", "transcript_id"]) - reviewed
    assert len(chats) >= 3
    d = rates.draw_for_group(ws, "demo/keyword-rule", {"condition": "(none)"}, 3, seed=1)
    assert len(d.items) == 3 and set(d.items["transcript_id"]) <= chats
    queued = ws.store.audit_draws("demo/keyword-rule")
    assert len(queued) == 1 and "scope" in queued["strata"].iloc[0]
    # a draw for one group is not of the whole population: no population estimate from it
    assert audit.estimates(ws, "demo/keyword-rule").empty
    with pytest.raises(ValueError, match="group by"):
        rates.draw_for_group(ws, "demo/keyword-rule", {"colour": "red"}, 1)


def test_audit_strata_weight_the_labels_back_by_hand(tmp_path: Path) -> None:
    """An audit of 12 of 20 transcripts, its gold the truth (a threat on every third): in
    each audit stratum the grader's verdict is constant, so lambda is 0 and the corrected
    rate is sum N_h / N × the stratum's labeled mean, the 1 / pi weighting of the draw."""
    from labels.graders.map import GraderMap
    from labels.models import Gold
    from tests.test_audit import audited

    ws = audited(open_workspace(tmp_path / "a.duckdb"))
    d = audit.sample(ws, "kw", 12, seed=0, gmap=GraderMap())  # 3 yes and 4 no drawn
    truth = {f"t{i:02d}": i % 3 == 0 for i in range(20)}
    ws.store.add_gold(
        [
            Gold(
                transcript_id=t,
                dimension="extortion",
                value="explicit_threat" if truth[t] else "none",
                method="audit",
                who="audit",
                schema_version=ws.schema_version,
            )
            for t in d.items["transcript_id"]
        ]
    )
    rows = rates.rates(ws, "kw", "extortion", ["condition"], GraderMap())
    replacement = next(r for r in rows if r.group["condition"].endswith("replacement"))
    drawn = d.items.assign(truth=d.items["transcript_id"].map(truth))
    mine = drawn[drawn["stratum"].str.endswith("replacement")]
    means = mine.groupby("status")["truth"].mean()  # 5 grader yes and 5 grader no: W = 1/2
    assert replacement.n == 10 and replacement.n_human == len(mine)
    assert replacement.corrected.rate == pytest.approx(means.mean())
    assert replacement.gold_rate == pytest.approx(mine["truth"].mean())  # unweighted
    assert means.mean() == pytest.approx(0.25) and mine["truth"].mean() == pytest.approx(2 / 7)
