"""Folders are walked once: links to folders above (loops) and second links to a file are
not followed again (issue 14, point 6). Two links to `.` used to hang ingest."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from labels import ingest
from labels.loader import ingest_paths
from labels.workspace import open_workspace


@pytest.fixture
def deadline() -> Iterator[None]:
    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the folder walk did not finish in 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def chats(path: Path, *ids: str) -> Path:
    rows = [{"id": i, "messages": [{"role": "user", "content": i}]} for i in ids]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def looped_folder(root: Path) -> Path:
    top = root / "in"
    (top / "sub").mkdir(parents=True)
    chats(top / "a.jsonl", "a1", "a2")
    chats(top / "sub" / "b.jsonl", "b1")
    os.symlink(".", top / "self1")
    os.symlink(".", top / "self2")
    os.symlink("..", top / "sub" / "up")
    os.symlink("a.jsonl", top / "again.jsonl")  # the same file under another name
    os.symlink(top / "sub", top / "sub-link")  # the same folder twice
    return top


def test_links_into_loops_are_not_followed_and_each_file_is_listed_once(
    tmp_path: Path, deadline: None
) -> None:
    top = looped_folder(tmp_path)
    skipped: list[tuple[Path, str]] = []
    found = ingest.iter_inputs([top], skipped)
    assert sorted(p.resolve() for p, _ in found) == [
        (top / "a.jsonl").resolve(),
        (top / "sub" / "b.jsonl").resolve(),
    ]
    reasons = {p.name: why for p, why in skipped}
    assert "a link to a folder already read" in reasons["self1"]
    assert "a link to a folder already read" in reasons["self2"]
    assert "the same file as one already listed" in reasons["again.jsonl"]


def test_a_looped_folder_ingests_each_file_once(tmp_path: Path, deadline: None) -> None:
    ws = open_workspace(tmp_path / "g.duckdb")
    report = ingest_paths(ws.store, [looped_folder(tmp_path)])
    assert (report.files, report.added, report.duplicates) == (2, 3, 0)
    assert all(r.where == "folder scan" for r in report.rejected)
    ws.store.close()
