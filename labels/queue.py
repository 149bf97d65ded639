"""Who labels what next: k raters per transcript, audit and gold-check items first.

The rules live in `Store.claim_next` (one SQL query under a lock, so two raters
asking at once cannot both take the last slot); this module applies the
project's settings from the schema file.
"""

from __future__ import annotations

from labels.workspace import Workspace


def next_item(ws: Workspace, rater: str) -> str | None:
    """The transcript `rater` should label now: their open item, else a new one, else None."""
    project = ws.schema.project
    return ws.store.claim_next(rater, project.raters_per_item, project.seed)


def progress(ws: Workspace, rater: str) -> tuple[int, int]:
    """(done, done + still available) for the rater's progress bar."""
    return ws.store.rater_progress(rater, ws.schema.project.raters_per_item)


def skip(ws: Workspace, rater: str, transcript_id: str, reason: str) -> None:
    """Give an item back with a reason; the rater will not be offered it again."""
    ws.store.finish_assignment(transcript_id, rater, "skipped", note=reason)
