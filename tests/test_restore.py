"""Restore checks its input (issue 14, point 10): `python -m labels restore DIR --db NEW`
makes a new file only, checks every table against the backup's manifest (rows and a
hash), and refuses a short or damaged backup with a sentence, leaving no file behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from labels.store import Store, StoreError
from labels.workspace import open_workspace
from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("backup")
    ws = open_workspace(build_demo_db(base / "demo.duckdb"))
    ws.store.backup(base / "bk")
    ws.store.close()
    return base / "bk"


def copy_of(backup: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(backup, tmp_path / "bk"))


def restore(backup: Path, db: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "labels", "restore", str(backup), "--db", str(db)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def assert_refused(done: subprocess.CompletedProcess[str], db: Path, fragment: str) -> None:
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1  # one sentence
    assert not any(db.parent.glob(db.name + "*")), list(db.parent.iterdir())  # nothing left


def test_a_good_backup_restores_with_identical_tables(backup: Path, tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    done = restore(backup, db)
    assert done.returncode == 0, done.stderr
    assert "574 labels" in done.stdout
    store = Store.open(db)
    manifest = json.loads((backup / "goldset-backup.json").read_text())
    assert store.digests() == manifest["tables"]
    store.close()


def test_a_labels_file_cut_to_10_rows_is_refused(backup: Path, tmp_path: Path) -> None:
    bk = copy_of(backup, tmp_path)
    labels = bk / "labels.parquet"
    pq.write_table(pq.read_table(labels).slice(0, 10), labels)
    db = tmp_path / "new.duckdb"
    assert_refused(restore(bk, db), db, "table labels has 10 rows, the manifest says 574")


def test_a_changed_row_is_refused_by_the_hash(backup: Path, tmp_path: Path) -> None:
    bk = copy_of(backup, tmp_path)
    labels = bk / "labels.parquet"
    table = pq.read_table(labels)
    changed = table.set_column(
        table.schema.get_field_index("rationale"),
        "rationale",
        pc.binary_join_element_wise(table["rationale"], "!", ""),
    )
    pq.write_table(changed, labels)
    db = tmp_path / "new.duckdb"
    assert_refused(restore(bk, db), db, "the rows of table labels differ from those backed up")


def test_a_truncated_parquet_is_refused_and_leaves_no_file(backup: Path, tmp_path: Path) -> None:
    bk = copy_of(backup, tmp_path)
    labels = bk / "labels.parquet"
    labels.write_bytes(labels.read_bytes()[:200])
    db = tmp_path / "new.duckdb"
    assert_refused(restore(bk, db), db, "could not be restored: a file of it is damaged or missing")


def test_a_folder_without_a_manifest_and_an_existing_file_are_refused(
    backup: Path, tmp_path: Path
) -> None:
    bk = copy_of(backup, tmp_path)
    (bk / "goldset-backup.json").unlink()
    db = tmp_path / "new.duckdb"
    assert_refused(restore(bk, db), db, "is not a Goldset backup: it has no goldset-backup.json")
    existing = tmp_path / "old.duckdb"
    existing.write_bytes(b"keep me")
    with pytest.raises(StoreError, match="exists; restore into a new file"):
        Store.restore(backup, existing)
    assert existing.read_bytes() == b"keep me"


def test_without_db_it_restores_into_goldset_db_and_never_over_an_existing_one(
    backup: Path, tmp_path: Path
) -> None:
    import os

    db = tmp_path / "fresh" / "goldset.duckdb"
    env = {**os.environ, "GOLDSET_DB": str(db)}
    command = [sys.executable, "-m", "labels", "restore", str(backup)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "every table's rows and content hash checked" in done.stdout
    assert "574 labels" in done.stdout and "122 gold" in done.stdout
    store = Store.open(db)
    manifest = json.loads((backup / "goldset-backup.json").read_text())
    assert store.digests() == manifest["tables"]
    store.close()
    before = db.read_bytes()
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "exists; restore into a new file, it never overwrites a database" in again.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_a_backup_from_before_the_queue_state_restores_and_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """A backup of a database made before migration 0004 (no queue state, assignments
    without `labeled`) restores into a new file and into PostgreSQL: every row kept, the
    later steps applied, and the queue state derived from the restored labels."""
    from labels.store import migrations
    from tests import pg

    old_db = tmp_path / "old.duckdb"
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    old = Store.open(old_db)
    old.con.execute(
        "INSERT INTO transcripts (id, source_format, source_ref, batch_id, n_messages, n_chars)"
        " SELECT 't' || i, 'jsonl', 'x', 'b', 1, 1 FROM range(3) r(i)"
    )
    old.con.execute(
        "INSERT INTO labels (transcript_id, rater, dimension, value, schema_version, created_at)"
        " SELECT 't0', r, 'extortion', 'none', 1, TIMESTAMPTZ '2026-01-01 00:00:00+00'"
        " FROM (VALUES ('a'), ('b'), ('c')) v(r)"
    )
    old.backup(tmp_path / "bk")
    old.close()
    monkeypatch.undo()
    if target == "duckdb":
        restored = Store.restore(tmp_path / "bk", tmp_path / "new.duckdb")
        check(restored)
        return
    with pg.fresh_database() as url:
        Store.restore(tmp_path / "bk", url).close()
        check(Store.open(url))


def check(store: Store) -> None:
    from labels.store import migrations

    names = store.df("SELECT name FROM migrations ORDER BY name")["name"].tolist()
    assert names == sorted(name for name, _ in migrations.MIGRATIONS)
    assert store.counts()["labels"] == 3 and store.counts()["transcripts"] == 3
    state = store.df("SELECT transcript_id, holders FROM queue_state ORDER BY 1")
    assert state.values.tolist() == [["t0", 3], ["t1", 0], ["t2", 0]]
    assert store.claim_next("a", 3, 1) in ("t1", "t2")  # a holds t0 through its label
    assert store.claim_next("d", 3, 1) in ("t1", "t2")  # t0 is full
    store.close()
