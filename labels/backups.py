"""Where the app puts backups: a timestamped folder beside the database file."""

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
