"""Reliability: many raters at once, SIGKILL mid-ingest and mid-labeling, backups while writing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from labels import labeling
from labels.models import Label, Rater, Record
from labels.store import Store
from labels.workspace import Workspace, open_workspace
from tests.factories import make_transcript

ROOT = Path(__file__).resolve().parent.parent
DRAFT = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
)
LOAD_SECONDS = float(os.environ.get("GOLDSET_LOAD_SECONDS", "30"))  # per backend


def run_python(code: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )


@pytest.mark.slow
def test_twenty_raters_label_concurrently(database: str) -> None:
    """20 threads through the page's code path for LOAD_SECONDS: nothing lost or over-assigned
    (on PostgreSQL each thread's cursor has its own server connection)."""
    ws = open_workspace(database)
    records = [Record(transcript=make_transcript(f"t{i:04d}")) for i in range(400)]
    ws.store.ingest_file("load.jsonl", "jsonl", records)
    raters = [f"r{i:02d}" for i in range(20)]
    for r in raters:
        ws.store.upsert_rater(Rater(id=r, name=r))
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def rater_loop(rater: str) -> None:
        mine = ws.cursor()
        while time.monotonic() < deadline:
            item = mine.next_item(rater)
            if item is None:
                return
            labeling.submit(mine, rater, item, DRAFT, seconds=1.0)
            with lock:
                acknowledged.append((rater, item))

    threads = [threading.Thread(target=rater_loop, args=(r,)) for r in raters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    labels = ws.store.df("SELECT rater, transcript_id, count(*) AS n FROM labels GROUP BY ALL")
    assert len(acknowledged) > 100
    assert set(zip(labels["rater"], labels["transcript_id"], strict=True)) == set(acknowledged)
    assert set(labels["n"]) == {3}  # every acknowledged submission exactly once (3 dimensions)
    per_item = Counter(item for _, item in acknowledged)
    assert max(per_item.values()) <= ws.schema.project.raters_per_item
    assert len(acknowledged) == len(set(acknowledged))  # never the same item twice
    held = ws.store.df("SELECT transcript_id, count(*) AS n FROM assignments GROUP BY ALL")
    assert held["n"].max() <= ws.schema.project.raters_per_item
    ws.store.close()


INGEST = """
import sys
from pathlib import Path
from labels import loader
from labels.workspace import open_workspace
ws = open_workspace(sys.argv[1] if len(sys.argv) > 1 else {db!r})
print("ready", flush=True)
report = loader.ingest_paths(ws.store, [Path({path!r})], on_record=lambda: None)
print("done", report.added, flush=True)
"""


def write_big_jsonl(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            msgs = [
                {"role": "user", "content": f"message {j} of chat {i} " * 20} for j in range(20)
            ]
            fh.write(json.dumps({"id": f"big-{i}", "messages": msgs}) + "\n")


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_the_file_wholly_out_then_rerun_completes(
    tmp_path: Path, database: str
) -> None:
    db, big = database, tmp_path / "big.jsonl"
    write_big_jsonl(big, 20_000)
    ws = open_workspace(db)
    ws.store.ingest_file("before.jsonl", "jsonl", [Record(transcript=make_transcript("keep"))])
    ws.store.close()
    proc = run_python(INGEST.format(db=str(db), path=str(big)))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # well inside the ingest of 20,000 transcripts
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store.open(db)
    assert store.transcript_ids() == ["keep"]
    assert store.counts()["messages"] == 4
    store.close()
    rerun = run_python(INGEST.format(db=str(db), path=str(big)))
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert out.splitlines()[-1] == "done 20000"


LABELER = """
import sys
from labels import labeling
from labels.workspace import open_workspace
ws = open_workspace({db!r})
draft = labeling.draft_with(
    {{"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}}
)
while True:
    item = ws.next_item("ana")
    if item is None:
        break
    labeling.submit(ws, "ana", item, draft, seconds=1.0)
    print(item, flush=True)
"""


@pytest.mark.slow
def test_sigkill_while_labeling_keeps_every_acknowledged_label(database: str) -> None:
    db = database
    ws = open_workspace(db)
    ws.store.ingest_file(
        "t.jsonl", "jsonl", [Record(transcript=make_transcript(f"t{i:05d}")) for i in range(5000)]
    )
    ws.store.upsert_rater(Rater(id="ana", name="Ana"))
    ws.store.close()
    proc = run_python(LABELER.format(db=str(db)))
    assert proc.stdout is not None
    acknowledged = [proc.stdout.readline().strip() for _ in range(30)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    store = Store.open(db)
    stored = set(store.df("SELECT DISTINCT transcript_id FROM labels")["transcript_id"])
    assert set(acknowledged) <= stored
    per_item = store.df("SELECT transcript_id, count(*) AS n FROM labels GROUP BY ALL")
    assert set(per_item["n"]) == {3}  # no half-written submission
    store.close()


def test_backup_while_writing_restores_every_label(seeded: Workspace, tmp_path: Path) -> None:
    stop = threading.Event()

    def writer() -> None:
        mine = seeded.cursor()
        i = 0
        while not stop.is_set():
            mine.store.add_labels(
                [
                    Label(
                        transcript_id="t01",
                        rater="ana",
                        dimension="extortion",
                        value="none",
                        schema_version=seeded.schema_version,
                    )
                ]
            )
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    counts = seeded.store.backup(tmp_path / "backup")
    stop.set()
    thread.join()
    restored = Store.restore(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert restored.counts() == counts
    assert counts["labels"] > 0
    assert restored.scalar("SELECT count(DISTINCT id) FROM labels") == counts["labels"]
    with pytest.raises(Exception, match="not empty"):
        seeded.store.backup(tmp_path / "backup")
