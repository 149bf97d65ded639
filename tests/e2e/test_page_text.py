"""The review pages as a researcher uses them (issue 19), in Chromium on the demo database:
no "None", "nan" or traceback anywhere on any page, and the export's downloads."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 60_000
IDLE = (
    "() => document.querySelector('[data-test-script-state]')"
    "?.getAttribute('data-test-script-state') === 'notRunning'"
)
PAGES = [
    *("Label", "Browse", "Adjudicate", "Agreement", "Graders", "Raters", "Export", "Data", "Admin"),
]
# Whole words only: "nonexistent", "financial" or "Nanami" are fine.
BAD = re.compile(r"\b(None|nan|NaN|Traceback)\b")


# Tables are drawn on a canvas: every string drawn there is kept, so the scan reads what a
# person sees (a missing cell is drawn as "None" by Streamlit itself).
CANVAS_TEXT = """window.__drawn = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  window.__drawn.push(String(text)); return fill.call(this, text, ...rest);
};"""


def admin(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    context.add_init_script(CANVAS_TEXT)
    page = context.new_page()
    page.goto(server.url)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Admin · admin", exact=True).click()
    page.wait_for_function(IDLE, timeout=WAIT)
    return page


def settle(page: Any) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function(IDLE, timeout=WAIT)


def open_page(page: Any, title: str) -> None:
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=title).first.click()
    settle(page)


def screen_text(page: Any) -> str:
    """What the page shows: its text, everything drawn on a canvas since the last call
    (tables' cells, charts) and the text of charts drawn as SVG."""
    return str(
        page.evaluate(
            """() => { const drawn = window.__drawn.splice(0);
              return [document.body.innerText, ...drawn,
                ...[...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')]
                  .map(t => t.textContent)].join('\\n'); }"""
        )
    )


def bad_words(page: Any) -> list[str]:
    return [m.group(0) for m in BAD.finditer(screen_text(page))]


def test_no_page_shows_none_nan_or_a_traceback(demo_server: Server, browser: Any) -> None:
    page = admin(browser, demo_server)
    found = {}
    for title in PAGES:
        open_page(page, title)
        page.wait_for_timeout(800)  # charts draw after the run
        found[title] = bad_words(page)
        if title == "Graders":  # every tab, not only the first
            for tab in page.get_by_role("tab").all():
                tab.click()
                settle(page)
                found[f"Graders · {tab.inner_text()}"] = bad_words(page)
    assert not any(found.values()), found


def test_the_scan_reads_table_cells(demo_server: Server, browser: Any) -> None:
    """The scan sees what tables draw on their canvas (a cell's text is in no element):
    the Graders summary's row with 0 items draws its missing figures as "—"."""
    page = admin(browser, demo_server)
    open_page(page, "Graders")
    page.wait_for_function(
        "() => window.__drawn.includes('—') && window.__drawn.includes('demo/judge-scored')",
        timeout=WAIT,
    )
    assert BAD.search("a None b") and not BAD.search("nonexistent, Nanami, financial")


def test_export_downloads_are_one_click_each_and_both_stay(
    demo_server: Server, browser: Any
) -> None:
    page = admin(browser, demo_server)
    open_page(page, "Export")
    page.locator("[data-testid=stSelectbox]").last.click()  # the dimension
    page.get_by_role("option", name="extortion", exact=True).click()
    settle(page)
    day = datetime.now(UTC).date().isoformat()
    name = f"goldset-gold-extortion-{day}.jsonl"
    with page.expect_download(timeout=WAIT) as got:
        page.get_by_role("button", name=f"Download {name}").click()
    assert got.value.suggested_filename == name
    body = Path(got.value.path()).read_bytes()
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert rows and {r["dimension"] for r in rows} == {"extortion"}
    settle(page)
    card_button = page.get_by_role("button", name="Data card (JSON)")
    assert card_button.is_visible()  # still there after the first download
    with page.expect_download(timeout=WAIT) as got:
        card_button.click()
    assert got.value.suggested_filename == name + ".card.json"
    card = json.loads(Path(got.value.path()).read_bytes())
    assert card["file"] == name and card["rows"] == len(rows)
    assert card["sha256"] == hashlib.sha256(body).hexdigest()
    assert page.get_by_role("button", name=f"Download {name}").is_visible()
