"""Where the app puts backups: a timestamped folder beside the database file."""

from __future__ import annotations

from pathlib import Path

from labels.models import utcnow
from labels.workspace import Workspace


def new_backup_folder(ws: Workspace) -> Path:
    """`<db folder>/backups/<db name>-<UTC timestamp>` (not yet created)."""
    db = Path(ws.store.path)
    base = db.parent if ws.store.path != ":memory:" else Path.cwd()
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return base / "backups" / f"{db.stem}-{stamp}"
