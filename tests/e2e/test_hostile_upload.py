"""Uploading hostile files in the browser (issue 14, point 1): each is rejected with its
line and reason, and the server keeps serving other sessions (a 20,000-deep JSONL line
used to segfault the whole Streamlit process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Rater, Record
from labels.store import Store
from labels.workspace import open_workspace
from tests.e2e.conftest import Server, _need_browser, start_server
from tests.factories import make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 60_000
MESSAGES = [{"role": "user", "content": "hello"}]
GOOD = json.dumps({"id": "ok", "messages": [{"role": "user", "content": "hi"}]})
FIXTURES = {
    "deep-list.jsonl": '{"id": "d", "messages": [], "metadata": {"x": '
    + "[" * 20_000
    + "]" * 20_000
    + "}}",
    "deep-object.jsonl": '{"id": "o", "messages": [], "metadata": '
    + '{"k": ' * 20_000
    + "1"
    + "}" * 20_000
    + "}",
    "wide.jsonl": json.dumps(
        {"id": "w", "messages": MESSAGES, "metadata": {f"k{i}": i for i in range(20_000)}}
    ),
    "long-key.jsonl": json.dumps(
        {"id": "l", "messages": MESSAGES, "metadata": {"k" * 1_000_000: 1}}
    ),
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    ws = open_workspace(tmp_path / "up.duckdb")
    ws.store.ingest_file("t.jsonl", "jsonl", [Record(transcript=make_transcript("seed"))])
    ws.store.upsert_rater(Rater(id="admin", name="Admin", role="admin"))
    ws.store.upsert_rater(Rater(id="ana", name="Ana Costa"))
    ws.store.close()
    server = start_server(tmp_path / "up.duckdb")
    yield server
    server.stop()


def sign_in(page: Any, server: Server, option: str) -> None:
    page.goto(server.url)
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=option).click()


def test_hostile_uploads_are_rejected_and_the_server_keeps_serving(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    files = []
    for name, line in FIXTURES.items():
        path = tmp_path / name
        path.write_text(f"{GOOD}\n{line}\n")
        files.append(path)
    admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(admin, server, "Admin · admin")
    admin.get_by_role("link", name="Data").click()
    admin.locator("input[type=file]").set_input_files([str(p) for p in files])
    admin.get_by_role("button", name="Ingest uploaded files").click()
    for said in (
        "3 transcripts added from 4 files.",
        "3 already present, not added again.",
        "2 rejected (below: file, where, why).",
    ):
        admin.get_by_text(said).wait_for(timeout=WAIT)
    assert server.proc.poll() is None  # the process lives
    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    sign_in(other, server, "Ana Costa · rater")
    other.get_by_text("Signed in as").wait_for(timeout=WAIT)
    assert other.locator("[data-testid=stException]").count() == 0
    server.stop()
    store = Store.open(server.db)
    reasons = store.con.execute(
        "SELECT r.where, r.reason FROM ingest_batches,"
        ' unnest(from_json(rejected, \'[{"where": "VARCHAR", "reason": "VARCHAR"}]\')) AS u(r)'
    ).fetchall()
    store.close()
    assert sorted(reasons) == [
        ("line 2", "the JSON nests deeper than 110 levels (20,001 deep)"),
        ("line 2", "the JSON nests deeper than 110 levels (20,002 deep)"),
    ]
