"""The one Streamlit-aware helper module: cached store, identity, roles, safe rendering."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import streamlit as st

from labels import render
from labels.identity import current_rater
from labels.models import Message, Rater, Transcript
from labels.store import StoreError, explain
from labels.workspace import Workspace, db_path, open_workspace, schema_path

log = logging.getLogger("goldset")
__all__ = ["current_rater"]  # re-exported: pages and app.py ask `ui` who is here
ROLE_RANK = {"rater": 0, "adjudicator": 1, "admin": 2}


@st.cache_resource(show_spinner="Opening the database…")
def _root(db: str, schema_file: str) -> Workspace:
    return open_workspace(db, schema_file)


def _working_root() -> Workspace:
    """The cached connection, reopened when DuckDB has invalidated it (after a disk-full
    checkpoint, say): committed data is in the file and its WAL, so nothing is lost."""
    where = (str(db_path()), str(schema_path()))
    root = _root(*where)
    if root.store.healthy():
        return root
    log.warning("the database connection to %s failed; reopening it", where[0])
    with suppress(Exception):
        root.store.close()
    _root.clear()
    return _root(*where)


def workspace() -> Workspace:
    """This script run's workspace: one cached connection, a fresh cursor per run."""
    if "ws" not in st.session_state.get("_run", {}):
        st.session_state["_run"] = {"ws": _working_root().cursor()}
    ws: Workspace = st.session_state["_run"]["ws"]
    return ws


def new_run() -> None:
    """Forget the previous run's cursor (app.py calls this first on every run)."""
    st.session_state.pop("_run", None)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Show failures as sentences, log the traceback for whoever runs the server."""
    try:
        yield
    except StoreError as exc:
        st.error(render.escape_markdown(str(exc)))  # it may quote a file name or a path
    except Exception as exc:  # noqa: BLE001 - the last line of defence for people
        log.exception("page failed")
        sentence = explain(exc, str(db_path()))
        if sentence is not None:
            st.error(render.escape_markdown(str(sentence)))
            return
        st.error(
            "Something went wrong on this page and nothing was saved from this last action. "
            f"The server log has the details ({type(exc).__name__})."
        )


def has_role(rater: Rater, role: str) -> bool:
    """Whether a rater's role is at least `role` (rater < adjudicator < admin)."""
    return ROLE_RANK[rater.role] >= ROLE_RANK[role]


def require_role(rater: Rater, role: str) -> None:
    """Stop the page with a sentence unless the rater has at least `role`."""
    if not has_role(rater, role):
        st.error(f"This page is for {role}s. Ask an admin if you need access.")
        st.stop()


# -- transcript rendering -----------------------------------------------------

AVATARS = {
    "system": ":material/settings:",
    "user": ":material/person:",
    "assistant": ":material/smart_toy:",
    "tool": ":material/build:",
}


def text_block(text: str) -> None:
    """Untrusted text, shown literally (st.text parses no Markdown and no HTML)."""
    if text.strip():
        st.text(text, width="stretch")


def _segment(seg: render.Segment) -> None:
    if seg.kind == "email":
        with st.container(border=True):
            st.text("\n".join(f"{name}: {value}" for name, value in seg.headers), width="stretch")
            st.divider()
            text_block(seg.text)
    elif seg.kind == "tool_use":
        st.caption(f"Tool use · {render.escape_markdown(seg.title)}")
        st.code(seg.text, language=None, wrap_lines=True)
    else:
        text_block(seg.text)


def message(msg: Message, show_index: bool = True) -> None:
    """One message as a reader wants it: reasoning apart, emails and tool calls as blocks."""
    label = f"#{msg.index} · {msg.role}" if show_index else msg.role
    if msg.role == "system":
        with st.expander(f"{label}: system prompt ({len(msg.text):,} characters)"):
            text_block(msg.text)
        return
    with st.chat_message(msg.role, avatar=AVATARS[msg.role]):
        st.caption(label + (f" · {render.escape_markdown(msg.name)}" if msg.name else ""))
        if msg.reasoning:
            with st.container(border=True):
                st.caption(
                    ":material/visibility_off: Hidden reasoning"
                    " (not shown to anyone in the scenario)"
                )
                text_block(msg.reasoning)
        for seg in render.segments(msg.role, msg.text):
            _segment(seg)
        for call in msg.tool_calls:
            st.caption(f"Tool call · {render.escape_markdown(call.function)}")
            st.code(json.dumps(call.arguments, indent=2, ensure_ascii=False), language="json")


def transcript(t: Transcript, limit: int = 300) -> None:
    """A whole transcript; very long ones are shown in pages of `limit` messages."""
    msgs = t.messages
    if len(msgs) > limit:
        pages = (len(msgs) + limit - 1) // limit
        page = st.number_input(f"Messages page (of {pages})", 1, pages, 1, key=f"mp-{t.id}")
        msgs = msgs[(page - 1) * limit : page * limit]
    for msg in msgs:
        message(msg)


def conditions(t: Transcript) -> str:
    """A one-line, escaped summary of a transcript's model and condition."""
    parts = [t.model, t.scenario, t.goal_type and f"{t.goal_type}-{t.goal_value}", t.urgency_type]
    return render.escape_markdown(" · ".join(p for p in parts if p) or t.source_format)
