"""Hostile transcript text is shown as text: no script runs, no remote resource is requested."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Message, Rater, Record, Transcript
from labels.workspace import open_workspace
from tests.e2e.conftest import Server, _need_browser, start_server, watch_outside

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
HOSTILE = (
    "<script>window.__pwned = 1</script>"
    '<img src="http://198.51.100.7/pixel.png" onerror="window.__pwned = 2">'
    " ![tracker](http://198.51.100.7/md.png) [click me](javascript:window.__pwned=3)"
    " :red[styled] $\\\\frac{1}{2}$ <b>bold?</b> www.example.invalid"
)


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    ws = open_workspace(tmp_path / "hostile.duckdb")
    messages = (
        Message(index=0, role="system", text=HOSTILE),
        Message(
            index=1, role="user", text="From: a@b.c\nSubject: " + HOSTILE + "\n\nBody " + HOSTILE
        ),
        Message(index=2, role="assistant", text=HOSTILE, reasoning=HOSTILE),
    )
    t = Transcript(
        id="hostile-1",
        source_format="jsonl",
        source_ref="x",
        messages=messages,
        model="<img src=http://198.51.100.7/m.png>",
    )
    ws.store.ingest_file("hostile.jsonl", "jsonl", [Record(transcript=t)])
    ws.store.upsert_rater(Rater(id="ana", name="Ana Costa"))
    ws.store.close()
    server = start_server(tmp_path / "hostile.duckdb")
    yield server
    server.stop()


def test_hostile_text_is_inert(hostile_server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = watch_outside(page, hostile_server)
    page.goto(hostile_server.url)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Ana Costa · rater").click()
    page.get_by_text("Submit & next").wait_for(timeout=30_000)
    page.wait_for_timeout(2000)
    assert page.evaluate("window.__pwned") is None
    assert outside == []
    body = page.inner_text("body")
    assert "<script>window.__pwned = 1</script>" in body  # shown literally
    assert "![tracker](http://198.51.100.7/md.png)" in body
    assert page.locator("img[src*='198.51.100.7']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
