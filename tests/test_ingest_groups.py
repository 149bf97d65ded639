"""Small files are written in groups, one transaction each, with every file's guarantees kept
(issue 14, point 11: a 10,000-file folder took 567 s, then 140 s at one transaction a file).

What each file gets is what it got alone: its rows, its `ingest_batches` row, its
rejections with line and reason; a file that cannot be read, or that the fast reader
declines, is handled alone between groups; a group whose transaction fails is written
again file by file, so the fault stays with its file. The time is in `benchmarks/`
(`ingest_folder`), not here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from labels import loader
from labels.models import IngestReport
from labels.store import Store
from labels.workspace import open_workspace
from tests.test_jsonl_fast import TABLES


def line(tid: str, text: str | None = None) -> str:
    message = {"role": "user", "content": text or f"text of {tid}"}
    return json.dumps({"id": tid, "messages": [message], "metadata": {"n": 1}}) + "\n"


def one_line_files(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"f{i:05d}.jsonl").write_text(line(f"t{i:05d}"))
    return folder


def stored(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {name: store.con.execute(query).fetchall() for name, query in TABLES.items()}


@pytest.mark.slow
def test_a_10000_file_folder_is_stored_whole_with_a_history_row_per_file(
    tmp_path: Path,
) -> None:
    folder = one_line_files(tmp_path / "in", 10_000)
    ws = open_workspace(tmp_path / "g.duckdb")
    progress: list[int] = []
    report = loader.ingest_paths(ws.store, [folder], on_record=lambda: progress.append(1))
    assert (report.files, report.added, report.duplicates, report.rejected) == (
        10_000,
        10_000,
        0,
        [],
    )
    assert len(progress) == 10_000
    counts = ws.store.counts()
    assert (counts["transcripts"], counts["messages"]) == (10_000, 10_000)
    assert ws.store.scalar("SELECT count(*) FROM queue_state") == 10_000
    batches = ws.store.df("SELECT * FROM ingest_batches")
    assert len(batches) == 10_000 and batches["id"].is_unique
    # Stored under the folder's own name, not the server's path to it.
    assert set(batches["file"]) == {f"{folder.name}/{p.name}" for p in folder.iterdir()}
    assert (batches["added"] == 1).all() and (batches["duplicates"] == 0).all()
    assert set(batches["rejected"]) == {"[]"}
    # every transcript carries the batch id of its own file's history row
    matched = ws.store.scalar(
        "SELECT count(*) FROM transcripts t JOIN ingest_batches b ON t.batch_id = b.id"
        " AND t.source_ref = b.file || ', line 1'"
    )
    assert matched == 10_000
    again = loader.ingest_paths(ws.store, [folder])
    assert (again.added, again.duplicates, again.rejected) == (0, 10_000, [])
    assert ws.store.counts()["transcripts"] == 10_000
    ws.store.close()


def mixed_folder(folder: Path) -> Path:
    """Good one-line files around a file with a bad line, an unreadable file, and one id
    in three files (the same content twice, other content once)."""
    one_line_files(folder, 12)
    (folder / "f00005.jsonl").write_text(line("t00005") + '{"id": "half", "messages": [\n')
    (folder / "f00008.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "f00002.jsonl").write_text(line("t00002") + line("shared"))
    (folder / "f00003.jsonl").write_text(line("shared", "other content"))
    (folder / "f00004.jsonl").write_text(line("shared") + line("t00004"))
    return folder


def test_a_bad_file_in_a_group_is_rejected_alone_and_the_others_are_stored(
    tmp_path: Path,
) -> None:
    folder = mixed_folder(tmp_path / "in")
    ws = open_workspace(":memory:")
    report = loader.ingest_paths(ws.store, [folder])
    bad, unreadable, other = (str(folder / f"f0000{i}.jsonl") for i in (5, 8, 3))
    assert report.files == 12 and report.added == 11  # t00000-t00011 less 3 and 8, and shared
    assert report.duplicates == 1  # the same "shared" again in f00004
    reasons = {(r.file, r.where): r.reason for r in report.rejected}
    assert set(reasons) == {(bad, "line 2"), (unreadable, "file"), (other, "line 1")}
    assert "invalid JSON" in reasons[bad, "line 2"]
    assert f"from {folder.name}/f00002.jsonl, line 2" in reasons[other, "line 1"]
    ids = set(ws.store.transcript_ids())
    assert ids == {f"t{i:05d}" for i in range(12) if i not in (3, 8)} | {"shared"}
    history = {
        r[0]: r[1:]
        for r in ws.store.con.execute(
            "SELECT file, added, duplicates, rejected::VARCHAR FROM ingest_batches"
        ).fetchall()
    }
    stored = {p: f"{folder.name}/{Path(p).name}" for p in (bad, unreadable, other)}
    assert stored[unreadable] not in history  # nothing of it was written
    assert history[stored[bad]][:2] == (1, 0) and '"line 2"' in history[stored[bad]][2]
    assert history[stored[other]][:2] == (0, 0) and '"line 1"' in history[stored[other]][2]
    assert history[f"{folder.name}/f00004.jsonl"] == (1, 1, "[]")
    assert len(history) == 11
    ws.store.close()


def test_groups_store_what_one_transaction_per_file_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = mixed_folder(tmp_path / "in")

    def ingest() -> tuple[IngestReport, dict[str, list[tuple[Any, ...]]]]:
        ws = open_workspace(":memory:")
        report = loader.ingest_paths(ws.store, [folder])
        tables = stored(ws.store)
        ws.store.close()
        return report, tables

    grouped = ingest()
    monkeypatch.setattr(loader, "GROUP_FILES", 1)  # each file alone, as before groups
    alone = ingest()
    assert grouped == alone


def test_a_group_whose_transaction_fails_is_written_again_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = one_line_files(tmp_path / "in", 10)
    ws = open_workspace(":memory:")
    original = Store._insert_texts
    groups: list[int] = []
    real_group = Store.ingest_group

    def counted_group(self: Store, files: Any) -> Any:
        groups.append(len(files))
        return real_group(self, files)

    def failing(self: Store, rows: pa.Table) -> None:
        if "t00004" in rows["transcript_id"].to_pylist():
            raise duckdb.ConstraintException("Constraint Error: injected for t00004")
        original(self, rows)

    monkeypatch.setattr(Store, "_insert_texts", failing)
    monkeypatch.setattr(Store, "ingest_group", counted_group)
    report = loader.ingest_paths(ws.store, [folder])
    assert groups == [10]  # tried together once, then each file alone
    [rejection] = report.rejected
    assert rejection.file == str(folder / "f00004.jsonl") and rejection.where == "file"
    assert rejection.reason.startswith("could not store this file, nothing of it was kept.")
    assert report.added == 9
    assert set(ws.store.transcript_ids()) == {f"t{i:05d}" for i in range(10) if i != 4}
    files = {r[0] for r in ws.store.con.execute("SELECT file FROM ingest_batches").fetchall()}
    assert files == {f"{folder.name}/f{i:05d}.jsonl" for i in range(10) if i != 4}
    ws.store.close()
