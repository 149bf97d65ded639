"""The store: migrations, per-file transactions, idempotency, append-only labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labels import labeling
from labels.models import AssignmentNote, Gold, Label, Record, Rejection
from labels.store import DatabaseBusy, Store, is_postgres, migrations
from labels.workspace import Workspace, open_workspace
from tests.factories import make_transcript

DRAFT = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
)


def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    first = Store.open(db)
    names = first.df("SELECT name FROM migrations")["name"].tolist()
    assert names == [name for name, _ in migrations.MIGRATIONS]
    first.close()
    again = Store.open(db)
    assert again.migrate() == []
    again.close()


def test_ingest_file_counts_added_duplicates_and_verdicts(seeded: Workspace) -> None:
    store = seeded.store
    assert store.counts()["transcripts"] == 10
    assert store.counts()["messages"] == 40
    assert store.counts()["grader_verdicts"] == 10
    same = make_transcript("t00", scenario="blackmail")
    again = store.ingest_file("seed.jsonl", "jsonl", [Record(transcript=same)])
    assert (again.added, again.duplicates, again.rejected) == (0, 1, [])
    assert store.counts()["transcripts"] == 10


def test_duplicates_inside_one_file_are_counted_once(ws: Workspace) -> None:
    recs = [Record(transcript=make_transcript("same")) for _ in range(3)]
    result = ws.store.ingest_file("dup.jsonl", "jsonl", recs)
    assert (result.added, result.duplicates) == (1, 2)


def test_a_failure_mid_file_leaves_nothing_of_that_file(ws: Workspace) -> None:
    def items() -> Iterator[Record | Rejection]:
        for i in range(2500):  # more than one insert chunk
            yield Record(transcript=make_transcript(f"x{i}"))
        raise OSError("disk vanished")

    ws.store.ingest_file("ok.jsonl", "jsonl", [Record(transcript=make_transcript("keep"))])
    with pytest.raises(OSError):
        ws.store.ingest_file("bad.jsonl", "jsonl", items())
    assert ws.store.transcript_ids() == ["keep"]
    assert ws.store.counts()["messages"] == 4
    assert ws.store.batches()["file"].tolist() == ["ok.jsonl"]


def test_rejections_are_kept_with_the_batch(ws: Workspace) -> None:
    rej = Rejection(file="f.jsonl", where="line 2", reason="invalid JSON")
    result = ws.store.ingest_file(
        "f.jsonl", "jsonl", [rej, Record(transcript=make_transcript("a"))]
    )
    assert result.rejected == [rej] and result.added == 1
    assert int(ws.store.batches()["rejected"].iloc[0]) == 1


def test_transcript_round_trips_with_reasoning_and_tool_calls(ws: Workspace) -> None:
    t = make_transcript("rt", n=5)
    ws.store.ingest_file("rt.jsonl", "jsonl", [Record(transcript=t)])
    assert ws.store.get_transcript("rt") == t
    assert ws.store.get_transcript("missing") is None


def test_labels_are_append_only_and_current_is_latest(seeded: Workspace) -> None:
    v = seeded.schema_version
    first = Label(
        transcript_id="t01", rater="ana", dimension="extortion", value="none", schema_version=v
    )
    later = first.model_copy(
        update={
            "value": "considered",
            "created_at": first.created_at.replace(year=first.created_at.year + 1),
        }
    )
    seeded.store.add_labels([first])
    seeded.store.add_labels([later])
    assert seeded.store.counts()["labels"] == 2
    current = seeded.store.current_labels("extortion")
    assert current["value"].tolist() == ["considered"]
    assert seeded.store.label_history("t01")["value"].tolist() == ["none", "considered"]


def test_schema_change_makes_a_new_version(ws: Workspace) -> None:
    v1 = ws.schema_version
    assert ws.store.ensure_schema_version("body", "sha-a") == v1 + 1
    assert ws.store.ensure_schema_version("body", "sha-a") == v1 + 1


def test_second_process_gets_a_clear_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "busy.duckdb"
    holder = Store.open(db)
    code = f"from labels.store import Store; Store.open({str(db)!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    holder.close()
    assert out.returncode != 0
    assert "DatabaseBusy" in out.stderr and "another Goldset process" in out.stderr
    assert DatabaseBusy.__doc__


def test_search_is_parameterised(seeded: Workspace) -> None:
    hits = seeded.store.search("'; DROP TABLE labels; --")
    assert hits.empty
    assert seeded.store.counts()["transcripts"] == 10
    assert len(seeded.store.search("assistant text 2 of t03")) == 1
    assert len(seeded.store.search("100%_")) == 0


def test_full_text_index_follows_new_transcripts(seeded: Workspace) -> None:
    assert seeded.store.text_search("t03 assistant") == ["t03"]
    seeded.store.ingest_file("more.jsonl", "jsonl", [Record(transcript=make_transcript("late"))])
    assert seeded.store.text_search("late") == ["late"]
    assert seeded.store.text_search("nothing-like-this") == []


def test_search_falls_back_to_ilike_without_fts(
    seeded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "_fts_ready", lambda self: False)
    assert seeded.store.text_search("text 2 of t03") == ["t03"]
    assert seeded.store.text_search("100%") == []


def test_queue_state_migration_counts_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database from before 0004 gets its queue state from the labels and assignments."""
    db = tmp_path / "old.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    old = Store.open(db)
    old.con.execute(
        "INSERT INTO transcripts (id, source_format, source_ref, batch_id, n_messages, n_chars)"
        " SELECT 't' || i, 'jsonl', 'x', 'b', 1, 1 FROM range(3) r(i)"
    )
    # t0: labeled by two raters via import (no assignments); t1: one open assignment;
    # t2: labeled by three, then sent to audit.
    old.con.execute(
        "INSERT INTO labels (transcript_id, rater, dimension, value, schema_version, created_at)"
        " VALUES ('t0', 'a', 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00'),"
        " ('t0', 'b', 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00'),"
        " ('t2', 'a', 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00'),"
        " ('t2', 'b', 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00'),"
        " ('t2', 'c', 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00')"
    )
    old.con.execute(
        "INSERT INTO assignments VALUES ('t1', 'c', 'main', 'open', FALSE, NULL,"
        " TIMESTAMPTZ '2026-01-02 00:00:00+00', TIMESTAMPTZ '2026-01-02 00:00:00+00')"
    )
    old.con.execute(
        "INSERT INTO queue_items VALUES ('t2', 'audit', 0.5, 'check',"
        " TIMESTAMPTZ '2026-01-03 00:00:00+00')"
    )
    old.close()
    monkeypatch.undo()
    new = Store.open(db)
    state = new.con.execute(
        "SELECT transcript_id, priority, holders FROM queue_state ORDER BY 1"
    ).fetchall()
    assert state == [("t0", 2, 2), ("t1", 2, 1), ("t2", 0, 0)]
    held = new.con.execute(
        "SELECT transcript_id, rater, queue, state, labeled FROM assignments ORDER BY 1, 2"
    ).fetchall()
    assert held[:2] == [("t0", "a", "import", "done", True), ("t0", "b", "import", "done", True)]
    assert new.claim_next("a", 3, 1) == "t1"  # a holds t0 and t2 through its labels
    assert new.claim_next("d", 3, 1) == "t2"  # audit first, to a new rater
    new.close()


