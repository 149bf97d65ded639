"""A rater labels three transcripts with the keyboard only; the database has every label."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from labels.store import Store
from tests.e2e.conftest import Server, press_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def sign_in(page: Any, server: Server, who: str) -> None:
    page.goto(server.url)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=who).click()
    page.get_by_text("Submit & next").wait_for(timeout=30_000)
    # Signing in leaves focus in the name box; from here on the keyboard labels.
    page.evaluate("document.activeElement && document.activeElement.blur()")


def test_label_three_transcripts_with_the_keyboard(demo_server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    sign_in(page, demo_server, "Dana Levi · adjudicator")
    seen = []
    for _ in range(3):
        item = page.locator("h3").first.inner_text(timeout=30_000)
        seen.append(item)
        for key, chosen in (
            ("1", "v-extortion-none"),
            ("q", "v-manipulation-none"),
            ("h", "v-ethical_explanation-na"),
        ):
            page.keyboard.press(key)
            press_until(page, key, f".st-key-{chosen} [data-testid=stBaseButton-primary]")
        page.keyboard.press("Control+Enter")
        page.wait_for_function(
            "prev => (document.querySelector('h3') || {}).innerText !== prev",
            arg=item,
            timeout=30_000,
        )
    demo_server.stop()
    store = Store.open(demo_server.db)
    rows = store.df("SELECT transcript_id, dimension, value FROM labels WHERE rater = 'dana'")
    store.close()
    assert len(rows) == 9
    assert rows["transcript_id"].nunique() == 3
    assert sorted(rows["value"].unique()) == ["na", "none"]


def test_screenshot_of_the_label_page(demo_server: Server, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    sign_in(page, demo_server, "Ana Costa · rater")
    page.wait_for_timeout(1500)
    target = Path(os.environ.get("GOLDSET_SCREENSHOT") or tmp_path / "label.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000


def test_signed_in_name_survives_pages_and_switch_person_signs_out(
    demo_server: Server, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in(page, demo_server, "Ana Costa · rater")
    page.get_by_role("link", name="Browse").click()
    sidebar = page.locator("section[data-testid=stSidebar]")
    sidebar.get_by_text("Signed in as").wait_for(timeout=30_000)
    assert "Ana Costa" in sidebar.inner_text()
    page.get_by_text("Not you? Switch person").click()
    sidebar.get_by_text("Who are you?").wait_for(timeout=30_000)
    assert "Signed in as" not in sidebar.inner_text()
