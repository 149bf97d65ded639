"""Identity: the rules for each mode, and the three modes through AppTest.

AppTest cannot send request headers or complete a real OIDC sign-in, so the proxy mode is
tested here only without its header, and OIDC with `AppTest.user`; the browser tests in
`e2e/test_identity_browser.py` drive both for real.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from labels import identity
from labels.identity import IdentityError
from labels.models import Rater
from labels.store import Store
from labels.workspace import Workspace, open_workspace
from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parent.parent
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-0123456789abcdef",
        "client_id": "goldset",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


# -- the rules -------------------------------------------------------------------


def test_the_mode_comes_from_configuration_only() -> None:
    header = {identity.PROXY_HEADER_ENV: "X-Forwarded-Email"}
    assert identity.choose_mode(True, header) == "oidc"  # OIDC wins when both are set
    assert identity.choose_mode(False, header) == "proxy"
    assert identity.choose_mode(False, {identity.PROXY_HEADER_ENV: "  "}) == "local"
    assert identity.choose_mode(False, {}) == "local"


def test_oidc_id_is_the_verified_email_in_nfc() -> None:
    verified = {"sub": "123", "email": " kim@example.org ", "email_verified": True}
    assert identity.oidc_id(verified) == "kim@example.org"
    decomposed = {"email": "rene\u0301@example.org", "email_verified": True}
    assert identity.oidc_id(decomposed) == "ren\u00e9@example.org"


def test_oidc_id_refuses_an_unverified_email_and_no_identity_at_all() -> None:
    with pytest.raises(IdentityError, match="has not verified your email"):
        identity.oidc_id({"sub": "x", "email": "admin", "email_verified": False})
    with pytest.raises(IdentityError, match="sent no email address"):
        identity.oidc_id({"email": "  "})


def test_oidc_an_absent_email_verified_is_unverified() -> None:
    """Issue 14: `{"email": "DANA"}` with no `email_verified` signed in as Dana."""
    for claims in ({"email": "DANA"}, {"email": "dana", "email_verified": None}):
        with pytest.raises(IdentityError, match="has not verified your email"):
            identity.oidc_id(claims)


def test_oidc_the_subject_is_never_an_id() -> None:
    """Issue 14: `{"sub": "ADMIN"}` with no email signed in as Admin."""
    for claims in ({"sub": "ADMIN"}, {"sub": "admin", "email_verified": True}):
        with pytest.raises(IdentityError, match="sent no email address"):
            identity.oidc_id(claims)


def test_verified_email_is_matched_exactly_never_casefolded(seeded: Workspace) -> None:
    """Issue 14: a verified straße@example.org signed in as the admin strasse@example.org."""
    admin = Rater(id="strasse@example.org", name="Admin S", role="admin")
    seeded.store.upsert_rater(admin)
    other = identity.verified_rater(seeded, "straße@example.org")
    assert (other.id, other.role) == ("straße@example.org", "rater")
    upper = identity.verified_rater(seeded, "STRASSE@example.org")
    assert (upper.id, upper.role) == ("STRASSE@example.org", "rater")
    assert seeded.store.rater("strasse@example.org") == admin


def test_verified_email_is_matched_after_nfc(seeded: Workspace) -> None:
    rene = Rater(id="ren\u00e9@example.org", name="René", role="adjudicator")
    seeded.store.upsert_rater(rene)
    assert identity.verified_rater(seeded, "rene\u0301@example.org") == rene


def test_header_id_takes_exactly_one_value() -> None:
    assert identity.header_id([" ana "], "X-Forwarded-Email") == "ana"
    assert identity.header_id(["ana", "ana"], "X-Forwarded-Email") == "ana"
    for values in ([], [""], ["  ", ","]):
        with pytest.raises(IdentityError, match="expects the X-Forwarded-Email header"):
            identity.header_id(values, "X-Forwarded-Email")


def test_header_id_refuses_a_header_the_browser_could_have_added_to() -> None:
    # A proxy that appends instead of replacing leaves the browser's value in the list.
    for values in (["admin", "ana"], ["admin, ana"]):
        with pytest.raises(IdentityError, match="more than one value"):
            identity.header_id(values, "X-Forwarded-Email")


def test_new_rater_id_and_case_insensitive_lookup() -> None:
    assert identity.new_rater_id("  Kim   Park ") == "kim.park"
    people = [Rater(id="Kim@Example.org", name="Kim"), Rater(id="ana", name="Ana")]
    assert identity.find_rater(people, "kim@example.org") == people[0]
    assert identity.find_rater(people, "ana") == people[1]
    assert identity.find_rater(people, "ben") is None


def test_verified_people_unknown_to_the_database_become_raters(seeded: Workspace) -> None:
    kim = identity.verified_rater(seeded, "kim@example.org", "Kim Park")
    assert kim == Rater(id="kim@example.org", name="Kim Park", role="rater")
    assert seeded.store.rater("kim@example.org") == kim
    # Known people keep their role: signing in never changes it.
    assert identity.verified_rater(seeded, "dana").role == "adjudicator"
    assert seeded.store.rater("dana") == Rater(id="dana", name="Dana", role="adjudicator")


def test_verified_people_who_were_deactivated_are_refused(seeded: Workspace) -> None:
    seeded.store.upsert_rater(Rater(id="ben", name="Ben", active=False))
    with pytest.raises(IdentityError, match="not active"):
        identity.verified_rater(seeded, "ben")
    with pytest.raises(IdentityError, match="too long"):
        identity.verified_rater(seeded, "x" * 200)


def test_adding_yourself_never_takes_over_someone_listed(seeded: Workspace) -> None:
    assert identity.add_local_rater(seeded, " Kim  Park ") == Rater(id="kim.park", name="Kim Park")
    seeded.store.upsert_rater(Rater(id="boss", name="Boss", role="admin"))
    with pytest.raises(IdentityError, match="already listed as Boss"):
        identity.add_local_rater(seeded, "BOSS")
    assert seeded.store.rater("boss") == Rater(id="boss", name="Boss", role="admin")
    with pytest.raises(IdentityError, match="Type your name"):
        identity.add_local_rater(seeded, "   ")


# -- the modes through AppTest -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("identity") / "demo.duckdb")


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database per test: these tests add raters."""
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, copy)
    return copy


