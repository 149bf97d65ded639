"""Gold checks (labels/gold_checks.py, store/queue.py): items with gold reach raters who never
had them, past k, blind, mixed among their work, and the raters view compares them with gold;
on both backends, through the real queue and the store's submit path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labels import gold, gold_checks, labeling, raters
from labels.models import Gold, Rater, Record
from labels.store.queue import gold_check_due
from labels.workspace import Workspace
from tests.factories import make_transcript
from tests.test_cli import cli

DIMS = ("extortion", "manipulation", "ethical_explanation")
AGREED = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
OTHER = {"extortion": "considered", "manipulation": "mild", "ethical_explanation": "1"}


def label(ws: Workspace, rater: str, item: str, values: dict[str, str] = AGREED) -> None:
    draft = labeling.draft_with(values)
    if values is OTHER:  # these values need a message cited
        draft["evidence"] = {d: {"index": 1, "quote": ""} for d in ("extortion", "manipulation")}
    labeling.submit(ws, rater, item, draft, seconds=12.0)


def label_queue(ws: Workspace, rater: str, values: dict[str, str] = AGREED) -> list[str]:
    """Everything the queue gives `rater`, labeled as it comes, in order."""
    got = []
    while (item := ws.next_item(rater)) is not None:
        got.append(item)
        label(ws, rater, item, values)
    return got


def adjudicate(ws: Workspace, items: list[str], values: dict[str, str] = AGREED) -> None:
    ws.store.add_gold(
        [
            Gold(
                transcript_id=t,
                dimension=d,
                value=values[d],
                method="adjudicated",
                who="dana",
                schema_version=ws.schema_version,
            )
            for t in items
            for d in DIMS
        ]
    )


def holders(ws: Workspace) -> dict[str, int]:
    rows = ws.store.con.execute("SELECT transcript_id, holders FROM queue_state").fetchall()
    return {str(t): int(h) for t, h in rows}


@pytest.fixture
def full(seeded: Workspace) -> Workspace:
    """ana, ben and chen (k = 3) labeled all ten items; t00-t04 have adjudicated gold."""
    for r in ("ana", "ben", "chen"):
        label_queue(seeded, r)
    adjudicate(seeded, [f"t{i:02d}" for i in range(5)])
    for p in ("eve", "fay"):
        seeded.store.upsert_rater(Rater(id=p, name=p.title()))
    return seeded


def test_gold_checks_reach_new_raters_past_k_and_leave_the_main_queue_alone(
    full: Workspace,
) -> None:
    k = full.schema.project.raters_per_item
    assert set(holders(full).values()) == {k}
    assert full.next_item("eve") is None  # every item has its k raters
    sent = gold_checks.send(full, 3, ["eve"])
    assert sent.per_rater == {"eve": (3, 5)} and sent.total == 3
    assert holders(full) == dict.fromkeys(holders(full), k)  # waiting checks hold nothing
    got = label_queue(full, "eve")
    assert len(got) == 3 and set(got) <= {f"t{i:02d}" for i in range(5)}
    assert {t for t, h in holders(full).items() if h == k + 1} == set(got)
    assert full.next_item("fay") is None  # the main queue still closes at k
    again = gold_checks.send(full, 3, ["eve"])  # two gold items left that eve never had
    assert again.per_rater == {"eve": (2, 2)}
    assert "Fewer for eve (2)" in again.sentence()
    assert set(label_queue(full, "eve")) | set(got) == {f"t{i:02d}" for i in range(5)}
    none = gold_checks.send(full, 3, ["eve"])
    assert none.total == 0 and none.sentence().startswith("Sent no gold checks")


def test_never_sent_to_a_rater_who_had_the_item_nor_from_consensus_unless_asked(
    full: Workspace,
) -> None:
    assert gold_checks.send(full, 5, ["ana"]).per_rater == {"ana": (0, 0)}  # labeled them all
    consensus = [
        Gold(
            transcript_id=f"t0{i}",
            dimension="extortion",
            value="none",
            method="unanimous",
            who="rule",
            schema_version=full.schema_version,
        )
        for i in (5, 6)
    ]
    full.store.add_gold(consensus)
    trusted = gold_checks.send(full, 10, ["eve"])
    assert trusted.per_rater == {"eve": (5, 5)}  # t00-t04: adjudicated only
    assert gold_checks.send(full, 10, ["eve"], consensus=True).per_rater == {"eve": (2, 2)}
    # the default targets: active raters only (dana adjudicates); a stranger is a sentence
    assert set(gold_checks.send(full, 1).per_rater) == {"ana", "ben", "chen", "eve", "fay"}
    with pytest.raises(ValueError, match="no person 'zed'"):
        gold_checks.send(full, 1, ["zed"])


def test_items_mid_audit_are_not_used_and_the_audit_still_gets_k_new_raters(
    full: Workspace,
) -> None:
    k = full.schema.project.raters_per_item
    full.store.enqueue(["t00"], "audit", [0.5], reason="grader disagrees")
    sent = gold_checks.send(full, 5, ["eve"])
    assert sent.per_rater == {"eve": (4, 4)}  # t00 waits for its audit raters
    auditors = [f"a{i}" for i in range(k)]
    for a in auditors:
        full.store.upsert_rater(Rater(id=a, name=a))
        assert full.next_item(a) == "t00"
        label(full, a, "t00")
    label_queue(full, "eve")
    assert full.next_item("fay") is None
    assert full.store.scalar("SELECT holders FROM queue_state WHERE transcript_id = 't00'") == k


def test_checks_fall_among_the_work_at_the_share_the_same_on_both_backends(
    seeded: Workspace,
) -> None:
    more = [Record(transcript=make_transcript(f"u{i:03d}")) for i in range(120)]
    seeded.store.ingest_file("more.jsonl", "jsonl", more)
    gold_items = [f"u{i:03d}" for i in range(0, 120, 4)]  # 30 items with gold, none labeled
    adjudicate(seeded, gold_items)
    seeded.store.upsert_rater(Rater(id="eve", name="Eve"))
    assert gold_checks.send(seeded, 12, ["eve"]).per_rater == {"eve": (12, 30)}
    project, share = seeded.schema.project, 0.25
    order, checks = [], []
    while (item := seeded.store.claim_next("eve", 3, project.seed, share)) is not None:
        waiting = seeded.store.scalar(
            "SELECT count(*) FROM assignments WHERE rater = 'eve' AND state = 'queued'"
        )
        is_check = seeded.store.scalar(
            "SELECT queue = 'gold-check' FROM assignments"
            " WHERE rater = 'eve' AND transcript_id = ?",
            [item],
        )
        order.append(item)
        checks.append(bool(is_check))
        assert waiting == 12 - sum(checks)
        label(seeded, "eve", item)
    assert len(order) == 130 and sum(checks) == 12 and len(set(order)) == 130
    # The coin, tossed on the number of items had so far, says where each check falls; the
    # last ones come after the main queue is empty.
    main_left = 130 - 12
    expected, waiting, main = [], 12, main_left
    for seen in range(130):
        due = waiting and (main == 0 or gold_check_due(project.seed, "eve", seen, share))
        expected.append(bool(due))
        waiting, main = (waiting - 1, main) if due else (waiting, main - 1)
    assert checks == expected
    first_half = checks[:40]
    assert 4 <= sum(first_half) <= 18  # about a quarter of her first 40 items, not a block
    assert checks[:12] != [True] * 12


def test_progress_counts_waiting_checks_as_still_to_do(full: Workspace) -> None:
    assert full.progress("eve") == (0, 0)
    gold_checks.send(full, 2, ["eve"])
    assert full.progress("eve") == (0, 2)
    item = full.next_item("eve")
    assert item is not None and full.progress("eve") == (0, 2)
    label(full, "eve", item)
    assert full.progress("eve") == (1, 2)


def test_labels_on_gold_checks_feed_the_raters_view_and_its_flag(full: Workspace) -> None:
    """Consensus gold (which the view leaves out for the raters who made it) counts for the
    raters it is sent to, who labeled after it stood."""
    store = full.store
    more = [Record(transcript=make_transcript(f"c{i}")) for i in range(4)]
    store.ingest_file("more.jsonl", "jsonl", more)
    for r in ("ana", "ben", "chen"):
        assert sorted(label_queue(full, r)) == [f"c{i}" for i in range(4)]
    assert gold.apply_consensus(full) >= 12  # unanimous: the c items' three dimensions
    sent = gold_checks.send(full, 4, ["eve", "fay"], consensus=True)
    assert sent.total >= 8
    label_queue(full, "eve", AGREED)  # agrees with the gold
    label_queue(full, "fay", OTHER)  # disagrees on every dimension
    result = raters.report(full)
    by = {r.rater: r for r in result.raters}
    assert by["eve"].gold_checks == 4 and by["eve"].gold_checks_waiting == 0
    assert by["eve"].gold_compared == 12 and by["eve"].gold_agree == 12
    assert by["fay"].gold_compared == 12 and by["fay"].gold_agree == 0
    assert by["ana"].gold_checks == 0
    assert [r.rater for r in result.flagged()] == ["fay"]  # 12 ≥ MIN_GOLD labels, 0% < 80%
    assert raters.MIN_GOLD <= 12
    table = raters.summary(result).set_index("rater")
    assert table.loc["Eve (eve)", "gold checks"] == "4"
    gold_checks.send(full, 1, ["eve"])
    table = raters.summary(raters.report(full)).set_index("rater")
    assert table.loc["Eve (eve)", "gold checks"] == "4 (+1 waiting)"


def test_the_cli_sends_and_says_why_fewer(tmp_path: Path) -> None:
    from tests.factories import build_demo_db

    db = build_demo_db(tmp_path / "demo.duckdb")
    done = cli("gold-check", "--per-rater", "5", db=db)
    assert done.returncode == 0, done.stderr
    assert "Sent no gold checks" in done.stdout  # the demo's gold is all consensus, all seen
    assert cli("raters", "add", "eve", db=db).returncode == 0
    body = json.loads(
        cli("gold-check", "--per-rater", "500", "--consensus", "--json", db=db).stdout
    )
    assert body["raters"]["eve"]["sent"] == body["raters"]["eve"]["available"] > 0
    assert body["sent"] == body["raters"]["eve"]["sent"]
    bad = cli("gold-check", "--per-rater", "2", "--rater", "zed", db=db)
    assert bad.returncode == 2 and "no person 'zed'" in bad.stderr and "Traceback" not in bad.stderr
    people = json.loads(cli("raters", "--json", db=db).stdout)["raters"]
    eve = next(p for p in people if p["rater"] == "eve")
    assert eve["gold_checks"] == 0 and eve["gold_checks_waiting"] == body["sent"]


# -- the pages ----------------------------------------------------------------------------

ITEM_KEYS = {"token", "item", "caption", "messages", "truncated", "progress"}
"""What the label component gets that belongs to the item shown (the rest is the page's)."""


@pytest.fixture
def demo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.factories import build_demo_db
    from tests.test_app import ROOT

    db = build_demo_db(tmp_path / "demo.duckdb")
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.chdir(ROOT)
    return db


def label_page(who: str) -> tuple[dict[str, object], str]:
    from streamlit.testing.v1 import AppTest

    from tests.factories import labeler_data
    from tests.test_app import ROOT, sign_in, texts

    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), who)
    assert not at.exception
    return labeler_data(at), texts(at) + "".join(s.value for s in at.sidebar.markdown)


