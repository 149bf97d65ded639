"""Label: the rater's queue, one transcript at a time, blind and keyboard first."""

from __future__ import annotations

import time

import streamlit as st

from labels import labeling, queue, ui
from labels.schema import Dimension

ws = ui.workspace()
rater = st.session_state["rater"]
schema = ws.schema
drafts: dict[str, dict[str, object]] = st.session_state.setdefault("drafts", {})

revising = st.session_state.get("revise")
item = revising or queue.next_item(ws, rater.id)
# Progress changes only when the item does; value keys rerun the page, so count once per item.
cached = st.session_state.get("progress_for")
if cached is None or cached[0] != (rater.id, item):
    cached = ((rater.id, item), queue.progress(ws, rater.id))
    st.session_state["progress_for"] = cached
done, total = cached[1]
st.progress(done / total if total else 1.0, text=f"{done} of {total} items done")

if item is None:
    st.success("Your queue is empty: every transcript has its raters. Thank you!")
    st.stop()

t = ws.store.get_transcript(item)
if t is None:
    st.error("This transcript is no longer in the database.")
    st.session_state.pop("revise", None)
    st.stop()

st.session_state["item"] = item
draft = drafts.setdefault(item, labeling.initial_draft(ws, rater.id, item))
st.session_state.setdefault("started", {}).setdefault(item, time.monotonic())


def choose(dim: str, value: str) -> None:
    draft[dim] = value


def value_buttons(dim: Dimension) -> None:
    with st.container(horizontal=True, gap="small"):
        for v in dim.values:
            st.button(
                v.name,
                key=f"v-{dim.name}-{v.name}",
                shortcut=v.key,
                type="primary" if draft.get(dim.name) == v.name else "secondary",
                on_click=choose,
                args=(dim.name, v.name),
                help=v.description,
            )


def guidelines(dim: Dimension) -> None:
    with st.popover("", icon=":material/menu_book:", help="Guidelines and examples"):
        st.markdown(f"**{dim.title}.** {dim.question}")
        st.markdown(dim.guideline)
        for v in dim.values:
            st.markdown(f"- **{v.name}** (`{v.key}`): {v.description}  \n  *e.g.* {v.anchor}")


def evidence(dim: Dimension) -> None:
    if draft.get(dim.name) not in dim.evidence_required:
        return
    options = [m.index for m in t.messages]
    st.selectbox(
        f"Evidence for {dim.title.lower()}: which message?",
        options,
        index=None,
        key=f"ev-{item}-{dim.name}",
        format_func=lambda i: f"#{i} {t.messages[i].role}: {t.messages[i].text[:60]}",
        placeholder="Required: the message that shows it",
    )
    st.text_input("Quote (optional, copied from that message)", key=f"q-{item}-{dim.name}")


head, side = st.columns([3, 2], gap="large")
with head:
    question = ws.store.assignment_note(rater.id, item)
    if question and question.startswith("Question from"):
        st.warning(question + " Your earlier labels are filled in; change what you need.")
    if revising:
        st.info("Revising an item you labeled. Submitting adds new rows; the old ones stay.")
        older = labeling.older_versions(ws, rater.id, item)
        if older:
            st.warning(
                f"Some of your labels here were made under schema version "
                f"{', '.join(map(str, older))}; this page uses version {ws.schema_version}."
            )
    st.subheader(f"Transcript {ui.render.escape_markdown(t.id)}")
    st.caption(f"{ui.conditions(t)} · {t.n_messages} messages")
    with st.container(height=720, border=False, autoscroll=False, key=f"tx-{item}"):
        ui.transcript(t)


@st.fragment
def panel() -> None:
    """The labeling panel: a value key reruns only this, not the whole transcript."""
    keys = " · ".join(
        f"{dim.title.lower()} {dim.values[0].key.upper()}–{dim.values[-1].key.upper()}"
        for dim in schema.dimensions
    )
    st.caption(
        f"Keyboard: {keys} · Ctrl+Enter submits and opens the next item. "
        "Keys do nothing while a text box has the cursor: press Esc or click the transcript."
    )
    for dim in schema.dimensions:
        with st.container(border=True):
            top = st.columns([4, 1], vertical_alignment="center")
            top[0].markdown(f"**{dim.title}** — {dim.question}")
            with top[1]:
                guidelines(dim)
            value_buttons(dim)
            if dim.tags and draft.get(dim.name) not in (None, "none"):
                st.pills("Tactics", dim.tags, selection_mode="multi", key=f"tags-{item}-{dim.name}")
            evidence(dim)
    st.text_area("Rationale", key=f"why-{item}", placeholder="Why these values? (optional)")
    flag = st.checkbox("Flag for discussion", key=f"flag-{item}")
    texts = labeling.message_texts(t.messages)
    problems = labeling.problems(schema, draft, st.session_state, item, texts)
    if st.button("Submit & next", type="primary", shortcut="Ctrl+Enter"):
        if problems:
            for p in problems:
                st.error(p)
        else:
            seconds = time.monotonic() - st.session_state["started"].pop(item)
            labeling.submit(ws, rater.id, item, draft, st.session_state, seconds, flag, texts)
            drafts.pop(item, None)
            st.session_state.pop("revise", None)
            st.toast("Saved.")
            st.rerun(scope="app")
    with st.expander("Skip this item"):
        reason = st.selectbox(
            "Reason", labeling.SKIP_REASONS, key=f"skip-{item}", index=None, placeholder="Why?"
        )
        if st.button("Skip", disabled=reason is None, key=f"skipbtn-{item}"):
            queue.skip(ws, rater.id, item, str(reason))
            drafts.pop(item, None)
            st.session_state.pop("revise", None)
            st.rerun(scope="app")


with side:
    panel()

with st.expander("Your labeled items (revise one)"):
    mine = ws.store.rater_items(rater.id)
    if mine.empty:
        st.caption("Nothing yet.")
    else:
        pick = st.selectbox("Item", mine["transcript_id"].tolist(), key="revise-pick")
        if st.button("Revise this item") and pick:
            st.session_state["revise"] = pick
            drafts.pop(pick, None)
            st.rerun()
        if pick:
            st.dataframe(ws.store.label_history(pick, rater=rater.id), hide_index=True)
