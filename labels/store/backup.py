"""Backups (a consistent Parquet copy with a manifest) and restores checked against it.

One layout on both backends: a Parquet file per table (derived tables left out) and
`goldset-backup.json` with every table's rows and a content hash. The hash is of a
canonical text form of each row (every column as text, timestamps in UTC ISO form), so
it is the same on DuckDB and PostgreSQL, whose column types differ (TINYINT/SMALLINT,
JSON text): a backup from one restores, checked, into the other. Folders made by the
old `EXPORT DATABASE` backups (`load.sql`, a manifest without `format`) still restore.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import duckdb

from .connection import Connection
from .errors import StoreError, first_line

MANIFEST = "goldset-backup.json"
"""What a backup folder holds besides its Parquet files: counts and per-table hashes."""

FORMAT = 2
"""Backup layout: 2 is a Parquet file per table with canonical hashes; older is EXPORT DATABASE."""

DERIVED = frozenset({"search_docs", "change_counter"})
"""Tables never backed up or copied: rebuilt from others on first use (text search), or a
backend's own bookkeeping (PostgreSQL's count of label and gold writes)."""

SEQUENCES = (("label_seq", "labels"), ("gold_seq", "gold"), ("case_note_seq", "case_notes"))
"""Each sequence and the table whose `id` it numbers: after a restore or copy it continues."""


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal (for statements that take no parameters: COPY, ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def parquet(path: Path) -> str:
    """The relation reading one Parquet file."""
    return f"read_parquet({literal(str(path.resolve()))})"


def _canonical(column: str, kind: str) -> str:
    """One column as text that is the same on both backends."""
    if kind.startswith("TIMESTAMP"):
        utc = f"timezone('UTC', {quote(column)})" if "TIME ZONE" in kind else quote(column)
        return f"strftime({utc}, '%Y-%m-%dT%H:%M:%S.%fZ')"
    return f"{quote(column)}::VARCHAR"


def row_digest(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, Any]:
    """Rows of `relation` and an order-free hash of their canonical text (md5 of each row)."""
    columns = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()  # noqa: S608
    text = ", ".join(_canonical(str(c[0]), str(c[1])) for c in columns)
    rows, digest = con.execute(
        "SELECT count(*), coalesce(sum(md5_number_lower("  # noqa: S608
        f"to_json(list_value({text}))::VARCHAR)), 0)::VARCHAR FROM {relation}"
    ).fetchone() or (0, "0")
    return {"rows": int(rows), "hash": str(digest)}


def read_manifest(backup_dir: Path) -> dict[str, Any]:
    """The manifest's body, its `tables` normalised to rows and hash (rows only when older)."""
    try:
        body: dict[str, Any] = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
        tables = body.get("tables") or {k: {"rows": v} for k, v in body.items()}
        body["tables"] = {
            str(k): {"rows": int(v["rows"]), "hash": v.get("hash")} for k, v in tables.items()
        }
        body["format"] = int(body.get("format", 1))
    except FileNotFoundError:
        raise StoreError(f"{backup_dir} is not a Goldset backup: it has no {MANIFEST}") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoreError(f"{backup_dir}/{MANIFEST} cannot be read ({first_line(exc)})") from None
    return body


def check_tables(
    where: object, found: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]
) -> None:
    """Refuse unless every table in `expected` has its rows and (when given) hash in `found`."""
    for name, want in expected.items():
        got = found.get(name)
        if got is None or got["rows"] != want["rows"]:
            rows = "no table" if got is None else f"{got['rows']:,} rows"
            raise StoreError(
                f"{where} is not the backup its manifest describes: table {name} has "
                f"{rows}, the manifest says {want['rows']:,}. Nothing was restored."
            )
        if want["hash"] is not None and got["hash"] != want["hash"]:
            raise StoreError(
                f"{where} is not the backup its manifest describes: the rows of table "
                f"{name} differ from those backed up. Nothing was restored."
            )


def damaged(backup_dir: Path, exc: BaseException) -> StoreError:
    """The sentence for a backup file that cannot be read."""
    return StoreError(
        f"{backup_dir} could not be restored: a file of it is damaged or missing "
        f"({first_line(exc)}). Nothing was restored."
    )


