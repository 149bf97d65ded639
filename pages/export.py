"""Export: the gold set with its data card, or every raw label, as a download."""

import json
import tempfile
from pathlib import Path
from typing import get_args

import streamlit as st

from labels import export, gold, ui

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "adjudicator")
st.title("Export")

undecided = gold.undecided(ws)
st.caption(
    f"Consensus rule: {gold.project_rule(ws).describe()}. Only decided items are exported as "
    f"gold; not exported: {undecided.sentence()} ("
    + ", ".join(f"{d} {n}" for d, n in undecided.totals().items())
    + ")."
)
cols = st.columns(3)
what = cols[0].radio("What", ["gold", "labels"], horizontal=True)
fmt = cols[1].radio("Format", list(get_args(export.Format)), horizontal=True)
dimension = cols[2].selectbox("Dimension", ws.schema.names, index=None, placeholder="all")

preview = export.gold_table(ws, dimension) if what == "gold" else export.labels_table(ws, dimension)
st.dataframe(preview.head(200), hide_index=True)
st.caption(f"{len(preview):,} rows" + (" (first 200 shown)" if len(preview) > 200 else ""))

if st.button("Prepare download", type="primary"):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"goldset-{what}.{fmt}"
        if what == "gold":
            card = export.export_gold(ws, out, fmt, dimension)
            st.download_button(
                "Data card (JSON)", json.dumps(card.to_json(), indent=2), out.name + ".card.json"
            )
        else:
            export.export_labels(ws, out, fmt, dimension)
        st.download_button(f"Download {out.name}", out.read_bytes(), out.name, type="primary")
