"""Admin: raters and roles, and the schema versions labels were made under."""

from typing import get_args

import streamlit as st

from labels import backups, ui
from labels.models import Rater, RaterRole

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "admin")
st.title("Admin")

st.subheader("Raters")
people = ws.store.raters()
edited = st.data_editor(
    [p.model_dump() for p in people],
    hide_index=True,
    disabled=["id"],
    column_config={
        "role": st.column_config.SelectboxColumn(options=["rater", "adjudicator", "admin"]),
    },
    key="raters",
)
if st.button("Save changes to raters"):
    for row in edited:
        ws.store.upsert_rater(Rater(**row))
    st.toast("Saved.")
    st.rerun()

with st.form("add-rater", clear_on_submit=True):
    st.markdown("**Add a person**")
    cols = st.columns(3)
    new_id = cols[0].text_input("Id (email or short name)")
    name = cols[1].text_input("Display name")
    role = cols[2].selectbox("Role", list(get_args(RaterRole)))
    if st.form_submit_button("Add") and new_id.strip():
        ws.store.upsert_rater(
            Rater(id=new_id.strip(), name=name.strip() or new_id.strip(), role=role)
        )
        st.rerun()

st.subheader("Label schema")
st.caption(
    f"Labels are being made under schema version {ws.schema_version} "
    f"(raters per item: {ws.schema.project.raters_per_item}). Edit data/schema.toml to change it."
)
ui.dataframe(ws.store.schema_versions(), hide_index=True)

st.subheader("Cases where the guideline seemed unclear")
unclear = ws.store.case_notes("guideline_unclear")
if unclear.empty:
    st.caption("Nothing so far.")
else:
    ui.dataframe(unclear, hide_index=True)

st.subheader("Backup")
st.caption(
    "A consistent copy of the whole database, taken while the app runs, as Parquet files plus "
    "the DDL to rebuild it (DuckDB EXPORT DATABASE). Restore with `Store.restore`."
)
if st.button("Back up now"):
    folder = backups.new_backup_folder(ws)
    counts = ws.store.backup(folder)
    st.success(f"Saved to {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
