"""Identity in a real browser: OIDC against a local mock provider, and a trusted proxy header.

The provider is oidc-provider-mock on localhost; Streamlit reads its `[auth]` section from
a secrets file in the test's temporary folder (STREAMLIT_SECRETS_FILES), never the repo's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Rater
from labels.store import Store
from tests.e2e.conftest import (
    OidcProvider,
    Server,
    _need_browser,
    start_server,
    write_auth_secrets,
)
from tests.e2e.proxy import COOKIE, Proxy
from tests.factories import build_demo_db

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 30_000
HEADER = "X-Forwarded-Email"


def rater_row(db: Path, rater_id: str) -> tuple[Any, ...] | None:
    store = Store.open(db)
    try:
        return store.con.execute(
            "SELECT id, name, role, active FROM raters WHERE id = ?", [rater_id]
        ).fetchone()
    finally:
        store.close()


def sidebar_text(page: Any) -> str:
    return str(page.locator("[data-testid=stSidebar]").inner_text(timeout=WAIT))


def wait_for_label_page(page: Any) -> None:
    page.get_by_text("Submit & next").or_(page.get_by_text("Your queue is empty")).first.wait_for(
        timeout=WAIT
    )


def assert_no_picker_and_no_traceback(page: Any) -> None:
    assert page.get_by_text("Who are you?").count() == 0
    assert page.get_by_text("I'm not listed").count() == 0
    assert page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").count() == 0
    assert page.locator("[data-testid=stException]").count() == 0


def assert_no_admin_page(page: Any, server: Server) -> None:
    """Typing a page's address does not open a page the role does not allow."""
    page.goto(server.url + "/admin")
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    wait_for_label_page(page)
    assert page.get_by_role("heading", name="Admin").count() == 0
    assert page.get_by_text("This page is for admins").count() == 0
    page.goto(server.url)  # away from Streamlit's "page not found" dialog, which blocks clicks
    wait_for_label_page(page)


@pytest.fixture
def oidc_server(oidc_provider: OidcProvider, tmp_path: Path) -> Iterator[Server]:
    env = write_auth_secrets(tmp_path / "secrets.toml", oidc_provider)
    server = start_server(build_demo_db(tmp_path / "oidc.duckdb"), env=env)
    yield server
    server.stop()


def sign_in_with_provider(page: Any, server: Server, provider: OidcProvider, sub: str) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Sign in").click(timeout=WAIT)
    page.wait_for_url(provider.url + "/oauth2/authorize**", timeout=WAIT)
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(server.url + "/**", timeout=WAIT)


def test_oidc_sign_in_adds_an_unknown_verified_person_as_a_rater(
    oidc_server: Server, oidc_provider: OidcProvider, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(oidc_server.url + "/?rater=admin")
    page.get_by_role("button", name="Sign in").wait_for(timeout=WAIT)
    assert_no_picker_and_no_traceback(page)  # nobody can pick an identity, signed in or not

    oidc_provider.set_user("kim@example.org", {"email": "kim@example.org", "email_verified": True})
    sign_in_with_provider(page, oidc_server, oidc_provider, "kim@example.org")
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    wait_for_label_page(page)
    side = sidebar_text(page)
    assert "Signed in as kim@example.org (rater)" in side
    assert "Adjudicate" not in side and "Admin" not in side
    assert "not verified" not in side
    assert_no_picker_and_no_traceback(page)

    # The session cookie keeps Kim signed in; a query parameter does not change who she is.
    page.goto(oidc_server.url + "/?rater=admin&who=admin&identity=admin")
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    wait_for_label_page(page)
    assert "Signed in as kim@example.org (rater)" in sidebar_text(page)
    assert "Admin" not in sidebar_text(page)
    assert_no_admin_page(page, oidc_server)

    # Signing out goes through the provider's end-session page and back to "Sign in".
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(oidc_provider.url + "/oauth2/end_session**", timeout=WAIT)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=WAIT)
    page.goto(oidc_server.url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=WAIT)
    assert page.get_by_text("Signed in as").count() == 0

    oidc_server.stop()
    assert rater_row(oidc_server.db, "kim@example.org") == (
        "kim@example.org",
        "kim@example.org",
        "rater",
        True,
    )


def test_oidc_refuses_an_email_the_provider_has_not_verified(
    oidc_server: Server, oidc_provider: OidcProvider, browser: Any
) -> None:
    oidc_provider.set_user("mallory", {"email": "admin", "email_verified": False})
    page = browser.new_page()
    sign_in_with_provider(page, oidc_server, oidc_provider, "mallory")
    page.get_by_text("has not verified your email address").wait_for(timeout=WAIT)
    assert page.locator("[data-testid=stSidebarNav]").count() == 0  # no page at all
    assert page.get_by_text("Submit & next").count() == 0
    assert_no_picker_and_no_traceback(page)
    oidc_server.stop()
    assert rater_row(oidc_server.db, "admin") == ("admin", "Admin", "admin", True)


def refused_sign_in(page: Any, server: Server, provider: OidcProvider, sub: str, why: str) -> None:
    sign_in_with_provider(page, server, provider, sub)
    page.get_by_text(why).wait_for(timeout=WAIT)
    assert page.locator("[data-testid=stSidebarNav]").count() == 0  # no page at all
    assert page.get_by_text("Submit & next").count() == 0
    assert_no_picker_and_no_traceback(page)


