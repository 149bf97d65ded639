"""Moving a whole database (issue 16): `python -m labels copy SOURCE TARGET` between a
DuckDB file and PostgreSQL, either way, checked by counts and a content hash per table
that is the same on both backends; and backups from either backend restored into either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from labels.models import Label
from labels.store import Store, StoreError, copy
from labels.workspace import Workspace, open_workspace
from tests import pg
from tests.factories import build_demo_db, make_transcript

ROOT = Path(__file__).resolve().parent.parent
SEQUENCES = (("label_seq", "labels"), ("gold_seq", "gold"), ("case_note_seq", "case_notes"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture
def target(database: str) -> str:
    """Where a copy or restore goes: a new DuckDB file, or a new, empty PostgreSQL database."""
    return database


def digests(db: str | Path) -> dict[str, dict[str, Any]]:
    store = Store.open(db)
    try:
        return store.digests()
    finally:
        store.close()


def next_ids(db: str) -> dict[str, tuple[int, int]]:
    """Per sequence: the next id it gives, and the highest id in its table."""
    store = Store.open(db)
    try:
        tops = {s: int(store.scalar(f"SELECT coalesce(max(id), 0) FROM {t}")) for s, t in SEQUENCES}
        if pg.SERVER and db.startswith("postgresql://"):
            import psycopg

            with psycopg.connect(db, autocommit=True) as con:
                nxt = {s: int(con.execute(f"SELECT nextval('{s}')").fetchone()[0]) for s in tops}  # type: ignore[index]
        else:
            nxt = {s: int(store.scalar(f"SELECT nextval('{s}')")) for s in tops}
        return {s: (nxt[s], tops[s]) for s in tops}
    finally:
        store.close()


def held(db: str) -> int:
    """Rows in every table but the migrations record."""
    store = Store.open(db)
    try:
        return sum(
            int(store.scalar(f'SELECT count(*) FROM "{n}"'))
            for n in store._table_names()
            if n != "migrations"
        )
    finally:
        store.close()


def test_duckdb_to_postgres_to_duckdb_keeps_every_table(demo: Path, tmp_path: Path) -> None:
    """The hash is of each row's canonical text, so the three databases agree exactly."""
    source = digests(demo)
    assert source["labels"]["rows"] == 574 and "search_docs" not in source
    with pg.fresh_database() as url:
        there = copy.copy_database(str(demo), url)
        assert there == source
        assert digests(url) == source  # checked again after it committed
        back = tmp_path / "back.duckdb"
        assert copy.copy_database(url, str(back)) == source
        for sequence, (nxt, top) in next_ids(url).items():
            assert nxt > top, sequence
    assert digests(back) == source
    for sequence, (nxt, top) in next_ids(str(back)).items():
        assert nxt > top, sequence
    ws = open_workspace(back)  # and the copy is a working database
    assert ws.store.counts()["labels"] == 574
    ws.store.close()


def test_file_to_file_and_progress_per_table(demo: Path, tmp_path: Path) -> None:
    told: list[tuple[str, int]] = []
    found = copy.copy_database(
        str(demo), str(tmp_path / "c.duckdb"), lambda t, n, s: told.append((t, n))
    )
    assert dict(told)["labels"] == 574 and {t for t, _ in told} == set(found)
    assert digests(tmp_path / "c.duckdb") == digests(demo)
    assert not list(tmp_path.glob("*.partial*"))


def test_a_non_empty_target_is_refused(demo: Path, target: str) -> None:
    ws = open_workspace(target)
    ws.store.ingest_file("one.jsonl", "jsonl", [make_record("kept")])
    ws.store.close()
    before = digests(target)
    with pytest.raises(StoreError, match=r"is not empty \(it holds .*1 transcripts"):
        copy.copy_database(str(demo), target)
    assert digests(target) == before