@pytest.fixture
def app(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.delenv(identity.PROXY_HEADER_ENV, raising=False)
    monkeypatch.chdir(ROOT)
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.title] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def on_label_page(at: AppTest) -> bool:
    return any(
        type(e).__name__ == "UnknownElement"
        and getattr(e.proto, "component_name", "") == "goldset_labeler"
        for e in at.main
    )


def rater_in(db: Path, rater_id: str) -> Rater | None:
    store = Store.open(db)
    try:
        return store.rater(rater_id)
    finally:
        store.close()


def test_local_mode_a_person_adds_themselves_and_is_signed_in(app: AppTest, db: Path) -> None:
    app.run()
    assert any("identity is not verified" in w.value for w in app.sidebar.warning)
    app.sidebar.text_input(key="new_name").input("Kim Park")
    app.sidebar.button(key="add_me").click().run()
    assert not app.exception, app.exception
    me = Rater(id="kim.park", name="Kim Park", role="rater")
    assert app.session_state["rater"] == me
    assert any("Signed in as **Kim Park** (rater)" in c.value for c in app.sidebar.caption)
    assert any("identity is not verified" in w.value for w in app.sidebar.warning)
    assert on_label_page(app)
    app.run()  # and stays signed in on the next run
    assert app.session_state["rater"] == me
    assert rater_in(db, "kim.park") == me


def test_local_mode_adding_an_existing_name_is_refused(app: AppTest, db: Path) -> None:
    app.run()
    app.sidebar.text_input(key="new_name").input("Admin")
    app.sidebar.button(key="add_me").click().run()
    assert not app.exception
    assert "already listed as Admin" in texts(app)
    assert app.session_state["rater"] is None
    assert rater_in(db, "admin") == Rater(id="admin", name="Admin", role="admin")


