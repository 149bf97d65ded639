"""Local mode in a real browser: a reload keeps the person, a page's address opens it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import Server, sign_in_local, wait_ready

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 30_000


def wait_for_cookie(context: Any, present: bool = True) -> None:
    """The browser has (or no longer has) the sign-in cookie; the page writes it a moment
    after signing in (a component in the sidebar), so a reload before then signs nobody in."""
    for _ in range(300):
        names = {c["name"] for c in context.cookies() if c["value"]}
        if ("goldset_local_who" in names) == present:
            return
        time.sleep(0.1)
    raise AssertionError(f"the cookie was {'never set' if present else 'not cleared'}")


def sidebar(page: Any) -> Any:
    return page.locator("section[data-testid=stSidebar]")


def test_reload_keeps_the_person_signed_in_until_they_switch(
    demo_server: Server, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in_local(page, demo_server.url, "Ana Costa · rater")
    wait_for_cookie(context)
    page.reload()
    wait_ready(page)
    assert "Signed in as Ana Costa" in sidebar(page).inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == "goldset_local_who")
    # A cookie naming someone else without this database's signature signs nobody in.
    forged = cookie["value"].split(".")[0].replace("616e61", "64616e61") + "." + "0" * 64
    context.add_cookies([{**cookie, "value": forged}])
    page.reload()
    sidebar(page).get_by_text("Who are you?").wait_for(timeout=WAIT)
    assert "Signed in as" not in sidebar(page).inner_text()
    context.add_cookies([cookie])
    page.reload()
    sidebar(page).get_by_text("Signed in as").wait_for(timeout=WAIT)
    page.get_by_text("Not you? Switch person").click()
    sidebar(page).get_by_text("Who are you?").wait_for(timeout=WAIT)
    wait_for_cookie(context, present=False)
    page.reload()
    sidebar(page).get_by_text("Who are you?").wait_for(timeout=WAIT)
    assert "Signed in as" not in sidebar(page).inner_text()
    context.close()


def test_a_page_address_opens_that_page_for_someone_allowed(
    demo_server: Server, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    # The first request to a fresh server names a page: Streamlit would run pages/ by itself.
    page.goto(demo_server.url + "/adjudicate")
    page.get_by_text("Pick your name in the sidebar").wait_for(timeout=WAIT)
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Dana Levi · adjudicator", exact=True).click()
    page.get_by_role("heading", name="Adjudicate").wait_for(timeout=WAIT)
    assert page.url.endswith("/adjudicate")
    wait_for_cookie(context)
    # Signed in (the cookie), the address opens the page straight away.
    for path, heading in (("/agreement", "Inter-rater agreement"), ("/adjudicate", "Adjudicate")):
        page.goto(demo_server.url + path)
        page.get_by_role("heading", name=heading).first.wait_for(timeout=WAIT)
    context.close()
