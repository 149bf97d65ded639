"""The raters page in a real browser, and a screenshot of every page for the README."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from labels.models import Gold
from labels.workspace import open_workspace
from tests.e2e.conftest import _need_browser, sign_in_local, start_server, submit_and_wait
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
        grids.nth(1).wait_for(
            timeout=30_000
        )  # grids draw after the script, on a busy machine later
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


def test_an_audit_draws_links_open_its_items_on_browse(browser: Any, tmp_path: Path) -> None:
    """The link cell (drawn on the table's canvas) opens the transcript in a new tab, signed
    in, with a way back to every transcript."""
    _need_browser()
    server = start_server(build_demo_db(tmp_path / "audit.duckdb"))
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        sign_in(page, server.url, "Dana Levi · adjudicator")
        page.get_by_role("link", name="Graders", exact=True).click()
        page.get_by_role("tab", name="Audits").click()
        page.get_by_role("button", name="Draw audit sample").click()
        said = page.get_by_text("now first in the raters' queues")
        said.wait_for(timeout=60_000)
        settle(page)
        table = page.locator("[data-testid=stElementContainer]").filter(has=said)
        grid = table.locator("xpath=following-sibling::*[1]")
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        x, y = box["x"] + 40, box["y"] + 35 + 17  # the first row's "open on Browse"
        page.mouse.move(x, y)
        with context.expect_page(timeout=30_000) as opened:
            page.mouse.click(x, y)
        tab = opened.value
        assert "/browse?transcript=am%3Ademo-2026%2F" in tab.url
        tab.get_by_role("button", name="All transcripts").wait_for(timeout=60_000)
        heading = tab.locator("h3").first
        heading.wait_for(timeout=30_000)
        assert heading.inner_text().replace("\n", "").startswith("am:demo-2026/")
        tab.get_by_role("button", name="All transcripts").click()
        tab.get_by_text("Select a row to read the transcript.").wait_for(timeout=60_000)
        context.close()
    finally:
        server.stop()


def test_agreement_figures_are_computed_off_the_page_and_refresh_by_themselves(
    browser: Any, tmp_path: Path
) -> None:
    """With no wait for figures (as on a large database, where they take seconds): the
    first visit says the figures are being computed and then shows them without a
    click; after a rater's label the page shows the older figures, says so, and swaps
    in the new ones by itself."""
    _need_browser()
    db = build_demo_db(tmp_path / "figures.duckdb")
    server = start_server(
        db, {"GOLDSET_FIGURES_WAIT": "0", "GOLDSET_FIGURES_DIR": str(tmp_path / "figures")}
    )
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, server.url, "Dana Levi · adjudicator")
        page.get_by_role("link", name="Agreement").click()
        page.get_by_text("Computing the agreement figures").or_(
            page.get_by_role("heading", name="Over time")
        ).first.wait_for(timeout=60_000)
        page.get_by_role("heading", name="Over time").wait_for(timeout=60_000)
        page.get_by_text("Computing the agreement figures").wait_for(state="detached")
        settle(page)
        assert page.locator("[data-testid=stVegaLiteChart]").count() == 2

        rater = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in_local(rater, server.url, "Ana Costa · rater")
        for key in ("a", "q", "2"):  # none, none, 2: no evidence needed
            rater.keyboard.press(key)
        submit_and_wait(rater)

        page.get_by_role("link", name="Browse").click()
        page.get_by_role("heading", name="Browse transcripts").wait_for()
        page.get_by_role("link", name="Agreement").click()
        page.get_by_text("describe the data as of").wait_for(timeout=60_000)
        page.get_by_text("describe the data as of").wait_for(state="detached", timeout=60_000)
        page.get_by_role("heading", name="Over time").first.wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_role("heading", name="Over time").count() == 1
        text = page.inner_text("main")
        assert "Computing the agreement figures" not in text and "failed" not in text
    finally:
        server.stop()
