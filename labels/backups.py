"""Where the app puts backups (a timestamped folder beside the database file), which it
lists, and restores of them into a new file."""

from __future__ import annotations

from pathlib import Path

from labels.models import utcnow
from labels.workspace import Workspace


def new_backup_folder(ws: Workspace) -> Path:
    """`<db folder>/backups/<db name>-<UTC timestamp>` (not yet created).

    For PostgreSQL: `backups/<database>-<UTC timestamp>` in the folder the app runs from.
    """
    from labels.store import is_postgres

    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    if is_postgres(ws.store.path):  # the database's name, in the folder the app runs from
        name = ws.store.path.rpartition("/")[2].partition("?")[0] or "postgres"
        return Path.cwd() / "backups" / f"{name}-{stamp}"
    db = Path(ws.store.path)
    base = db.parent if ws.store.path != ":memory:" else Path.cwd()
    return base / "backups" / f"{db.stem}-{stamp}"


def backups_folder(ws: Workspace) -> Path:
    """The folder `new_backup_folder` puts backups in."""
    return new_backup_folder(ws).parent


def listed(ws: Workspace) -> list[Path]:
    """The backups in `backups_folder`, newest first (folders with a backup manifest)."""
    from labels.store import MANIFEST

    folder = backups_folder(ws)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def restore_target(ws: Workspace, backup: Path) -> Path:
    """A new database file for a restore of `backup`, beside the backups: `<backup>.duckdb`,
    numbered when that exists."""
    base = backups_folder(ws).parent / "restored"
    target, n = base / f"{backup.name}.duckdb", 1
    while target.exists():
        n += 1
        target = base / f"{backup.name}-{n}.duckdb"
    return target


def restore(backup: Path, target: Path) -> dict[str, int]:
    """Restore `backup` into the new file `target` (checked against its manifest, see
    `Store.restore`); its row counts. Raises `StoreError` with a sentence when refused."""
    from labels.store import Store

    store = Store.restore(backup, target)
    try:
        return store.counts()
    finally:
        store.close()
