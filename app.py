"""Goldset: the Streamlit entry point. Page config, identity, and the pages a role may see.

`st.navigation` runs on every script run, so only the pages a person's role
allows exist for their session (the `pages/` folder is never listed by itself).
"""

from pathlib import Path

import streamlit as st

from labels import network, render, ui
from labels.store import StoreError

# A local icon: a ":material/…" page icon would make the browser fetch it from Google's CDN.
ICON = Path(__file__).resolve().parent / "docs" / "icon.png"
st.set_page_config(page_title="Goldset", page_icon=str(ICON), layout="wide")
ui.new_run()

PAGES = {
    "rater": [
        st.Page("pages/label.py", title="Label", icon=":material/edit_note:", default=True),
        st.Page("pages/browse.py", title="Browse", icon=":material/search:"),
    ],
    "adjudicator": [
        st.Page("pages/adjudicate.py", title="Adjudicate", icon=":material/gavel:"),
        st.Page("pages/agreement.py", title="Agreement", icon=":material/handshake:"),
        st.Page("pages/graders.py", title="Graders", icon=":material/rule:"),
        st.Page("pages/raters.py", title="Raters", icon=":material/groups:"),
        st.Page("pages/export.py", title="Export", icon=":material/download:"),
    ],
    "admin": [
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
        st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"),
    ],
}
SECTIONS = {"rater": "Label", "adjudicator": "Review", "admin": "Manage"}


def welcome() -> None:
    st.title("Goldset")
    st.markdown(
        "Label AI-agent transcripts for **extortion**, **manipulation** and the quality of "
        "the model's **ethical explanation**, blind to other raters and to any grader."
    )
    st.info("Pick your name in the sidebar to start.", icon=":material/arrow_back:")


def unavailable() -> None:
    st.title("Goldset")
    reason = st.session_state.get("startup_error", "The database could not be opened.")
    st.error(render.escape_markdown(reason))  # it names a path


ADDRESS = st.get_option("server.address")
if ui.mode() == "local":
    if refusal := network.local_mode_refusal(ADDRESS):
        st.session_state["startup_error"] = refusal
        st.navigation([st.Page(unavailable, title="Not started")]).run()
        st.stop()
    if not network.is_loopback(ADDRESS):
        st.warning(network.WARNING, icon=":material/warning:")

try:
    ws = ui.workspace()
    ui.warm_up()
    rater = ui.current_rater(ws)
except StoreError as exc:
    st.session_state["startup_error"] = str(exc)
    st.navigation([st.Page(unavailable, title="Unavailable")]).run()
    st.stop()

st.session_state["rater"] = rater
if rater is None:
    # Every page's address leads to the welcome; once signed in, the same address opens it.
    hidden = [
        st.Page(welcome, title=p.title, url_path=p.url_path, visibility="hidden")
        for pages in PAGES.values()
        for p in pages
        if p.url_path  # the default page's address is the root
    ]
    page = st.navigation([st.Page(welcome, title="Welcome", icon=":material/login:"), *hidden])
else:
    page = st.navigation(
        {SECTIONS[role]: pages for role, pages in PAGES.items() if ui.has_role(rater, role)}
    )
with ui.friendly_errors():
    page.run()
