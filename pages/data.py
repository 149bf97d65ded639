"""Data: what is in the database, and adding transcripts by upload or server path."""

import tempfile
from pathlib import Path

import streamlit as st

from labels import loader, render, ui
from labels.models import IngestReport

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "admin")

st.title("Data")
counts = ws.store.counts()
for col, (name, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    col.metric(name.replace("_", " "), f"{count:,}")


def progress_bar() -> loader.FileCallback:
    bar = st.progress(0.0, text="Starting…")

    def on_file(path: Path, index: int, total: int) -> None:
        done = (index + 1) / max(total, 1)
        name = render.escape_markdown(path.name)
        bar.progress(done, text=f"Read {name} ({index + 1} of {total})")

    return on_file


def show(report: IngestReport) -> None:
    st.success(
        f"{report.files} file(s): {report.added} transcripts added, {report.duplicates} already "
        f"present, {report.grader_verdicts} grader verdicts, {len(report.rejected)} rejected."
    )
    if report.rejected:
        ui.dataframe([r.model_dump() for r in report.rejected], hide_index=True)


upload, server = st.tabs(["Upload files", "Read a path on the server"])
with upload:
    files = st.file_uploader(
        "JSONL chats, Inspect logs (.eval, .json), Petri transcripts (.json)",
        accept_multiple_files=True,
        type=["jsonl", "json", "eval"],
    )
    if files and st.button("Ingest uploaded files", type="primary"):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, f in enumerate(files):
                target = loader.upload_target(Path(tmp), i, f.name)
                target.write_bytes(f.getvalue())
                paths.append(target)
            show(loader.ingest_each(ws.store, paths, on_file=progress_bar()))
with server:
    st.caption("A file or folder the server can read, e.g. an agentic-misalignment results folder.")
    raw = st.text_input("Path", placeholder="/data/results/blackmail-experiment")
    if st.button("Ingest path", disabled=not raw.strip()):
        path = Path(raw.strip()).expanduser()
        if not path.exists():
            st.error(f"There is no file or folder at {render.escape_markdown(str(path))}.")
        else:
            show(loader.ingest_each(ws.store, [path], on_file=progress_bar()))

st.subheader("Ingest history")
batches = ws.store.batches()
if batches.empty:
    st.caption("Nothing ingested yet.")
else:
    ui.dataframe(batches.drop(columns=["reasons"]), hide_index=True)
st.subheader("Graders")
ui.dataframe(ws.store.graders(), hide_index=True)
