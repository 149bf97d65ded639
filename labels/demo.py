"""Build the demo database from the files in `data/demo/` (written by `data/make_demo.py`)."""

from __future__ import annotations

from pathlib import Path

from labels import gold, loader
from labels.models import IngestReport, Rater
from labels.workspace import ROOT, Workspace

DEMO = ROOT / "data" / "demo"
PEOPLE = (
    Rater(id="ana", name="Ana Costa", role="rater"),
    Rater(id="ben", name="Ben Okafor", role="rater"),
    Rater(id="chen", name="Chen Wei", role="rater"),
    Rater(id="dana", name="Dana Levi", role="adjudicator"),
    Rater(id="admin", name="Admin", role="admin"),
)


def held_back(ids: list[str]) -> set[str]:
    """Every fifth transcript stays unlabeled, so the demo queue has work in it."""
    return set(sorted(ids)[::5])


def build(ws: Workspace, demo: Path = DEMO) -> IngestReport:
    """Ingest the demo transcripts, raters, labels and graders; safe to run twice."""
    report = loader.ingest_paths(
        ws.store, [demo / "agentic-misalignment" / "results", demo / "chats.jsonl"]
    )
    for person in PEOPLE:
        ws.store.upsert_rater(person)
    if ws.store.counts()["labels"] == 0:
        held = held_back(ws.store.transcript_ids())
        labels = loader.import_labels(
            ws.store,
            demo / "labels.jsonl",
            ws.schema,
            ws.schema_version,
            keep=lambda label: label.transcript_id not in held,
        )
        report.rejected.extend(labels.rejected)
    for csv_file in sorted((demo / "graders").glob("*.csv")):
        graded = loader.import_grader(ws.store, csv_file, f"demo/{csv_file.stem}", ws.schema)
        report.grader_verdicts += graded.grader_verdicts
        report.rejected.extend(graded.rejected)
    gold.apply_consensus(ws)
    return report
