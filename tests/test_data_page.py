"""The data page ingests a server path with the CLI's report; bad files do not stop good ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from labels import loader
from labels.models import Rater
from labels.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent
CHAT = {"id": "up-1", "messages": [{"role": "user", "content": "hello"}]}


def test_ingest_each_keeps_going_past_an_unusable_file(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "g.duckdb")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(CHAT) + "\n")
    fake = tmp_path / "fake.jsonl"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    report = loader.ingest_each(ws.store, [fake, good])
    assert report.added == 1
    assert [(Path(r.file).name, r.where) for r in report.rejected] == [("fake.jsonl", "file")]
    assert "PNG" in report.rejected[0].reason


def test_data_page_reads_a_server_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "page.duckdb"
    ws = open_workspace(db)
    ws.store.upsert_rater(Rater(id="admin", name="Admin", role="admin"))
    ws.store.close()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps(CHAT) + "\n{broken\n")
    monkeypatch.setenv("GOLDSET_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.session_state["rater"] = Rater(id="admin", name="Admin", role="admin")
    at.session_state["_run"] = {}  # as app.py starts every run
    at.run()
    at.text_input[0].set_value(str(folder)).run()
    next(b for b in at.button if b.label == "Ingest path").click().run()
    assert not at.exception
    plain = [s.value.replace("\\", "") for s in at.success]
    assert plain == ["1 transcript added from 1 file."]
    assert [w.value.replace("\\", "") for w in at.warning] == [
        "1 rejected (below: file, where, why)."
    ]
    rejected = at.dataframe[0].value
    assert rejected["where"].tolist() == ["line 2"]


def data_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    ws = open_workspace(db)
    ws.store.upsert_rater(Rater(id="admin", name="Admin", role="admin"))
    ws.store.close()
    monkeypatch.setenv("GOLDSET_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.session_state["rater"] = Rater(id="admin", name="Admin", role="admin")
    at.session_state["_run"] = {}
    return at.run()


def test_a_folder_ingest_counts_its_files_and_the_counters_follow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = data_page(tmp_path / "page.duckdb", monkeypatch)
    assert at.metric[0].label == "transcripts" and at.metric[0].value == "0"
    folder = tmp_path / "experiment"
    (folder / "sub").mkdir(parents=True)
    for i, where in enumerate(["a.jsonl", "b.jsonl", "sub/c.jsonl"]):
        (folder / where).write_text(json.dumps({**CHAT, "id": f"f-{i}"}) + "\n")
    at.text_input[0].set_value(str(folder)).run()
    next(b for b in at.button if b.label == "Ingest path").click().run()
    assert not at.exception
    assert [s.value.replace("\\", "") for s in at.success] == ["3 transcripts added from 3 files."]
    assert not at.warning and not at.error
    assert at.metric[0].value == "3"  # this run's ingest is counted
    # Stored under the folder's own name, never the server's path to it.
    history = at.dataframe[0].value
    assert sorted(history["file"]) == [
        "experiment/a.jsonl",
        "experiment/b.jsonl",
        "experiment/sub/c.jsonl",
    ]
    again = open_workspace(tmp_path / "page.duckdb")
    refs = sorted(again.store.transcripts()["source_ref"])
    assert refs == [f"experiment/{w}, line 1" for w in ("a.jsonl", "b.jsonl", "sub/c.jsonl")]


def test_an_upload_that_adds_nothing_is_no_success_and_keeps_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "up.duckdb"
    data_page(db, monkeypatch)
    ws = open_workspace(db)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    report = loader.ingest_uploads(ws.store, [("picture.jsonl", png)])
    assert report.added == 0 and [r.file for r in report.rejected] == ["picture.jsonl"]
    assert [k for k, _ in loader.outcomes(report)] == ["error"]
    chat = (json.dumps(CHAT) + "\n").encode()
    report = loader.ingest_uploads(ws.store, [("small.jsonl", chat), ("small.jsonl", chat)])
    assert [k for k, _ in loader.outcomes(report)] == ["success", "info"]  # 1 added, 1 again
    assert ws.store.transcripts()["source_ref"].tolist() == ["small.jsonl, line 1"]
    assert set(ws.store.batches()["file"]) == {"small.jsonl"}


def test_a_transcript_without_its_grader_verdict_is_a_note_not_a_rejection(tmp_path: Path) -> None:
    from labels import demo

    ws = open_workspace(tmp_path / "demo.duckdb")
    report = demo.build(ws)
    assert report.rejected == []
    assert [n.reason.endswith("imported without grader verdict") for n in report.notes] == [True]
    assert ws.store.batches()["rejected"].tolist() == [0, 0]
    assert "rejected" not in " ".join(text for _, text in loader.outcomes(report))
