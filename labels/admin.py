"""Rules for the Admin page's people table, without Streamlit."""

from __future__ import annotations

from labels.models import Rater


def roster_problem(people: list[Rater], changed: list[Rater], me: str) -> str | None:
    """Why saving `changed` over `people` would lock the project out, or None when it is safe.

    Someone must still be an active admin, and the admin saving must not take away their
    own access (they could not undo it from the app)."""
    after = {p.id: p for p in people} | {p.id: p for p in changed}
    if not any(p.role == "admin" and p.active for p in after.values()):
        return "Nothing was saved: that would leave no active admin, and no one could undo it."
    mine = after.get(me)
    if mine is not None and (mine.role != "admin" or not mine.active):
        return (
            "Nothing was saved: you would take away your own admin access. Ask another admin "
            "to change your role."
        )
    return None
