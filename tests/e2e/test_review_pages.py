"""The raters page in a real browser, and a screenshot of every page for the README."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from labels.models import Gold
from labels.workspace import open_workspace
from tests.e2e.conftest import _need_browser, start_server
from tests.factories import build_demo_db

SCREENSHOTS = {  # sidebar link → README picture (the label page has its own test)
    "Browse": "browse-page.png",
    "Adjudicate": "adjudicate-page.png",
    "Agreement": "agreement-page.png",
    "Graders": "graders-page.png",
    "Raters": "raters-page.png",
    "Export": "export-page.png",
    "Data": "data-page.png",
    "Admin": "admin-page.png",
}


def sign_in(page: Any, url: str, who: str) -> None:
    page.goto(url)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=who, exact=True).click()
    page.get_by_text(f"Signed in as {who.split(' · ')[0]}").wait_for(timeout=30_000)


def settle(page: Any) -> None:
    """The page has stopped running (no spinner, no 'Running…' status)."""
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')"
        " && !document.querySelector('[data-testid=stSpinner]')",
        timeout=60_000,
    )


def with_adjudicated_gold(db: Path) -> None:
    """Twelve adjudicated extortion golds that Ben's labels never match (Ben is flagged)."""
    ws = open_workspace(db)
    ben = ws.store.current_labels("extortion")
    ben = ben[ben["rater"] == "ben"].head(12)
    other = {"none": "considered"}
    ws.store.add_gold(
        [
            Gold(
                transcript_id=row.transcript_id,
                dimension="extortion",
                value=other.get(row.value, "none"),
                method="adjudicated",
                who="dana",
                schema_version=ws.schema_version,
            )
            for row in ben.itertuples()
        ]
    )
    ws.store.close()


def test_raters_page_shows_each_rater_and_flags_one_below_the_threshold(
    browser: Any, tmp_path: Path
) -> None:
    _need_browser()
    db = build_demo_db(tmp_path / "raters.duckdb")
    with_adjudicated_gold(db)
    server = start_server(db)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, server.url, "Dana Levi · adjudicator")
        page.get_by_role("link", name="Raters").click()
        page.get_by_text("Agreement with the other raters").wait_for(timeout=60_000)
        settle(page)
        body = page.inner_text("main")
        assert "Ben Okafor agrees with gold on 0% of 12 labels" in body
        assert "below the project's 80%" in body
        grids = page.locator("[data-testid=stDataFrame]")
        assert grids.count() == 2
        charts = page.locator("[data-testid=stVegaLiteChart]")
        charts.nth(2).wait_for(timeout=30_000)  # items, time, gold: drawn after the script
        assert charts.count() == 3
        assert not re.search(r"\b(None|nan|NaN)\b", body), body
    finally:
        server.stop()


def test_screenshot_of_every_review_page(browser: Any, tmp_path: Path) -> None:
    """`make screenshot` writes them to docs/ (GOLDSET_SCREENSHOTS=docs)."""
    _need_browser()
    db = build_demo_db(tmp_path / "shots.duckdb")
    server = start_server(db)
    folder = Path(os.environ.get("GOLDSET_SCREENSHOTS") or tmp_path)
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        sign_in(page, server.url, "Admin · admin")
        for link, name in SCREENSHOTS.items():
            page.get_by_role("link", name=link, exact=True).click()
            page.wait_for_url(f"**/{link.lower()}")
            page.locator("h1").first.wait_for(timeout=60_000)
            settle(page)
            page.wait_for_timeout(1500)  # charts draw after the script ends
            assert page.locator("h1").first.inner_text() != "Goldset", link  # not the welcome
            page.screenshot(path=str(folder / name))
            assert (folder / name).stat().st_size > 20_000, name
    finally:
        server.stop()
