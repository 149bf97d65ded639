"""Who is using this session: OIDC (`st.login`), a trusted proxy header, or local mode.

Modes, chosen by configuration (see README, "Identity and roles"):
1. OIDC when `.streamlit/secrets.toml` has an `[auth]` section;
2. a trusted reverse-proxy header, only when `GOLDSET_TRUST_PROXY_HEADER` names it;
3. otherwise local mode: people pick or add their name, under an "identity is not
   verified" banner.
"""

from __future__ import annotations

import os

import streamlit as st

from labels import render
from labels.models import Rater
from labels.workspace import Workspace

PROXY_HEADER_ENV = "GOLDSET_TRUST_PROXY_HEADER"


def _auth_configured() -> bool:
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - a broken secrets file means no OIDC
        return False


def _verified_id() -> tuple[str | None, str]:
    """(identity, mode) from OIDC or a trusted proxy header; (None, 'local') otherwise."""
    if _auth_configured():
        if not st.user.is_logged_in:
            st.title("Goldset")
            st.write("Sign in to label.")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        return str(st.user.get("email") or st.user.get("sub")), "oidc"
    header = os.environ.get(PROXY_HEADER_ENV)
    if header:
        value = st.context.headers.get(header)
        if not value:
            st.error(f"This server expects the {header} header from its proxy and got none.")
            st.stop()
        return value.strip(), "proxy"
    return None, "local"


def current_rater(ws: Workspace) -> Rater | None:
    """The person using this session (None until they pick a name); draws the sidebar box."""
    verified, mode = _verified_id()
    if verified is not None:
        rater = ws.store.rater(verified)
        if rater is None:
            rater = Rater(id=verified, name=verified)
            ws.store.upsert_rater(rater)
        st.sidebar.caption(f"Signed in as **{render.escape_markdown(rater.name)}** ({rater.role})")
        if mode == "oidc":
            st.sidebar.button("Sign out", on_click=st.logout)
        return rater
    return _local_rater(ws)


def _remember_identity() -> None:
    # Widget state does not survive a change of page; this plain key does.
    st.session_state["who"] = st.session_state.get("identity")


def _local_rater(ws: Workspace) -> Rater | None:
    by_id = {r.id: r for r in ws.store.raters(active_only=True)}
    ids = list(by_id)
    remembered = st.session_state.get("who")
    st.sidebar.selectbox(
        "Who are you?",
        ids,
        index=ids.index(remembered) if remembered in by_id else None,
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].role}",
        key="identity",
        on_change=_remember_identity,
        placeholder="Pick your name",
    )
    with st.sidebar.popover("I'm not listed"):
        name = st.text_input("Your name", key="new_name")
        if st.button("Add me as a rater") and name.strip():
            new_id = name.strip().lower().replace(" ", ".")
            ws.store.upsert_rater(Rater(id=new_id, name=name.strip()))
            st.session_state["who"] = new_id
            st.rerun()
    st.sidebar.warning("Local mode: identity is not verified.", icon=":material/warning:")
    return by_id.get(st.session_state.get("who") or "")