def test_assignment_notes_keep_their_kind(seeded: Workspace) -> None:
    store = seeded.store
    assert store.assignment_note("ana", "t01") is None
    store.finish_assignment("t01", "ana", "skipped", note="Outside my expertise", kind="skip")
    assert store.assignment_note("ana", "t01") == AssignmentNote(
        kind="skip", text="Outside my expertise"
    )
    store.reopen("t01", ["ana"], "Question from dana on extortion: real?")
    assert store.assignment_note("ana", "t01") == AssignmentNote(
        kind="question", text="Question from dana on extortion: real?"
    )
    store.finish_assignment("t01", "ana", "done")  # no note: none left, and no kind
    assert store.assignment_note("ana", "t01") is None
    assert store.scalar("SELECT note_kind FROM assignments WHERE rater = 'ana'") is None
    labels = [
        Label(
            transcript_id="t02",
            rater="ana",
            dimension="extortion",
            value="none",
            schema_version=seeded.schema_version,
        )
    ]
    store.submit(labels, flagged=True, note="flagged for discussion")
    assert store.assignment_note("ana", "t02") == AssignmentNote(
        kind="flag", text="flagged for discussion"
    )


def test_note_kind_migration_marks_the_notes_already_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database from before 0005: its notes get the kind the code that wrote them meant."""
    db = tmp_path / "old.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
    old = Store.open(db)
    old.con.execute(
        "INSERT INTO assignments (transcript_id, rater, queue, state, flagged, note, created_at,"
        " updated_at) SELECT 't' || i, 'ana', 'main', s, f, n, t, t FROM (VALUES"
        " (0, 'open', FALSE, 'Question from dana on extortion: real?'),"
        " (1, 'skipped', FALSE, 'Outside my expertise'),"
        " (2, 'done', TRUE, 'flagged for discussion'),"
        " (3, 'done', FALSE, NULL),"
        " (4, 'open', FALSE, 'something else')) v(i, s, f, n),"
        " (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS t)"
    )
    old.close()
    monkeypatch.undo()
    new = Store.open(db)
    kinds = new.con.execute(
        "SELECT transcript_id, note_kind FROM assignments ORDER BY 1"
    ).fetchall()
    assert kinds == [("t0", "question"), ("t1", "skip"), ("t2", "flag"), ("t3", None), ("t4", None)]
    note = new.assignment_note("ana", "t0")
    assert note is not None and note.kind == "question"
    other = new.assignment_note("ana", "t4")
    assert other == AssignmentNote(kind=None, text="something else")
    new.close()


def test_a_transaction_inside_another_is_part_of_it(seeded: Workspace) -> None:
    """Writes that open their own transaction join an outer one: all of it, or none."""
    store = seeded.store

    def work() -> None:
        store.enqueue(["t01"], "audit", [0.5], reason="check")  # its own retrying, nested
        store.finish_assignment("t01", "ana", "skipped", note="nested")
        raise RuntimeError("stop after both writes")

    with pytest.raises(RuntimeError):
        store.retrying(work)
    assert store.scalar("SELECT count(*) FROM queue_items") == 0
    assert store.scalar("SELECT count(*) FROM assignments") == 0
    store.retrying(lambda: store.enqueue(["t01"], "audit", [0.5], reason="check"))
    assert store.scalar("SELECT priority FROM queue_state WHERE transcript_id = 't01'") == 0


def test_labels_and_gold_version_changes_with_each_committed_write(seeded: Workspace) -> None:
    """The caches' key changes with a label, a gold row or a labels write through another
    connection, and not otherwise; on PostgreSQL a write still uncommitted elsewhere does
    not change it until it commits."""
    store = seeded.store
    first = store.labels_and_gold_version()
    assert store.labels_and_gold_version() == first
    labeling.submit(seeded, "ana", "t01", DRAFT, seconds=1.0)
    second = store.labels_and_gold_version()
    assert second != first
    store.add_gold(
        [
            Gold(
                transcript_id="t01",
                dimension="extortion",
                value="none",
                method="adjudicated",
                who="dana",
                schema_version=seeded.schema_version,
            )
        ]
    )
    third = store.labels_and_gold_version()
    assert third not in (first, second)
    other = seeded.cursor()
    labeling.submit(other, "ben", "t02", DRAFT, seconds=1.0)
    assert store.labels_and_gold_version() not in (first, second, third)
    if not is_postgres(store):
        return
    import psycopg

    before = store.labels_and_gold_version()
    with psycopg.connect(store.path) as pg, pg.transaction():
        pg.execute(
            "INSERT INTO labels (id, transcript_id, rater, dimension, value, schema_version,"
            " created_at) VALUES (nextval('label_seq'), 't03', 'chen', 'extortion', 'none', 1,"
            " now())"
        )
        assert store.labels_and_gold_version() == before  # not committed yet
    assert store.labels_and_gold_version() != before


def test_a_snapshot_reads_what_the_store_reads_and_one_moment_of_it(seeded: Workspace) -> None:
    """Every report read gives the same answer on the snapshot (on PostgreSQL a local copy
    of the tables); a label written meanwhile is not in a PostgreSQL snapshot."""
    store = seeded.store
    labeling.submit(seeded, "ana", "t01", DRAFT, seconds=1.0)

    def rows(s: Store) -> list[int]:
        return [s.scalar(f"SELECT count(*) FROM {t}") for t in ("labels", "gold", "transcripts")]

    with store.snapshot() as snap:
        assert rows(snap) == rows(store)
        for dim in seeded.schema.names:
            assert snap.label_values(dim).equals(store.label_values(dim))
        assert snap.gold_with_sources().equals(store.gold_with_sources())
        labeling.submit(seeded, "ben", "t02", DRAFT, seconds=1.0)
        if is_postgres(store):
            assert rows(snap)[0] == rows(store)[0] - 3


def test_a_secret_asked_for_by_many_cursors_at_once_is_made_once(database: str) -> None:
    """The first use of a secret from several threads (the warm-up and a page) gives every
    one the same value; DuckDB reports the losing insert as a constraint error."""
    import threading

    ws = open_workspace(database)
    start = threading.Barrier(8)
    found: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        cursor = ws.store.cursor()
        start.wait()
        try:
            found.append(cursor.secret("shared"))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(found) == 8 and len(set(found)) == 1
    ws.store.close()
