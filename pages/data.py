"""Data: what is in the database, and adding transcripts by upload or server path."""

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from labels import ingest, loader, render, ui
from labels.models import IngestReport

ws = ui.workspace()
ui.require_role(st.session_state["rater"], "admin")

st.title("Data")
counters = st.empty()  # filled at the end of the run, so an ingest in this run counts


def with_progress(run: Callable[[loader.FileCallback], IngestReport]) -> None:
    """Run an ingest with a progress bar over its files, then show what it did."""
    bar = st.progress(0.0, text="Starting…")

    def on_file(path: Path, index: int, total: int) -> None:
        name = render.escape_markdown(path.name)
        bar.progress(index / max(total, 1), text=f"Reading {name} ({index + 1} of {total} files)")

    report = run(on_file)
    bar.progress(1.0, text=f"Read {report.files:,} file{'' if report.files == 1 else 's'}.")
    show(report)


SHOW = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


def show(report: IngestReport) -> None:
    for kind, sentence in loader.outcomes(report):
        SHOW[kind](render.escape_markdown(sentence))  # it may quote a file name
    if report.notes:
        ui.dataframe([r.model_dump(exclude={"kind"}) for r in report.notes], hide_index=True)
    if report.rejected:
        ui.dataframe([r.model_dump(exclude={"kind"}) for r in report.rejected], hide_index=True)


upload, server = st.tabs(["Upload files", "Read a path on the server"])
with upload:
    files = st.file_uploader(
        "JSONL chats, Inspect logs (.eval, .json), Petri transcripts (.json)",
        accept_multiple_files=True,
        type=["jsonl", "json", "eval"],
    )
    if files and st.button("Ingest uploaded files", type="primary"):
        uploads = [(f.name, f.getvalue()) for f in files]
        with_progress(lambda on_file: loader.ingest_uploads(ws.store, uploads, on_file))
with server:
    st.caption("A file or folder the server can read, e.g. an agentic-misalignment results folder.")
    raw = st.text_input("Path", placeholder="/data/results/blackmail-experiment")
    if st.button("Ingest path", disabled=not raw.strip()):
        path = Path(raw.strip()).expanduser()
        if not path.exists():
            st.error(f"There is no file or folder at {render.escape_markdown(str(path))}.")
        else:
            try:
                # Every file of a folder, so the progress and the result count the same files.
                with_progress(
                    lambda on_file: loader.ingest_paths(ws.store, [path], "auto", on_file)
                )
            except ingest.UnusableInput as exc:
                st.error(render.escape_markdown(f"{exc.path}: {exc.reason}"))

st.subheader("Ingest history")
batches = ws.store.batches()
if batches.empty:
    st.caption("Nothing ingested yet.")
else:
    ui.dataframe(batches.drop(columns=["reasons"]), hide_index=True)
st.subheader("Graders")
ui.dataframe(ws.store.graders(), hide_index=True)

counts = ws.store.counts()
with counters.container():
    for col, (name, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
        col.metric(name.replace("_", " "), f"{count:,}")
