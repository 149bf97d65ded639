"""Label: the rater's queue, one transcript at a time, blind and keyboard first.

The transcript and the panel are one browser component (`labels/static/labeler.js`) that
answers keys in the browser; it runs in a fragment, so a submit reruns only the panel.
"""

from __future__ import annotations

import streamlit as st

from labels import labeling, ui

ws = ui.workspace()
rater = st.session_state["rater"]
state = st.session_state.setdefault("label_session", {})
if state.get("rater") != rater.id:
    state.clear()
    state["rater"] = rater.id


def session() -> labeling.LabelSession:
    return labeling.LabelSession(ui.workspace(), rater.id, state)


def on_draft() -> None:
    session().save_draft(ui.labeler_sent("draft"))


def on_action() -> None:
    with ui.friendly_errors():
        session().act(ui.labeler_sent("action"))


@st.fragment
def panel() -> None:
    with ui.friendly_errors():
        ui.labeler(session().view(), on_draft, on_action)


panel()

with st.expander("Your labeled items: revise one"):
    mine = ws.store.rater_items(rater.id)
    if mine.empty:
        st.caption("Nothing yet.")
    else:
        when = {
            str(r.transcript_id): f"{r.transcript_id} · {r.state} · {r.updated_at:%Y-%m-%d %H:%M}"
            for r in mine.itertuples()
        }
        pick = st.selectbox(
            "Item (newest first)", list(when), key="revise-pick", format_func=when.__getitem__
        )
        if st.button("Revise this item") and pick:
            session().revise(pick)
            st.rerun()