def test_the_label_page_shows_a_gold_check_like_any_other_item(demo_copy: Path) -> None:
    """Two new raters, each sent gold checks: fay's first item is one, gus's is not."""
    from labels.workspace import open_workspace

    ws = open_workspace(demo_copy)
    for who in ("fay", "gus"):
        ws.store.upsert_rater(Rater(id=who, name=who.title()))
    assert gold_checks.send(ws, 5, ["fay", "gus"], consensus=True).total == 10
    project = ws.schema.project
    check = ws.store.claim_next("fay", project.raters_per_item, project.seed, 1.0)  # due now
    plain = ws.store.claim_next("gus", project.raters_per_item, project.seed, 0.0)  # not due
    queues = dict(
        ws.store.con.execute(
            "SELECT rater, queue FROM assignments WHERE state = 'open' AND rater IN ('fay', 'gus')"
        ).fetchall()
    )
    assert queues == {"fay": "gold-check", "gus": "main"}
    ws.store.close()
    on_check, check_text = label_page("fay")
    on_plain, plain_text = label_page("gus")
    assert (on_check["item"], on_plain["item"]) == (check, plain)

    assert on_check.keys() == on_plain.keys()
    assert {k: v for k, v in on_check.items() if k not in ITEM_KEYS} == {
        k: v for k, v in on_plain.items() if k not in ITEM_KEYS
    }
    assert on_check["notices"] == [] and check_text.replace("Fay", "Gus") == plain_text
    assert on_check["progress"]["done"] == on_plain["progress"]["done"] == 0  # type: ignore[index]
    shown = json.dumps({k: v for k, v in on_check.items() if k != "messages"}) + check_text
    assert "gold" not in shown.lower() and "check" not in json.dumps(on_check["caption"])


