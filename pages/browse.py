"""Browse: find transcripts by source, model, condition, label state and text."""

import streamlit as st

from labels import render, ui
from labels.models import Transcript
from labels.store import LABEL_STATES

ws = ui.workspace()
rater = st.session_state["rater"]
may_see_labels = ui.has_role(rater, "adjudicator")

st.title("Browse transcripts")


def show(t: Transcript) -> None:
    st.subheader(render.escape_markdown(t.id))
    st.caption(f"{ui.conditions(t)} · read-only · {render.escape_markdown(t.source_ref)}")
    if may_see_labels:
        with st.expander("Labels on this transcript (every change, oldest first)"):
            ui.dataframe(ws.store.label_history(t.id), hide_index=True)
    ui.transcript(t)


if wanted := st.query_params.get(ui.BROWSE_PARAM):  # a link from another page (an audit draw)
    linked = ws.store.get_transcript(wanted)
    if st.button("All transcripts", icon=":material/arrow_back:"):
        del st.query_params[ui.BROWSE_PARAM]
        st.rerun()
    if linked is None:
        st.warning(f"There is no transcript {render.escape_markdown(wanted)}.")
    else:
        show(linked)
    st.stop()

total = ws.store.counts()["transcripts"]
if not total:
    st.info("No transcripts yet. An admin can add some on the Data page.")
    st.stop()
facets = ws.store.transcript_facets()
options = facets.__getitem__

cols = st.columns(5)
fmt = cols[0].selectbox("Source", options("source_format"), index=None, placeholder="any")
model = cols[1].selectbox("Model", options("model"), index=None, placeholder="any")
scenario = cols[2].selectbox("Scenario", options("scenario"), index=None, placeholder="any")
state = (
    cols[3].selectbox("Label state", LABEL_STATES, index=None, placeholder="any")
    if may_see_labels
    else None
)
text = cols[4].text_input("Text in messages", placeholder="e.g. board, affair, wipe")
found = ws.store.search(
    text,
    state,
    ws.schema.project.raters_per_item if may_see_labels else None,  # None: no label states
    source_format=fmt,
    model=model,
    scenario=scenario,
)
st.caption(
    f"{len(found):,} of {total:,} transcripts"
    + (" (the first 500 shown)" if len(found) == 500 else "")
)
event = ui.dataframe(
    found,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="found",
    formats={"n_chars": "localized"},
    column_config={"n_chars": st.column_config.NumberColumn("characters", format="localized")},
)
rows = event.selection.rows
if not rows:
    st.caption("Select a row to read the transcript.")
    st.stop()

t = ws.store.get_transcript(str(found.iloc[rows[0]]["id"]))
if t is not None:
    show(t)
