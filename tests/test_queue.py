"""The queue: k raters per item, never the same item twice, priorities, no over-assignment."""

from __future__ import annotations

import threading
from collections import Counter

from labels import labeling, queue
from labels.models import Rater
from labels.workspace import Workspace


def label_all(ws: Workspace, rater: str, item: str) -> None:
    draft = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
    labeling.submit(ws, rater, item, draft, {}, seconds=12.0)


def test_open_item_is_returned_until_submitted(seeded: Workspace) -> None:
    first = queue.next_item(seeded, "ana")
    assert first is not None
    assert queue.next_item(seeded, "ana") == first
    label_all(seeded, "ana", first)
    assert queue.next_item(seeded, "ana") not in (None, first)


def test_order_is_reproducible_for_a_seed(seeded: Workspace) -> None:
    order = []
    while (item := queue.next_item(seeded, "ana")) is not None:
        order.append(item)
        label_all(seeded, "ana", item)
    assert sorted(order) == sorted(seeded.store.transcript_ids())
    assert order != sorted(order)  # random…
    seeded.store.con.execute("DELETE FROM labels; DELETE FROM assignments")
    again = []
    while (item := queue.next_item(seeded, "ana")) is not None:
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
        while (item := queue.next_item(seeded, p)) is not None:
            got[item] += 1
            label_all(seeded, p, item)
    assert set(got.values()) == {k}
    assert queue.next_item(seeded, "dana") is None


def test_skip_is_final_for_that_rater(seeded: Workspace) -> None:
    item = queue.next_item(seeded, "ben")
    assert item is not None
    queue.skip(seeded, "ben", item, "Outside my expertise")
    seen = set()
    while (nxt := queue.next_item(seeded, "ben")) is not None:
        seen.add(nxt)
        label_all(seeded, "ben", nxt)
    assert item not in seen and len(seen) == 9


def test_audit_items_come_first(seeded: Workspace) -> None:
    seeded.store.enqueue(["t07"], "audit", [0.25], reason="grader disagreement")
    assert queue.next_item(seeded, "chen") == "t07"


def test_progress_counts_done_of_available(seeded: Workspace) -> None:
    assert queue.progress(seeded, "ana") == (0, 10)
    item = queue.next_item(seeded, "ana")
    assert item is not None
    assert queue.progress(seeded, "ana") == (0, 10)
    label_all(seeded, "ana", item)
    assert queue.progress(seeded, "ana") == (1, 10)


def test_simultaneous_requests_never_over_assign(seeded: Workspace) -> None:
    seeded.store.con.execute("DELETE FROM transcripts WHERE id <> 't00'")
    k = seeded.schema.project.raters_per_item
    raters = [f"p{i}" for i in range(12)]
    results: dict[str, str | None] = {}
    barrier = threading.Barrier(len(raters))

    def ask(name: str) -> None:
        cursor = seeded.cursor()
        barrier.wait()
        results[name] = queue.next_item(cursor, name)

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
    k = seeded.schema.project.raters_per_item
    first = ["ana", "ben", "chen"][:k]
    for r in first:
        assert queue.next_item(seeded, r) == "t00"
        label_all(seeded, r, "t00")
    newcomers = [f"n{i}" for i in range(k + 1)]
    for p in newcomers:
        seeded.store.upsert_rater(Rater(id=p, name=p))
    assert queue.next_item(seeded, newcomers[0]) is None  # full before the audit
    seeded.store.enqueue(["t00"], "audit", [0.5], reason="grader disagrees")
    for r in first:
        assert queue.next_item(seeded, r) is None  # never the same item twice
    got = [queue.next_item(seeded, p) for p in newcomers[:k]]
    assert got == ["t00"] * k
    assert queue.next_item(seeded, newcomers[k]) is None  # k fresh raters, then closed