def test_the_admin_page_sends_gold_checks_and_says_how_many(demo_copy: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.test_app import ROOT, sign_in

    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), "admin")
    at.switch_page("pages/admin.py").run()
    send = "FormSubmitter:gold-checks-Send gold checks"
    at.button(key=send).click().run()
    assert [w.value for w in at.warning][0].startswith("Sent no gold checks")
    at.text_input[0].set_value("eve")
    at.button(key="FormSubmitter:add-rater-Add").click().run()
    at.number_input[0].set_value(8)
    at.checkbox[0].check()
    at.button(key=send).click().run()
    assert not at.exception and not at.warning
    said = [i.value.replace("\\", "") for i in at.info]  # markdown escapes taken out
    assert said[0].startswith("Sent 8 gold checks to 1 of 4 raters (asked for 8 each)"), said
    assert "Fewer for ana (0), ben (0), chen (0)" in said[0]
    at.switch_page("pages/raters.py").run()
    table = next(d.value for d in at.dataframe if "gold checks" in d.value.columns)
    assert table.set_index("rater").loc["eve", "gold checks"] == "0 (+8 waiting)"
    assert any("python -m labels gold-check" in c.value for c in at.caption)


def test_two_servers_give_a_waiting_check_once(seeded: Workspace) -> None:
    """One rater asking on two servers at once (on PostgreSQL, two stores with their own
    connections) holds one item, a gold check; each check is given out once."""
    import threading

    from labels.workspace import open_workspace

    for r in ("ana", "ben", "chen"):
        label_queue(seeded, r)
    adjudicate(seeded, [f"t{i:02d}" for i in range(6)])
    seeded.store.upsert_rater(Rater(id="eve", name="Eve"))
    assert gold_checks.send(seeded, 6, ["eve"]).total == 6
    url = seeded.store.path
    servers = [seeded, open_workspace(url) if url.startswith("postgresql") else seeded]
    got: list[str | None] = []
    start = threading.Barrier(8)

    def ask(server: int) -> None:
        mine = servers[server].cursor()
        start.wait()
        got.append(mine.next_item("eve"))

    threads = [threading.Thread(target=ask, args=(i % 2,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and got[0] is not None
    rows = seeded.store.con.execute(
        "SELECT state, count(*) FROM assignments WHERE rater = 'eve' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [("open", 1), ("queued", 5)]
    assert sorted(label_queue(servers[1], "eve")) == [f"t{i:02d}" for i in range(6)]
    if servers[1] is not seeded:
        servers[1].store.close()
