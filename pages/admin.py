"""Admin: raters and roles, and the schema versions labels were made under."""

from typing import get_args

import streamlit as st

from labels import admin, backups, gold_checks, render, ui
from labels.models import Rater, RaterRole
from labels.store import StoreError

ws = ui.workspace()
me = st.session_state["rater"]
ui.require_role(me, "admin")
st.title("Admin")

st.subheader("Raters")
st.caption(
    "Roles: raters label and browse; adjudicators also adjudicate and see agreement, graders, "
    "the Raters page and exports; admins also load data and manage people here. An inactive "
    "person cannot sign in and gets no items; their labels stay. Edit the table, then save."
)
st.page_link("pages/raters.py", label="Each person's work and agreement: the Raters page")
people = ws.store.raters()
edited = st.data_editor(
    [p.model_dump() for p in people],
    hide_index=True,
    disabled=["id"],
    column_config={
        "role": st.column_config.SelectboxColumn(options=list(get_args(RaterRole))),
    },
    key="raters",
)
if st.button("Save changes to raters"):
    changed = [Rater(**row) for row, was in zip(edited, people, strict=True) if Rater(**row) != was]
    problem = admin.roster_problem(people, changed, me.id)
    if problem:
        st.warning(problem)
    elif not changed:
        st.info("Nothing to save: the table is as it was.")
    else:
        for person in changed:
            ws.store.upsert_rater(person)
        st.session_state["admin_added"] = f"Saved changes to {', '.join(p.id for p in changed)}."
        st.rerun()

with st.form("add-rater", clear_on_submit=True):
    st.markdown("**Add a person**")
    cols = st.columns(3)
    new_id = cols[0].text_input("Id (email or short name)")
    name = cols[1].text_input("Display name")
    role = cols[2].selectbox("Role", list(get_args(RaterRole)))
    if st.form_submit_button("Add"):
        if not new_id.strip():
            st.warning("Nothing was added: type the person's id (an email or a short name).")
        else:
            known = ws.store.rater(new_id.strip())
            ws.store.upsert_rater(
                Rater(id=new_id.strip(), name=name.strip() or new_id.strip(), role=role)
            )
            st.session_state["admin_added"] = (
                f"{new_id.strip()} was already here; their name and role are now updated."
                if known
                else f"Added {new_id.strip()} as {role}."
            )
            st.rerun()
if added := st.session_state.pop("admin_added", None):
    st.success(render.escape_markdown(added))

st.subheader("Gold checks")
st.caption(
    "Items that already have gold, sent to raters who never had them, to measure each "
    "rater against gold (the Raters page shows the result). A rater cannot tell them from "
    "other items: they come among their work, about "
    f"{ws.schema.project.gold_check_share:.0%} of it (`gold_check_share` under `[project]` "
    "in data/schema.toml). By default only adjudicated and audit gold is used, since "
    "consensus gold is the raters' own vote. From a terminal: "
    "`python -m labels gold-check --per-rater N`."
)
with st.form("gold-checks"):
    gc_cols = st.columns([1, 2])
    per_rater = gc_cols[0].number_input("Gold checks per rater", 1, 10_000, 10)
    chosen_raters = gc_cols[1].multiselect(
        "Raters (none chosen: every active rater)",
        [p.id for p in people if p.active and p.role == "rater"],
    )
    with_consensus = st.checkbox("Also use consensus gold (unanimous, majority, median)")
    send = st.form_submit_button("Send gold checks")
if send:
    with st.spinner("Choosing gold checks for each rater…"):
        sent = gold_checks.send(ws, int(per_rater), chosen_raters or None, with_consensus)
    shown = render.escape_markdown(sent.sentence())
    if sent.total == 0:
        st.warning(shown)
    elif sent.short():
        st.info(shown)
    else:
        st.success(shown)

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

st.subheader("Backup and restore")
st.caption(
    "A backup is a consistent copy of the whole database, taken while the app runs: a Parquet "
    "file per table and a manifest with each table's rows and a content hash. A restore makes "
    "a new database file from a backup and checks every table against the manifest; it never "
    "writes into an existing database. From a terminal: `python -m labels restore FOLDER "
    "--db NEW.duckdb` (or an empty PostgreSQL database, `--db postgresql://…`)."
)
if st.button("Back up now"):
    folder = backups.new_backup_folder(ws)
    counts = ws.store.backup(folder)
    st.success(
        render.escape_markdown(
            f"Saved to {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        )
    )
saved = backups.listed(ws)
if not saved:
    st.caption(f"No backups in {render.escape_markdown(str(backups.backups_folder(ws)))} yet.")
else:
    with st.form("restore"):
        chosen = st.selectbox(
            f"Backups in {backups.backups_folder(ws)}", saved, format_func=lambda p: p.name
        )
        go = st.form_submit_button("Restore into a new file")
    if go and chosen is not None:
        target = backups.restore_target(ws, chosen)
        with st.spinner(f"Restoring {chosen.name}…"):
            try:
                restored = backups.restore(chosen, target)
            except StoreError as exc:
                st.error(render.escape_markdown(str(exc)))
            else:
                st.success(
                    render.escape_markdown(
                        f"Restored into {target}, every table checked against the backup: "
                        + ", ".join(f"{v:,} {k}" for k, v in restored.items())
                        + f". This app still uses {ws.store.path}; to work on the restored "
                        f"copy, start Goldset on it: GOLDSET_DB={target} make run"
                    )
                )
