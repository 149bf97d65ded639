"""The queue: k raters per item, never the same item twice, priorities, no over-assignment."""

from __future__ import annotations

import random
import threading
from collections import Counter

from labels import gold_checks, labeling
from labels.models import Gold, Label, Rater, Record
from labels.workspace import Workspace
from tests.factories import make_transcript


def label_all(ws: Workspace, rater: str, item: str) -> None:
    draft = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
    labeling.submit(ws, rater, item, labeling.draft_with(draft), seconds=12.0)


def test_open_item_is_returned_until_submitted(seeded: Workspace) -> None:
    first = seeded.next_item("ana")
    assert first is not None
    assert seeded.next_item("ana") == first
    label_all(seeded, "ana", first)
    assert seeded.next_item("ana") not in (None, first)


def test_order_is_reproducible_for_a_seed(seeded: Workspace) -> None:
    order = []
    while (item := seeded.next_item("ana")) is not None:
        order.append(item)
        label_all(seeded, "ana", item)
    assert sorted(order) == sorted(seeded.store.transcript_ids())
    assert order != sorted(order)  # random…
    seeded.store.con.execute("DELETE FROM labels; DELETE FROM assignments")
    seeded.store.rebuild_queue()
    again = []
    while (item := seeded.next_item("ana")) is not None:
        again.append(item)
        label_all(seeded, "ana", item)
    assert again == order  # …but reproducible


def test_k_raters_then_closed_and_skips_are_never_offered_again(seeded: Workspace) -> None:
    k = seeded.schema.project.raters_per_item
    people = [f"r{i}" for i in range(k + 1)]
    for p in people:
        seeded.store.upsert_rater(Rater(id=p, name=p))
    got = Counter()
    for p in people:
        while (item := seeded.next_item(p)) is not None:
            got[item] += 1
            label_all(seeded, p, item)
    assert set(got.values()) == {k}
    assert seeded.next_item("dana") is None


def test_skip_is_final_for_that_rater(seeded: Workspace) -> None:
    item = seeded.next_item("ben")
    assert item is not None
    seeded.store.finish_assignment(item, "ben", "skipped", note="Outside my expertise")
    seen = set()
    while (nxt := seeded.next_item("ben")) is not None:
        seen.add(nxt)
        label_all(seeded, "ben", nxt)
    assert item not in seen and len(seen) == 9


def test_audit_items_come_first(seeded: Workspace) -> None:
    seeded.store.enqueue(["t07"], "audit", [0.25], reason="grader disagreement")
    assert seeded.next_item("chen") == "t07"


def test_progress_counts_done_of_available(seeded: Workspace) -> None:
    assert seeded.progress("ana") == (0, 10)
    item = seeded.next_item("ana")
    assert item is not None
    assert seeded.progress("ana") == (0, 10)
    label_all(seeded, "ana", item)
    assert seeded.progress("ana") == (1, 10)


def test_simultaneous_requests_never_over_assign(seeded: Workspace) -> None:
    seeded.store.con.execute("DELETE FROM transcripts WHERE id <> 't00'")
    seeded.store.rebuild_queue()
    k = seeded.schema.project.raters_per_item
    raters = [f"p{i}" for i in range(12)]
    results: dict[str, str | None] = {}
    barrier = threading.Barrier(len(raters))

    def ask(name: str) -> None:
        cursor = seeded.cursor()
        barrier.wait()
        results[name] = cursor.next_item(name)

    threads = [threading.Thread(target=ask, args=(r,)) for r in raters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for v in results.values() if v == "t00") == k
    held = seeded.store.scalar("SELECT count(*) FROM assignments WHERE transcript_id = 't00'")
    assert held == k


def test_audited_items_go_to_k_new_raters(seeded: Workspace) -> None:
    seeded.store.con.execute("DELETE FROM transcripts WHERE id <> 't00'")
    seeded.store.rebuild_queue()
    k = seeded.schema.project.raters_per_item
    first = ["ana", "ben", "chen"][:k]
    for r in first:
        assert seeded.next_item(r) == "t00"
        label_all(seeded, r, "t00")
    newcomers = [f"n{i}" for i in range(k + 1)]
    for p in newcomers:
        seeded.store.upsert_rater(Rater(id=p, name=p))
    assert seeded.next_item(newcomers[0]) is None  # full before the audit
    seeded.store.enqueue(["t00"], "audit", [0.5], reason="grader disagrees")
    for r in first:
        assert seeded.next_item(r) is None  # never the same item twice
    got = [seeded.next_item(p) for p in newcomers[:k]]
    assert got == ["t00"] * k
    assert seeded.next_item(newcomers[k]) is None  # k fresh raters, then closed


