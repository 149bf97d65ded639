"""Text that people type is shown as text (issue 14, point 8): a rater id and name holding
markdown, in the adjudicator's toast and in the sidebar, make the browser fetch nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Label, Rater, Record
from labels.workspace import open_workspace
from tests.e2e.conftest import Server, _need_browser, start_server, watch_outside
from tests.factories import make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 30_000
IMAGE = "![q](http://198.51.100.7/q.png)"
HOSTILE_ID = f"mallory{IMAGE}"
HOSTILE_NAME = f"Mallory {IMAGE} http://198.51.100.7/link"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    ws = open_workspace(tmp_path / "people.duckdb")
    ws.store.ingest_file("t.jsonl", "jsonl", [Record(transcript=make_transcript("case-1"))])
    ws.store.upsert_rater(Rater(id=HOSTILE_ID, name=HOSTILE_NAME))
    ws.store.upsert_rater(Rater(id="ana", name="Ana Costa"))
    ws.store.upsert_rater(Rater(id="dana", name="Dana Levi", role="adjudicator"))
    ws.store.add_labels(
        [
            Label(
                transcript_id="case-1",
                rater=rater,
                dimension="extortion",
                value=value,
                rationale=IMAGE,
                schema_version=ws.schema_version,
            )
            for rater, value in ((HOSTILE_ID, "explicit_threat"), ("ana", "none"))
        ]
    )
    ws.store.close()
    server = start_server(tmp_path / "people.duckdb")
    yield server
    server.stop()


def pick(page: Any, option: str) -> None:
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=option).click()


def test_the_adjudicators_toast_shows_a_hostile_rater_id_as_text(
    server: Server, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = watch_outside(page, server)
    page.goto(server.url)
    pick(page, "Dana Levi · adjudicator")
    page.get_by_role("link", name="Adjudicate").click()
    page.get_by_text("Not ready to decide?").click(timeout=WAIT)
    page.get_by_label("Question for the raters").fill(f"Why? {IMAGE}")
    page.get_by_label("Question for the raters").press("Enter")
    page.get_by_role("button", name="Send back to the raters").click()
    toast = page.locator("[data-testid=stToast]")
    toast.wait_for(timeout=WAIT)
    assert HOSTILE_ID in toast.inner_text().replace("\u2060", "")  # the id, literally
    assert toast.locator("a, img").count() == 0
    page.wait_for_timeout(1500)
    assert outside == []
    assert page.locator("img[src*='198.51.100.7']").count() == 0
    assert page.locator("a[href*='198.51.100.7']").count() == 0


def test_the_sidebar_shows_a_hostile_rater_name_as_text(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = watch_outside(page, server)
    page.goto(server.url)
    pick(page, f"{HOSTILE_NAME} · rater")
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Signed in as").wait_for(timeout=WAIT)
    assert HOSTILE_NAME in sidebar.inner_text().replace("\u2060", "")  # the name, literally
    page.wait_for_timeout(1500)
    assert outside == []
    assert page.locator("img[src*='198.51.100.7']").count() == 0

    assert page.locator("a[href*='198.51.100.7']").count() == 0