@pytest.mark.parametrize("param", ["rater", "who", "identity", "user", "email"])
def test_a_query_parameter_never_signs_anyone_in(app: AppTest, param: str) -> None:
    app.query_params[param] = "admin"
    app.run()
    assert not app.exception
    assert app.session_state["rater"] is None
    assert "Pick your name" in texts(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/admin.py")


def test_a_query_parameter_does_not_change_who_is_signed_in(app: AppTest) -> None:
    app.query_params.update(rater="admin", who="admin", identity="admin")
    app.run()
    app.sidebar.selectbox(key="identity").set_value("ana").run()
    assert app.query_params["rater"] == "admin"  # still in the URL, and ignored
    assert app.session_state["rater"].id == "ana"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/admin.py")


def test_proxy_mode_without_its_header_says_so_without_a_picker(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(identity.PROXY_HEADER_ENV, "X-Forwarded-Email")
    app.query_params["rater"] = "admin"
    app.run()
    assert not app.exception
    assert "expects the X-Forwarded-Email header from its proxy and got none" in texts(app)
    assert not app.sidebar.selectbox
    assert "rater" not in app.session_state
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/label.py")


def test_oidc_mode_asks_to_sign_in_and_offers_no_picker(app: AppTest) -> None:
    app.secrets.update(AUTH)
    app.user = {"is_logged_in": False}
    app.query_params["rater"] = "admin"
    app.run()
    assert not app.exception
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.sidebar.selectbox and not app.sidebar.text_input
    assert "not verified" not in texts(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/label.py")


def test_oidc_mode_adds_an_unknown_verified_person_as_a_rater(app: AppTest, db: Path) -> None:
    app.secrets.update(AUTH)
    app.user = {
        "is_logged_in": True,
        "email": "kim@example.org",
        "email_verified": True,
        "name": "Kim Park",
    }
    app.query_params["rater"] = "admin"
    app.run()
    assert not app.exception, app.exception
    assert "Signed in as **Kim Park** (rater)" in texts(app)
    assert "Sign out" in [b.label for b in app.sidebar.button]
    assert not app.sidebar.selectbox
    assert on_label_page(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/admin.py")
    assert rater_in(db, "kim@example.org") == Rater(
        id="kim@example.org", name="Kim Park", role="rater"
    )


def test_oidc_mode_keeps_the_role_the_database_gives(app: AppTest) -> None:
    app.secrets.update(AUTH)
    app.user = {"is_logged_in": True, "email": "dana", "email_verified": True, "sub": "x"}
    app.run()
    assert "Signed in as **Dana Levi** (adjudicator)" in texts(app)
    app.switch_page("pages/adjudicate.py").run()
    assert not app.exception


def test_oidc_mode_refuses_an_unverified_email(app: AppTest) -> None:
    app.secrets.update(AUTH)
    app.user = {"is_logged_in": True, "email": "admin", "email_verified": False}
    app.run()
    assert not app.exception
    assert "has not verified your email address" in texts(app)
    assert "rater" not in app.session_state
    assert "Sign out" in [b.label for b in app.button]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/admin.py")


def test_local_cookie_names_only_whom_this_database_signed(ws: Workspace) -> None:
    key = identity.cookie_key(ws.store)
    assert identity.cookie_key(ws.store.cursor()) == key  # kept in the database
    assert len(key) == 32
    other_ws = open_workspace(":memory:")
    other = identity.cookie_key(other_ws.store)
    other_ws.store.close()
    value = identity.sign_cookie(key, "ana")
    assert identity.read_cookie(key, value) == "ana"
    assert identity.read_cookie(other, value) is None  # another Goldset on this host
    forged = b"dana".hex() + "." + value.split(".")[1]
    for bad in (forged, "", None, "zz.00", value + "0", "616e61"):
        assert identity.read_cookie(key, bad) is None
