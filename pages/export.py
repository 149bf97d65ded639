"""Export: the gold set with its data card, or every raw label, as a download."""

from datetime import UTC, datetime
from typing import get_args

import streamlit as st

from labels import export, gold, ui
from labels.ui import cached

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Export")

version = cached.version(ws)
undecided = cached.undecided(ws, version)
st.caption(
    f"Consensus rule: {gold.project_rule(ws).describe()}. Only decided items are exported as "
    f"gold; not exported: {undecided.sentence()} ("
    + ", ".join(f"{d} {n}" for d, n in undecided.totals().items())
    + ")."
)
cols = st.columns(3)
what: export.What = cols[0].radio("What", ["gold", "labels"], horizontal=True)
fmt: export.Format = cols[1].radio("Format", list(get_args(export.Format)), horizontal=True)
dimension = cols[2].selectbox("Dimension", ws.schema.names, index=None, placeholder="all")

preview, rows = cached.preview(ws, version, what, dimension)
ui.dataframe(preview, hide_index=True)
st.caption(f"{rows:,} rows" + (" (first 200 shown)" if rows > 200 else ""))

name = export.file_name(what, fmt, dimension, datetime.now(UTC).date())
later = ui.background_workspace()  # the files are made when a button is clicked, elsewhere


def made() -> tuple[bytes, bytes | None]:
    return cached.download(later(), version, what, name, fmt, dimension)


with st.container(horizontal=True):
    # Each button is one click: the file is made then, and the page does not rerun, so
    # both buttons stay.
    st.download_button(
        f"Download {name}", lambda: made()[0], name, type="primary", on_click="ignore"
    )
    if what == "gold":
        st.download_button(
            "Data card (JSON)", lambda: made()[1] or b"", name + ".card.json", on_click="ignore"
        )
