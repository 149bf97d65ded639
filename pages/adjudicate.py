"""Adjudicate: settle what raters disagree on; every decision becomes a gold row."""

import streamlit as st

from labels import gold, labeling, render, ui

ws = ui.workspace()
me = st.session_state["rater"]
ui.require_role(me, "adjudicator")
st.title("Adjudicate")

rule = gold.project_rule(ws)
with st.sidebar:
    if st.button(
        "Apply the consensus rule…", help=f"Gold for every item {rule.describe()} decides"
    ):
        st.session_state["consensus_asked"] = True
    if st.session_state.get("consensus_asked"):
        planned = gold.consensus_rows(ws, rule)
        if not planned:
            st.info("The consensus rule adds no gold now: what it decides already has gold.")
            del st.session_state["consensus_asked"]
        else:
            st.warning(
                f"This adds {len(planned)} gold rows ({rule.describe()}). Gold is append-only: "
                "a later decision adds a new row, none is removed."
            )
            yes, no = st.columns(2)
            if yes.button(f"Add {len(planned)} gold rows", type="primary"):
                st.session_state["consensus_written"] = ws.store.add_gold(planned)
                del st.session_state["consensus_asked"]
                st.rerun()
            if no.button("Cancel"):
                del st.session_state["consensus_asked"]
                st.rerun()
    if (written := st.session_state.pop("consensus_written", None)) is not None:
        st.success(f"{written} gold rows written.")
cases = gold.QueueCache(ws, rule, st.session_state.setdefault("adjudicate", {}))
todo = cases.table()
st.caption(
    f"{len(todo)} item-dimensions with two or more raters that the consensus rule "
    f"({rule.describe()}) cannot decide, most disputed first. Rater labels are visible here: "
    f"the blind phase is over for these. In all, {cases.undecided().sentence()}."
)
flagged = ws.store.flagged()
if not flagged.empty:
    with st.expander(f"Flagged for discussion by raters ({len(flagged)})"):
        ui.dataframe(flagged, hide_index=True)
if todo.empty:
    st.success("Nothing to adjudicate.")
    st.stop()

event = ui.dataframe(
    todo, hide_index=True, on_select="rerun", selection_mode="single-row", key="todo", height=260
)
row = todo.iloc[event.selection.rows[0] if event.selection.rows else 0]
tid, dim_name = str(row["transcript_id"]), str(row["dimension"])
dim = ws.schema.dimension(dim_name)
t = ws.store.get_transcript(tid)
if t is None:
    st.stop()

left, right = st.columns([3, 2], gap="large")
with right:
    st.subheader(dim.title)
    st.caption(render.escape_markdown(tid))
    labels = ws.store.case_labels(tid, dim_name)
    for lab in labels.itertuples():
        with st.container(border=True):
            st.markdown(f"**{render.escape_markdown(str(lab.rater))}**: `{lab.value}`")
            ui.text_block(str(lab.rationale) or "(no rationale)")
            ev = labeling.evidence_text(str(lab.evidence) if lab.evidence else None)
            if ev:
                st.caption("Evidence: " + render.escape_markdown(ev))
    with st.popover("Guideline", icon=":material/menu_book:"):
        st.markdown(dim.guideline)
        for v in dim.values:
            st.markdown(f"- **{v.name}**: {v.description}")
    keys = ui.CaseKeys(tid, dim_name)
    st.markdown("**Gold value** (press its key, then Ctrl+Enter)")
    with st.container(horizontal=True, gap="small"):
        for v in dim.values:
            st.button(
                v.name,
                key=keys.value(v.name),
                shortcut=v.key,
                help=v.description,
                type="primary" if st.session_state.get(keys.pick) == v.name else "secondary",
                on_click=st.session_state.__setitem__,
                args=(keys.pick, v.name),
            )
    choice = st.session_state.get(keys.pick)
    st.text_area("Note (why this value)", key=keys.note)

    def decide() -> None:
        # A callback: the gold row is written before the page is drawn, so one run shows the
        # next case (a button followed by st.rerun() drew the page twice).
        with ui.friendly_errors():
            note = str(st.session_state.get(keys.note) or "")
            cases.decide(me.id, tid, dim_name, str(choice), note)
            st.toast(f"Gold for {dim_name} recorded.")

    st.button(
        "Decide", type="primary", disabled=choice is None, shortcut="Ctrl+Enter", on_click=decide
    )
    with st.expander("Not ready to decide?"):
        question = st.text_input("Question for the raters", key=keys.question)
        if st.button("Send back to the raters", disabled=not question.strip()):
            sent = gold.send_back(ws, me.id, tid, dim_name, question)
            st.toast("Sent back to " + ", ".join(render.escape_markdown(r) for r in sent) + ".")
        if st.button(
            "Mark: guideline unclear", help="Listed on the Admin page for the schema owner"
        ):
            gold.mark_unclear(ws, me.id, tid, dim_name, st.session_state[keys.note] or question)
            st.toast("Marked as guideline unclear.")
with left:
    st.caption(ui.conditions(t))
    ui.transcript(t)