def _legacy_digest(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any]:
    """The hash old backups' manifests give: DuckDB's `hash()` of each row, summed."""
    rows, digest = con.execute(
        f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {quote(name)} t"  # noqa: S608
    ).fetchone() or (0, "0")
    return {"rows": int(rows), "hash": str(digest)}


def remove_database(path: Path) -> None:
    """Delete a database file and its WAL, if there."""
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


class BackupStore(Connection):
    """What the database holds (counts, digests), copied out and back."""

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for the data page and the CLI)."""
        tables = ("transcripts", "messages", "labels", "gold", "grader_verdicts", "raters")
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in tables}  # noqa: S608

    def _table_names(self) -> list[str]:
        """The database's own tables (derived ones left out), by name."""
        names = self.con.execute(
            "SELECT table_name FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
        return [str(n) for (n,) in names if n not in DERIVED]

    def backup(self, out_dir: Path) -> dict[str, int]:
        """A consistent copy of the whole database as a Parquet file per table, with counts.

        Safe while the app runs: every table is read from one snapshot inside one
        transaction. The manifest (`goldset-backup.json`) gives every table's rows and
        a hash of them, which `Store.restore` checks.
        """
        if out_dir.exists() and any(out_dir.iterdir()):
            raise StoreError(f"{out_dir} is not empty; choose a new folder for the backup")
        made = not out_dir.exists()
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            with self.transaction():
                counts = self.counts()
                names = self._table_names()
                for name in names:
                    target = literal(str((out_dir / f"{name}.parquet").resolve()))
                    self.con.execute(
                        f"COPY (SELECT * FROM {quote(name)}) TO {target} (FORMAT parquet)"  # noqa: S608
                    )
                applied = [
                    r[0]
                    for r in self.con.execute("SELECT name FROM migrations ORDER BY 1").fetchall()
                ]
            tables = {
                name: row_digest(self.con, parquet(out_dir / f"{name}.parquet")) for name in names
            }
        except BaseException:
            if made:
                shutil.rmtree(out_dir, ignore_errors=True)
            else:
                for leftover in out_dir.iterdir():
                    leftover.unlink()
            raise
        manifest = {
            "format": FORMAT,
            "hash": "sum of md5_number_lower of each row's canonical text",
            "counts": counts,
            "tables": tables,
            "migrations": applied,
            "duckdb": duckdb.__version__,
        }
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        return counts

    def digests(self) -> dict[str, dict[str, Any]]:
        """Per table of the database: its row count and an order-free hash of its rows."""
        return {name: self._digest(name) for name in self._table_names()}

    def _digest(self, name: str) -> dict[str, Any]:
        """One table's row count and order-free hash of its rows (the same on both backends)."""
        return row_digest(self.con, quote(name))

    def _continue_sequences(self) -> None:
        """Make each sequence continue past the ids its table holds (DuckDB has no setval)."""
        for sequence, table in SEQUENCES:
            top = self.scalar(f"SELECT max(id) FROM {table}")  # noqa: S608
            last = self.scalar(
                "SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences()"
                " WHERE database_name = current_database() AND sequence_name = ?",
                [sequence],
            )
            if top is not None and last is not None and top > last:
                self.con.execute(
                    f"SELECT max(nextval('{sequence}')) FROM range(?)",  # noqa: S608
                    [int(top - last)],
                ).fetchall()

    @classmethod
    def restore_legacy(cls, backup_dir: Path, db: Path, expected: dict[str, Any]) -> None:
        """Make the file `db` from an `EXPORT DATABASE` backup (the layout before format 2)."""
        partial = db.with_name(db.name + ".partial")
        remove_database(partial)
        store = cls(duckdb.connect(str(partial)), str(partial), threading.Lock())
        try:
            try:
                with store.transaction():
                    store.con.execute(f"IMPORT DATABASE {literal(str(backup_dir.resolve()))}")
                names = store.con.execute(
                    "SELECT table_name FROM duckdb_tables()"
                    " WHERE database_name = current_database() AND schema_name = 'main'"
                ).fetchall()
                found = {str(n): _legacy_digest(store.con, str(n)) for (n,) in names}
                store.con.execute("CHECKPOINT")
            except duckdb.Error as exc:
                raise damaged(backup_dir, exc) from exc
            finally:
                store.close()
            check_tables(backup_dir, found, expected)
        except BaseException:
            remove_database(partial)
            raise
        partial.rename(db)
