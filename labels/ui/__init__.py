"""The UI layer's helpers (with `app.py` and `pages/`, the only code that imports streamlit).

Cached store, roles, safe rendering and the label component; who is here comes from
`labels.ui.identity`, re-exported so pages and app.py ask `ui`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from labels import labeling, render
from labels.models import Rater, Transcript
from labels.store import StoreError, explain
from labels.ui.identity import current_rater, mode
from labels.ui.keys import CaseKeys
from labels.workspace import Workspace, db_path, open_workspace, schema_path

log = logging.getLogger("goldset")
# Re-exported: pages and app.py ask `ui` who is here and what a case's widgets are called.
__all__ = ["CaseKeys", "current_rater", "mode"]
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
    """This script run's workspace: one cached connection, a fresh cursor per run.

    Every page calls this first. A page run that app.py did not start (Streamlit runs a
    `pages/` file by itself for the first request after the server starts, when that
    request names a page) reruns at once, through app.py's navigation and identity.
    """
    if "_run" not in st.session_state:
        from streamlit.runtime.pages_manager import PagesManager

        # What st.navigation itself does: leave Streamlit's `pages/` folder mode for good.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if "ws" not in st.session_state["_run"]:
        st.session_state["_run"] = {"ws": _working_root().cursor()}
    ws: Workspace = st.session_state["_run"]["ws"]
    return ws


def background_workspace() -> Callable[[], Workspace]:
    """What work outside this script run (a download button's callable, on its own
    thread) calls for a workspace: a fresh cursor on the cached connection each time."""
    return _working_root().cursor


def warm_up() -> None:
    """Start, once per server process, the background warm-up of the review pages
    (`labels.ui.cached.warm_up`); app.py calls it on every run."""
    from labels.ui import cached

    cached.warm_up(_working_root(), str(db_path()))


def new_run() -> None:
    """Forget the previous run's cursor (app.py calls this first on every run)."""
    no_table_downloads()
    st.session_state["_run"] = {}


def no_table_downloads() -> None:
    """Turn off the CSV download (and clipboard copy) that every table's toolbar offers.

    `st.dataframe`, `st.data_editor` and chart table views write their cells raw, so a
    rationale `=HYPERLINK(…)` would reach a spreadsheet as a formula (the product's own
    CSVs go through `export.inert_for_spreadsheets`). `.streamlit/config.toml` sets
    `client.disableDataExport`; when the server was started without it (from another
    folder, or with the option set false), it is set here for the whole process and the
    run starts again, so no page is drawn before the browser has been told.
    """
    if not st.get_option("client.disableDataExport"):
        log.warning("client.disableDataExport was off; Goldset turns it on")
        st.set_option("client.disableDataExport", True)
        st.rerun()


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


BROWSE_PARAM = "transcript"
"""The Browse page's query parameter naming the transcript to open."""


def browse_link(transcript_id: str) -> str:
    """A link to one transcript on the Browse page, relative to the page it is on (so it
    holds under a `server.baseUrlPath`)."""
    from urllib.parse import quote

    return f"browse?{BROWSE_PARAM}={quote(transcript_id, safe='')}"


def has_role(rater: Rater, role: str) -> bool:
    """Whether a rater's role is at least `role` (rater < adjudicator < admin)."""
    return ROLE_RANK[rater.role] >= ROLE_RANK[role]


def require_role(rater: Rater, role: str) -> None:
    """Stop the page with a sentence unless the rater has at least `role`."""
    if not has_role(rater, role):
        st.error(f"This page is for {role}s. Ask an admin if you need access.")
        st.stop()


# -- tables -------------------------------------------------------------------

MISSING = "—"


def dataframe(
    data: Any,
    formats: Mapping[str, str] | None = None,
    column_config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """`st.dataframe` with a missing value shown as "—" (Streamlit draws one as "None").

    `formats`: a number format per column ("%.3f", "percent", "localized"). A column with
    a missing value is shown as text in that format; the others stay numbers (sortable)
    with the format as their `NumberColumn`.
    """
    frame = pd.DataFrame(data)
    fmts: Mapping[str, str] = formats or {}
    config: dict[str, Any] = dict(column_config or {})
    for name, fmt in fmts.items():
        config.setdefault(name, st.column_config.NumberColumn(format=fmt))
    for name in frame.columns:
        missing = frame[name].isna()
        if not missing.any():
            continue
        number_format = fmts.get(str(name))
        frame[name] = [
            MISSING if gone else _cell_text(v, number_format)
            for v, gone in zip(frame[name], missing, strict=True)
        ]
        label = (config.get(str(name)) or {}).get("label")
        config[str(name)] = st.column_config.TextColumn(label)
    return st.dataframe(frame, column_config=config, **kwargs)


def _cell_text(value: Any, fmt: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if fmt == "percent":
        return f"{value:.0%}"
    if fmt == "localized":
        return f"{value:,}"
    if fmt:
        return fmt % value
    return f"{value:g}" if isinstance(value, float) else str(value)


# -- transcript rendering -----------------------------------------------------


def text_block(text: str) -> None:
    """Untrusted text, shown literally (st.text parses no Markdown and no HTML)."""
    if text.strip():
        st.text(text, width="stretch")


def transcript(t: Transcript, key: str = "transcript") -> None:
    """A whole transcript, read-only, drawn in the browser by the label component.

    One element however long the transcript (messages are drawn 300 at a time), so a
    page that shows one reruns fast; every string is set as text, never as HTML.
    """
    data = labeling.transcript_view(t)
    _labeler()(key=key, data=data, default={"draft": None}, on_draft_change=_ignore)


def _ignore() -> None:
    """Read-only transcripts send nothing back."""


def conditions(t: Transcript) -> str:
    """A one-line, escaped summary of a transcript's model and condition."""
    return render.escape_markdown(labeling.conditions(t))


# -- the label panel: a browser component ---------------------------------------------------

STATIC = Path(__file__).resolve().parent.parent / "static"
LABELER = "labeler"  # the label panel's widget key


@cache
def _labeler() -> Any:
    # Registered once per process; the component is our own code, its data is set as text.
    return st.components.v2.component(
        "goldset_labeler",
        js=(STATIC / "labeler.js").read_text(encoding="utf-8"),
        css=(STATIC / "labeler.css").read_text(encoding="utf-8"),
        isolate_styles=False,
    )


def labeler(
    data: dict[str, Any], on_draft: Callable[[], None], on_action: Callable[[], None]
) -> None:
    """Mount the label panel: keys are answered in the browser; `labeler_sent` reads it."""
    _labeler()(
        key=LABELER,
        data=data,
        default={"draft": None},
        on_draft_change=on_draft,
        on_action_change=on_action,
    )


def labeler_sent(field: str) -> object:
    """What the label panel last sent for `field` ("draft" or "action"), in a callback."""
    return st.session_state[LABELER].get(field)