def test_a_hash_mismatch_is_detected_and_nothing_is_left(
    demo: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target whose rows differ from the source's (here: the source's labels hash, altered)."""
    real = copy.row_digest

    def altered(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, Any]:
        found = real(con, relation)
        return {**found, "hash": "1"} if relation == 'src."labels"' else found

    monkeypatch.setattr(copy, "row_digest", altered)
    with pytest.raises(StoreError, match="the copy of table labels in .* does not match"):
        copy.copy_database(str(demo), target)
    if target.startswith("postgresql://"):
        assert held(target) == 0  # rolled back: the database is as empty as it was
    else:
        assert not list(Path(target).parent.glob(Path(target).name + "*"))


def test_source_missing_or_same_as_target(tmp_path: Path, demo: Path) -> None:
    with pytest.raises(StoreError, match="there is no database file"):
        copy.copy_database(str(tmp_path / "nope.duckdb"), str(tmp_path / "x.duckdb"))
    with pytest.raises(StoreError, match="are the same database"):
        copy.copy_database(str(demo), str(demo))


def test_copy_command(demo: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "labels", "copy", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)

    new = tmp_path / "new.duckdb"
    done = run(str(demo), str(new))
    assert done.returncode == 0, done.stderr
    assert "copied labels: 574 rows" in done.stderr
    assert "content hash checked" in done.stdout
    again = run(str(demo), str(new))
    assert again.returncode == 2 and again.stderr.count("\n") == 1, again.stderr
    assert "is not empty" in again.stderr and "Traceback" not in again.stderr


# -- backups from either backend, restored into either ------------------------------


def add_label(ws: Workspace) -> None:
    ws.store.add_labels(
        [
            Label(
                transcript_id="t01",
                rater="ana",
                dimension="extortion",
                value="none",
                schema_version=ws.schema_version,
            )
        ]
    )


def test_a_backup_restores_into_either_backend(
    seeded: Workspace, tmp_path: Path, target: str
) -> None:
    add_label(seeded)
    seeded.store.backup(tmp_path / "bk")
    manifest = json.loads((tmp_path / "bk" / "goldset-backup.json").read_text())
    assert manifest["format"] == 2 and "search_docs" not in manifest["tables"]
    Store.restore(tmp_path / "bk", target).close()
    assert digests(target) == manifest["tables"] == seeded.store.digests()
    for sequence, (nxt, top) in next_ids(target).items():
        assert nxt > top, sequence


def test_restore_into_postgres_refuses_a_database_with_rows_and_a_damaged_backup(
    demo: Path, tmp_path: Path
) -> None:
    ws = open_workspace(demo)
    ws.store.backup(tmp_path / "bk")
    ws.store.close()
    with pg.fresh_database() as url:
        labels = tmp_path / "bk" / "labels.parquet"
        good = labels.read_bytes()
        labels.write_bytes(good[:200])
        with pytest.raises(StoreError, match="damaged or missing"):
            Store.restore(tmp_path / "bk", url)
        labels.write_bytes(good)
        assert held(url) == 0
        Store.restore(tmp_path / "bk", url).close()
        with pytest.raises(StoreError, match="is not empty"):
            Store.restore(tmp_path / "bk", url)
        assert digests(url) == digests(demo)


def test_an_export_database_backup_of_the_old_code_still_restores(
    demo: Path, tmp_path: Path, target: str
) -> None:
    """The layout before format 2: DuckDB's EXPORT DATABASE plus a manifest of `hash(t)` sums."""
    old = tmp_path / "old"
    con = duckdb.connect(str(demo), read_only=True)
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    ]
    tables = {}
    for name in names:
        rows, digest = con.execute(
            f'SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM "{name}" t'
        ).fetchone()  # type: ignore[misc]
        tables[name] = {"rows": rows, "hash": digest}
    con.execute(f"EXPORT DATABASE '{old}' (FORMAT parquet)")
    con.close()
    (old / "goldset-backup.json").write_text(json.dumps({"counts": {}, "tables": tables}))
    Store.restore(old, target).close()
    assert digests(target) == digests(demo)


def make_record(tid: str) -> Any:
    from labels.models import Record

    return Record(transcript=make_transcript(tid))
