"""Database faults recover, and each says what it is (issue 14, points 2 and 9).

Disk full is made real on a small tmpfs (mounted here when the tests run as
root; skipped otherwise): with the disk full, a checkpoint fails and DuckDB
invalidates the whole database. The app's cached connection must then be
rebuilt once there is room again, with nothing committed lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labels import ui
from labels.loader import ingest_paths
from labels.models import Rater
from labels.store import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseReadOnly,
    DiskFull,
    Store,
    explain,
)
from labels.workspace import open_workspace


def mount_tmpfs(where: Path, size: str, *options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    flags = ",".join((f"size={size}", *options))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", flags, "tmpfs", str(where)], check=False)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    if os.geteuid() != 0 or not mount_tmpfs(disk, "8m"):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int = 64 * 1024) -> Path:
    """Take all but `leave` bytes of the disk."""
    stats = os.statvfs(disk)
    filler = disk / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY)
    try:
        os.posix_fallocate(fd, 0, stats.f_bavail * stats.f_frsize - leave)
    finally:
        os.close(fd)
    return filler


def chats(path: Path, *ids: str) -> Path:
    rows = [{"id": i, "messages": [{"role": "user", "content": f"text of {i}"}]} for i in ids]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_disk_full_gives_a_sentence_and_the_app_recovers_without_restart(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDSET_DB", str(small_disk / "g.duckdb"))
    ui._root.clear()
    root = ui._working_root()
    assert ingest_paths(root.store, [chats(tmp_path / "a.jsonl", "kept-1", "kept-2")]).added == 2
    root.store.con.execute("SET checkpoint_threshold = '1KB'")  # each commit checkpoints
    filler = fill(small_disk)

    with pytest.raises(Exception) as failed:  # what a page's friendly_errors sees
        root.store.cursor().upsert_rater(Rater(id="zed", name="Zed", role="rater"))
    sentence = explain(failed.value, root.store.path)
    assert isinstance(sentence, DiskFull)
    assert "is full, so this was not saved; everything saved before is kept" in str(sentence)
    assert not root.store.healthy()  # DuckDB invalidated the database

    filler.unlink()  # space is back
    again = ui._working_root()
    assert again is not root and again.store.healthy()
    assert {"kept-1", "kept-2"} <= set(again.store.transcript_ids())  # nothing committed lost
    report = ingest_paths(again.store, [chats(tmp_path / "b.jsonl", "after")])
    assert (report.added, report.rejected) == (1, [])
    ui._root.clear()
    again.store.close()


def test_ingest_on_a_full_disk_is_a_rejection_with_a_sentence(
    small_disk: Path, tmp_path: Path
) -> None:
    ws = open_workspace(small_disk / "g.duckdb")
    ingest_paths(ws.store, [chats(tmp_path / "a.jsonl", "kept")])
    fill(small_disk, leave=16 * 1024)
    big = chats(tmp_path / "big.jsonl", *(f"b{i}-{'x' * 4000}" for i in range(300)))
    report = ingest_paths(ws.store, [big])
    assert report.added == 0
    [rejection] = report.rejected
    assert rejection.reason.startswith("could not store this file, nothing of it was kept. ")
    assert "is full" in rejection.reason and "Traceback" not in rejection.reason
    ws.store.close()


def test_the_cached_connection_is_rebuilt_when_it_stops_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The injected fault: the cached connection dies under the app."""
    monkeypatch.setenv("GOLDSET_DB", str(tmp_path / "g.duckdb"))
    ui._root.clear()
    root = ui._working_root()
    ingest_paths(root.store, [chats(tmp_path / "a.jsonl", "kept")])
    root.store.con.close()
    assert not root.store.healthy()
    again = ui._working_root()
    assert again.store.healthy() and again.store.transcript_ids() == ["kept"]
    ui._root.clear()
    again.store.close()


def test_a_corrupt_file_is_called_damaged_not_busy(tmp_path: Path) -> None:
    good = tmp_path / "good.duckdb"
    ws = open_workspace(good)
    ingest_paths(ws.store, [chats(tmp_path / "a.jsonl", *(f"t{i}" for i in range(3000)))])
    ws.store.con.execute("CHECKPOINT")
    ws.store.close()
    data = bytearray(good.read_bytes())
    data[3 * 4096 :] = b"Z" * (len(data) - 3 * 4096)  # blocks whose checksums no longer match
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(bytes(data))
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(os.urandom(20_000))
    for path in (damaged, garbage):
        with pytest.raises(DatabaseDamaged, match="is damaged or is not a Goldset database"):
            Store.open(path).counts()


def test_a_file_held_by_another_process_is_called_busy(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    open_workspace(db).store.close()
    code = (
        f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
        "print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        with pytest.raises(DatabaseBusy, match="is open in another Goldset process"):
            Store.open(db)
    finally:
        holder.kill()
        holder.wait()


def test_a_read_only_file_is_called_read_only(tmp_path: Path) -> None:
    disk = tmp_path / "ro"
    if os.geteuid() != 0 or not mount_tmpfs(disk, "4m"):
        pytest.skip("needs root to mount a read-only tmpfs")
    try:
        open_workspace(disk / "g.duckdb").store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        time.sleep(0.1)
        with pytest.raises(DatabaseReadOnly, match="cannot be written: the file or its folder"):
            Store.open(disk / "g.duckdb")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