def imported(ws: Workspace, item: str, rater: str) -> Label:
    """A label as an import brings it: no assignment behind it."""
    return Label(
        transcript_id=item,
        rater=rater,
        dimension="extortion",
        value="none",
        schema_version=ws.schema_version,
    )


def _queue_snapshot(ws: Workspace) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    state = ws.store.con.execute(
        "SELECT * REPLACE (audit_since::VARCHAR AS audit_since) FROM queue_state ORDER BY 1"
    ).fetchall()
    held = ws.store.con.execute(
        "SELECT transcript_id, rater, state, labeled FROM assignments ORDER BY ALL"
    ).fetchall()
    return state, held


def gold(ws: Workspace, item: str) -> Gold:
    return Gold(
        transcript_id=item,
        dimension="extortion",
        value="none",
        method="adjudicated",
        who="dana",
        schema_version=ws.schema_version,
    )


def test_queue_state_kept_by_writes_equals_a_rebuild(seeded: Workspace) -> None:
    """Every write path keeps queue_state exactly what deriving it afresh gives."""
    rng = random.Random(7)
    people = ["ana", "ben", "chen", "eve", "fay"]
    for p in people[3:]:
        seeded.store.upsert_rater(Rater(id=p, name=p))
    for step in range(120):
        op = rng.choice(["label", "label", "skip", "import", "audit", "check", "reopen", "ingest"])
        who = rng.choice(people)
        if op in ("label", "skip"):
            item = seeded.next_item(who)
            if item is not None and op == "label":
                label_all(seeded, who, item)
            elif item is not None:
                seeded.store.finish_assignment(item, who, "skipped", note="not sure")
        elif op == "import":
            item = rng.choice(seeded.store.transcript_ids())
            seeded.store.add_labels([imported(seeded, item, who)])
        elif op == "audit":
            seeded.store.enqueue(rng.sample(seeded.store.transcript_ids(), 2), "audit")
        elif op == "check":  # gold checks wait, then are given out by next_item
            item = rng.choice(seeded.store.transcript_ids())
            seeded.store.add_gold([gold(seeded, item)])
            gold_checks.send(seeded, 2, [who])
        elif op == "reopen":
            item = rng.choice(seeded.store.transcript_ids())
            seeded.store.reopen(item, [who], "please look again")
        else:
            seeded.store.ingest_file(
                f"more{step}.jsonl", "jsonl", [Record(transcript=make_transcript(f"n{step}"))]
            )
        kept = _queue_snapshot(seeded)
        seeded.store.rebuild_queue()
        assert _queue_snapshot(seeded) == kept, f"step {step}: {op} by {who}"
    holders = seeded.store.df("SELECT holders FROM queue_state")["holders"]
    assert holders.max() >= 2 and (holders == 0).any()  # the mix exercised the counts
    states = seeded.store.df(
        "SELECT state, count(*) AS n FROM assignments WHERE queue = 'gold-check' GROUP BY 1"
    ).set_index("state")["n"]
    assert states.get("queued", 0) > 0 and states.drop("queued", errors="ignore").sum() > 0


def test_labels_without_assignments_hold_their_items(seeded: Workspace) -> None:
    """Imported labels count against k and keep their rater from being offered the item."""
    k = seeded.schema.project.raters_per_item
    seeded.store.add_labels(
        [
            imported(seeded, t, r)
            for t in seeded.store.transcript_ids()
            for r in ["ana", "ben", "chen"][: k - 1]
        ]
    )
    assert seeded.next_item("ana") is None
    offered = []
    for p in ["p1", "p2"]:
        seeded.store.upsert_rater(Rater(id=p, name=p))
        while (item := seeded.next_item(p)) is not None:
            offered.append((p, item))
            label_all(seeded, p, item)
    assert len(offered) == 10  # one more rater per item reaches k
