"""Graders: how far each automated grader is from the humans."""

import streamlit as st

from labels import calibration, ui

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Graders against humans")
st.caption(
    "Reference per item: its gold value where one exists, else the raters' strict majority "
    "(ties left out). Ordinal dimensions are compared as yes/no through the schema's projection."
)

graders = ws.store.graders()
if graders.empty:
    st.info(
        "No grader verdicts yet. They arrive with ingest or by `python -m labels import-grader`."
    )
    st.stop()

table = calibration.report(ws)
if table.empty:
    st.info("No grader verdict overlaps a labeled item yet.")
    st.stop()
st.dataframe(
    table,
    hide_index=True,
    column_config={
        c: st.column_config.NumberColumn(format="%.3f")
        for c in ("precision", "recall", "f1", "kappa")
    },
)
for dim_name, rows in table.groupby("dimension", sort=False):
    st.subheader(str(dim_name).replace("_", " ").capitalize())
    cols = st.columns(max(len(rows), 1))
    for col, row in zip(cols, rows.itertuples(), strict=True):
        col.markdown(f"**{ui.render.escape_markdown(str(row.grader))}**")
        col.dataframe(calibration.confusion_table(row.tp, row.fp, row.fn, row.tn))