def test_oidc_subject_and_unverified_email_never_sign_in_as_someone_listed(
    oidc_server: Server, oidc_provider: OidcProvider, browser: Any
) -> None:
    """Issue 14: `{"sub": "ADMIN"}` signed in as Admin; `{"email": "DANA"}` as Dana."""
    oidc_provider.set_user("ADMIN", {})  # a subject and no email at all
    refused_sign_in(
        browser.new_page(), oidc_server, oidc_provider, "ADMIN", "sent no email address"
    )
    # The mock's default claims for a new subject: {"email": sub}, no email_verified.
    refused_sign_in(
        browser.new_page(), oidc_server, oidc_provider, "DANA", "has not verified your email"
    )
    oidc_server.stop()
    assert rater_row(oidc_server.db, "admin") == ("admin", "Admin", "admin", True)
    assert rater_row(oidc_server.db, "ADMIN") is None and rater_row(oidc_server.db, "DANA") is None


def test_oidc_a_verified_email_is_matched_exactly_not_casefolded(
    oidc_server: Server, oidc_provider: OidcProvider, browser: Any
) -> None:
    """Issue 14: a verified straße@example.org signed in as the admin strasse@example.org."""
    store = Store.open(oidc_server.db)
    store.upsert_rater(Rater(id="strasse@example.org", name="Strasse Admin", role="admin"))
    store.close()
    oidc_provider.set_user("s", {"email": "straße@example.org", "email_verified": True})
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in_with_provider(page, oidc_server, oidc_provider, "s")
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    side = sidebar_text(page)
    assert "Signed in as straße@example.org (rater)" in side and "Admin" not in side
    oidc_server.stop()
    assert rater_row(oidc_server.db, "strasse@example.org") == (
        "strasse@example.org",
        "Strasse Admin",
        "admin",
        True,
    )
    assert rater_row(oidc_server.db, "straße@example.org")[2] == "rater"  # type: ignore[index]


@pytest.fixture
def proxy_server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    server = start_server(
        build_demo_db(tmp_path / "proxy.duckdb"), env={"GOLDSET_TRUST_PROXY_HEADER": HEADER}
    )
    front = Proxy(server.url, HEADER)
    yield Server(front.url, server.db, server.proc)  # people reach it through the proxy
    front.stop()
    server.stop()


def through_proxy(browser: Any, server: Server, who: str | None) -> Any:
    """A browser signed in at the proxy as `who` (None: not signed in), which also sends
    its own, forged identity header: the proxy replaces it, as a real one does."""
    context = browser.new_context(extra_http_headers={HEADER: "admin"})
    if who is not None:
        context.add_cookies([{"name": COOKIE, "value": who, "url": server.url}])
    return context


def test_trusted_proxy_header_signs_people_in_without_a_picker(
    proxy_server: Server, browser: Any
) -> None:
    ana = through_proxy(browser, proxy_server, "ana")
    page = ana.new_page()
    page.goto(proxy_server.url + "/?rater=admin")
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    wait_for_label_page(page)
    side = sidebar_text(page)
    assert "Signed in as Ana Costa (rater)" in side
    assert "Adjudicate" not in side and "not verified" not in side
    assert_no_picker_and_no_traceback(page)
    assert_no_admin_page(page, proxy_server)

    newcomer = through_proxy(browser, proxy_server, "lee@example.org")
    page = newcomer.new_page()
    page.goto(proxy_server.url)
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)
    assert "Signed in as lee@example.org (rater)" in sidebar_text(page)

    nobody = through_proxy(browser, proxy_server, None)
    page = nobody.new_page()
    page.goto(proxy_server.url)
    page.get_by_text(f"expects the {HEADER} header from its proxy").wait_for(timeout=WAIT)
    assert_no_picker_and_no_traceback(page)
    assert page.get_by_text("Submit & next").count() == 0

    proxy_server.stop()
    assert rater_row(proxy_server.db, "lee@example.org") == (
        "lee@example.org",
        "lee@example.org",
        "rater",
        True,
    )


@pytest.fixture
def untrusting_server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    # Empty means unset, even if the shell running the tests exported the variable.
    server = start_server(
        build_demo_db(tmp_path / "local.duckdb"), env={"GOLDSET_TRUST_PROXY_HEADER": ""}
    )
    front = Proxy(server.url, HEADER)
    yield Server(front.url, server.db, server.proc)
    front.stop()
    server.stop()


def test_the_header_is_ignored_unless_the_server_is_told_to_trust_it(
    untrusting_server: Server, browser: Any
) -> None:
    context = through_proxy(browser, untrusting_server, "admin")
    page = context.new_page()
    page.goto(untrusting_server.url + "/?rater=admin")
    page.get_by_text("Local mode: identity is not verified.").wait_for(timeout=WAIT)
    page.get_by_text("Pick your name").first.wait_for(timeout=WAIT)
    side = sidebar_text(page)
    assert "Signed in as" not in side
    assert "Adjudicate" not in side and "Manage" not in side
    assert page.get_by_text("Submit & next").count() == 0
