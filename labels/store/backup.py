"""Backups (a consistent Parquet copy with a manifest) and restores checked against it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import duckdb

from .connection import Connection
from .errors import StoreError, first_line

MANIFEST = "goldset-backup.json"
"""What a backup folder holds besides DuckDB's export: counts and per-table hashes."""


def _manifest(backup_dir: Path) -> dict[str, dict[str, Any]]:
    """The per-table rows and hashes a backup promises (rows only for an older backup)."""
    try:
        body = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
        tables = body.get("tables") or {k: {"rows": v} for k, v in body.items()}
        return {str(k): {"rows": int(v["rows"]), "hash": v.get("hash")} for k, v in tables.items()}
    except FileNotFoundError:
        raise StoreError(f"{backup_dir} is not a Goldset backup: it has no {MANIFEST}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoreError(f"{backup_dir}/{MANIFEST} cannot be read ({first_line(exc)})") from None


def _import_checked(
    store: BackupStore, backup_dir: Path, expected: dict[str, dict[str, Any]]
) -> None:
    """IMPORT the backup into `store`, then compare every table with the manifest."""
    source = str(backup_dir.resolve()).replace("'", "''")
    try:
        with store.transaction():
            store.con.execute(f"IMPORT DATABASE '{source}'")
        found = store.digests()
        store.con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise StoreError(
            f"{backup_dir} could not be restored: a file of it is damaged or missing "
            f"({first_line(exc)}). Nothing was restored."
        ) from exc
    finally:
        store.close()
    for name, want in expected.items():
        got = found.get(name)
        if got is None or got["rows"] != want["rows"]:
            rows = "no table" if got is None else f"{got['rows']:,} rows"
            raise StoreError(
                f"{backup_dir} is not the backup its manifest describes: table {name} has "
                f"{rows}, the manifest says {want['rows']:,}. Nothing was restored."
            )
        if want["hash"] is not None and got["hash"] != want["hash"]:
            raise StoreError(
                f"{backup_dir} is not the backup its manifest describes: the rows of table "
                f"{name} differ from those backed up. Nothing was restored."
            )


def _remove_database(path: Path) -> None:
    """Delete a database file and its WAL, if there."""
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


class BackupStore(Connection):
    """What the database holds (counts, digests), copied out and back."""

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for the data page and the CLI)."""
        tables = ("transcripts", "messages", "labels", "gold", "grader_verdicts", "raters")
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in tables}  # noqa: S608

    def backup(self, out_dir: Path) -> dict[str, int]:
        """A consistent copy of the whole database as Parquet files plus DDL, with counts.

        Safe while the app runs: the export reads one snapshot inside a transaction.
        The manifest (`goldset-backup.json`) gives every table's rows and a hash of
        them, which `Store.restore` checks.
        """
        if out_dir.exists() and any(out_dir.iterdir()):
            raise StoreError(f"{out_dir} is not empty; choose a new folder for the backup")
        out_dir.mkdir(parents=True, exist_ok=True)
        # EXPORT DATABASE takes no parameters; the path is quoted as an SQL string literal.
        target = str(out_dir.resolve()).replace("'", "''")
        with self.transaction():
            counts = self.counts()
            manifest = {"counts": counts, "tables": self.digests(), "duckdb": duckdb.__version__}
            self.con.execute(f"EXPORT DATABASE '{target}' (FORMAT parquet)")
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        return counts

    def digests(self) -> dict[str, dict[str, Any]]:
        """Per table of the database: its row count and an order-free hash of its rows."""
        names = self.con.execute(
            "SELECT table_name FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
        return {name: self._digest(name) for (name,) in names}

    def _digest(self, name: str) -> dict[str, Any]:
        """One table's row count and order-free hash of its rows."""
        quoted = '"' + name.replace('"', '""') + '"'  # a name from the catalog, quoted
        rows, digest = self.con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {quoted} t"  # noqa: S608
        ).fetchone() or (0, "0")
        return {"rows": int(rows), "hash": str(digest)}

    @classmethod
    def restore_file(cls, backup_dir: Path, db: Path) -> None:
        """Make the database file `db` from a backup folder (`Store.restore` opens it)."""
        if db.exists() or Path(f"{db}.wal").exists():
            raise StoreError(f"{db} exists; restore into a new file")
        expected = _manifest(backup_dir)
        partial = db.with_name(db.name + ".partial")
        _remove_database(partial)
        try:
            _import_checked(
                cls(duckdb.connect(str(partial)), str(partial), threading.Lock()),
                backup_dir,
                expected,
            )
        except BaseException:
            _remove_database(partial)
            raise
        partial.rename(db)
