"""Shared fixtures: small workspaces made in the tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from labels.models import GraderVerdict, Rater, Record
from labels.workspace import Workspace, open_workspace
from tests import pg
from tests.factories import make_transcript

ROOT = Path(__file__).resolve().parent.parent
# The review pages' figures (`labels.ui.cached`): kept in a folder of this run's, and
# waited for, so a page in a test is drawn whole (tests of the waiting itself set less).
if "GOLDSET_FIGURES_DIR" not in os.environ:
    os.environ["GOLDSET_FIGURES_DIR"] = tempfile.mkdtemp(prefix="goldset-figures-")
    atexit.register(shutil.rmtree, os.environ["GOLDSET_FIGURES_DIR"], ignore_errors=True)
os.environ.setdefault("GOLDSET_FIGURES_WAIT", "120")


@pytest.fixture(params=["duckdb", "postgres"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a test's database is: DuckDB in memory, or a fresh PostgreSQL database."""
    if request.param == "duckdb":
        yield ":memory:"
        return
    with pg.fresh_database() as url:
        yield url


@pytest.fixture(params=["duckdb", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database other processes can open too: a DuckDB file, or a fresh PostgreSQL one."""
    if request.param == "duckdb":
        yield str(tmp_path / "test.duckdb")
        return
    with pg.fresh_database() as url:
        yield url


@pytest.fixture
def ws(backend: str) -> Iterator[Workspace]:
    """A workspace with the default schema, on each backend."""
    workspace = open_workspace(backend)
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


DEFAULT_DB = ROOT / "data" / "goldset.duckdb"
_DEFAULT_DB_BEFORE = DEFAULT_DB.exists()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No test may make the database `make run` serves: an empty one left there would stop
    it from building the demo (`make test`, then `make run`, would show no one)."""
    if not _DEFAULT_DB_BEFORE and DEFAULT_DB.exists():
        DEFAULT_DB.unlink()
        Path(f"{DEFAULT_DB}.wal").unlink(missing_ok=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nA test created {DEFAULT_DB} (it is deleted again); give it its own GOLDSET_DB.")
