"""Five real browser sessions label at once; every acknowledged submission is stored once."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Rater, Record
from labels.store import Store
from labels.workspace import open_workspace
from tests.e2e.conftest import Server, _need_browser, chosen, start_server, token, wait_ready
from tests.factories import make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SECONDS = float(os.environ.get("GOLDSET_LOAD_SECONDS", "30"))
RATERS = [f"p{i}" for i in range(5)]


@pytest.fixture
def load_server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    ws = open_workspace(tmp_path / "load.duckdb")
    records = [Record(transcript=make_transcript(f"t{i:04d}", n=8)) for i in range(300)]
    ws.store.ingest_file("load.jsonl", "jsonl", records)
    for r in RATERS:
        ws.store.upsert_rater(Rater(id=r, name=f"Person {r}"))
    ws.store.close()
    server = start_server(tmp_path / "load.duckdb")
    yield server
    server.stop()


KEYS = "aq0"  # extortion none, manipulation none, ethical explanation na
DONE = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}


def item(page: Any) -> str:
    return str(page.evaluate("document.querySelector('.gs-root').dataset.item"))


def test_five_browser_sessions_label_concurrently(load_server: Server, browser: Any) -> None:
    pages = []
    for r in RATERS:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(load_server.url)
        page.locator("[data-testid=stSelectbox]").first.click()
        page.get_by_role("option", name=f"Person {r} · rater").click()
        wait_ready(page)
        pages.append(page)
    acknowledged: list[tuple[str, str]] = []
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        before = [(item(p), token(p)) for p in pages]
        for key in KEYS:  # each key on all five pages at once
            for p in pages:
                p.keyboard.press(key)
        for p in pages:
            assert chosen(p) == DONE
            p.keyboard.press("Control+Enter")
        for rater, p, (shown, tok) in zip(RATERS, pages, before, strict=True):
            wait_ready(p, tok)
            acknowledged.append((rater, shown))
    load_server.stop()
    store = Store.open(load_server.db)
    rows = store.df("SELECT rater, transcript_id, count(*) AS n FROM labels GROUP BY ALL")
    store.close()
    assert len(acknowledged) >= 2 * len(RATERS)  # at least two full rounds
    assert set(zip(rows["rater"], rows["transcript_id"], strict=True)) == set(acknowledged)
    assert set(rows["n"]) == {3}
    assert max(Counter(t for _, t in acknowledged).values()) <= 3
