"""Who is using this session, in Streamlit: sign-in pages, the sidebar box, the cookie.

The rules (which claim or header names whom, the local-mode cookie's signature) are in
`labels.identity`, testable without Streamlit; this module asks Streamlit for the
claims (`st.user`), the headers and cookies (`st.context`) and the secrets, and draws
what the person sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import NoReturn

import streamlit as st

from labels import render
from labels.identity import (
    COOKIE,
    COOKIE_DAYS,
    PROXY_HEADER_ENV,
    IdentityError,
    Mode,
    add_local_rater,
    choose_mode,
    cookie_key,
    header_id,
    oidc_id,
    read_cookie,
    sign_cookie,
    verified_rater,
)
from labels.models import Rater
from labels.workspace import Workspace


def _auth_configured() -> bool:
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - a broken secrets file means no OIDC
        return False


def mode() -> Mode:
    """How this server learns who people are: configuration only, never the request."""
    return choose_mode(_auth_configured(), os.environ)


def current_rater(ws: Workspace) -> Rater | None:
    """The person using this session (None until they pick a name); draws the sidebar box."""
    how = mode()
    if how == "local":
        return _local_rater(ws)
    try:
        rater = _oidc_rater(ws) if how == "oidc" else _proxy_rater(ws)
    except IdentityError as exc:
        _refuse(str(exc), how)
    st.sidebar.caption(f"Signed in as **{render.escape_markdown(rater.name)}** ({rater.role})")
    if how == "oidc":
        st.sidebar.button("Sign out", on_click=st.logout)
    return rater


def _oidc_rater(ws: Workspace) -> Rater:
    if not st.user.is_logged_in:
        _only_page(_sign_in, "Sign in")
    claims = st.user.to_dict()
    name = claims.get("name")
    return verified_rater(ws, oidc_id(claims), name if isinstance(name, str) else None)


def _proxy_rater(ws: Workspace) -> Rater:
    header = os.environ[PROXY_HEADER_ENV].strip()
    # Headers of the websocket request; a trusted proxy sets them on every connection.
    return verified_rater(ws, header_id(st.context.headers.get_all(header), header))


def _sign_in() -> None:
    st.title("Goldset")
    st.write("Sign in with your organisation's account to label.")
    st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")


def _refuse(message: str, how: Mode) -> NoReturn:
    def not_signed_in() -> None:
        st.title("Goldset")
        st.error(message, icon=":material/person_off:")
        if how == "oidc":
            st.button("Sign out", on_click=st.logout)

    _only_page(not_signed_in, "Not signed in")


def _only_page(page: Callable[[], None], title: str) -> NoReturn:
    # Stopping before app.py reaches st.navigation would make Streamlit fall back to
    # listing (and running) pages/ by itself; a one-page navigation keeps them unreachable.
    st.navigation([st.Page(page, title=title, icon=":material/login:")]).run()
    st.stop()


def _remember_identity() -> None:
    # Widget state does not survive a change of page; this plain key does.
    st.session_state["who"] = st.session_state.get("identity")


_COOKIE_JS = """
export default function ({ data }) {
  const attrs = "; path=/; SameSite=Strict; max-age=" + data.max_age;
  document.cookie = data.name + "=" + encodeURIComponent(data.value) + attrs;
}
"""


@cache
def _cookie_setter() -> Callable[..., object]:
    return st.components.v2.component("goldset_cookie", js=_COOKIE_JS)


def _set_cookie(value: str, days: int) -> None:
    """Write the local-mode cookie in the browser (an empty element in the sidebar).

    Mounted on every run rather than once, so a quick rerun cannot remove it unrun.
    """
    with st.sidebar:
        _cookie_setter()(data={"name": COOKIE, "value": value, "max_age": days * 86400})


def _cookie_who(ws: Workspace) -> str | None:
    # The cookie the browser sent when this session connected; ignored once someone switched.
    if st.session_state.get("cookie_ignored"):
        return None
    return read_cookie(cookie_key(ws.store), st.context.cookies.get(COOKIE))


def _local_rater(ws: Workspace) -> Rater | None:
    by_id = {r.id: r for r in ws.store.raters(active_only=True)}
    who = st.session_state.get("who") or _cookie_who(ws)
    who = who if who in by_id else None
    if who is not None:
        st.session_state["who"] = who
        _set_cookie(sign_cookie(cookie_key(ws.store), who), COOKIE_DAYS)
        # Signed in: say who, and offer a way out (a picker here would show the wrong name
        # after a change of page, since widget state does not follow it).
        st.sidebar.caption(
            f"Signed in as **{render.escape_markdown(by_id[who].name)}** ({by_id[who].role})"
        )
        st.sidebar.button("Not you? Switch person", key="switch_person", on_click=_forget)
    else:
        if st.session_state.get("cookie_ignored"):
            _set_cookie("", 0)  # switched person: the browser forgets the cookie
        st.sidebar.selectbox(
            "Who are you?",
            list(by_id),
            index=None,
            format_func=lambda i: f"{by_id[i].name} · {by_id[i].role}",
            key="identity",
            on_change=_remember_identity,
            placeholder="Pick your name",
        )
        _add_yourself(ws)
    st.sidebar.warning("Local mode: identity is not verified.", icon=":material/warning:")
    return by_id[who] if who else None


def _forget() -> None:
    st.session_state.pop("who", None)
    st.session_state.pop("identity", None)
    st.session_state["cookie_ignored"] = True


def _add_yourself(ws: Workspace) -> None:
    with st.sidebar.popover("I'm not listed"):
        name = st.text_input("Your name", key="new_name", max_chars=80)
        if st.button("Add me as a rater", key="add_me"):
            try:
                rater = add_local_rater(ws, name)
            except IdentityError as exc:
                st.warning(str(exc))
                return
            st.session_state["who"] = rater.id
            st.rerun()
