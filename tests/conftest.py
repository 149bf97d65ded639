"""Shared fixtures: small workspaces made in the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labels.models import GraderVerdict, Rater, Record
from labels.workspace import Workspace, open_workspace
from tests.factories import make_transcript

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws() -> Iterator[Workspace]:
    """An in-memory workspace with the default schema."""
    workspace = open_workspace(":memory:")
    yield workspace
    workspace.store.close()


@pytest.fixture
def seeded(ws: Workspace) -> Workspace:
    """A workspace with ten transcripts, three raters and one adjudicator."""
    records = [
        Record(
            transcript=make_transcript(f"t{i:02d}", scenario="blackmail"),
            verdicts=(
                GraderVerdict(
                    transcript_id=f"t{i:02d}",
                    grader="g/bin",
                    field="extortion",
                    dimension="extortion",
                    value="yes" if i % 3 == 0 else "no",
                ),
            ),
        )
        for i in range(10)
    ]
    ws.store.ingest_file("seed.jsonl", "jsonl", records)
    for rid, role in (
        ("ana", "rater"),
        ("ben", "rater"),
        ("chen", "rater"),
        ("dana", "adjudicator"),
    ):
        ws.store.upsert_rater(Rater(id=rid, name=rid.title(), role=role))  # type: ignore[arg-type]
    return ws
