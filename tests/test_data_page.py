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
    assert [s.value for s in at.success] == [
        "1 file(s): 1 transcripts added, 0 already present, 0 grader verdicts, 1 rejected."
    ]
    rejected = at.dataframe[0].value
    assert rejected["where"].tolist() == ["line 2"]
