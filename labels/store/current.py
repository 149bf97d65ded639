"""What "current" means for the append-only tables: the latest row per key.

A change to a label or a gold decision is a new row; the current one is the row
with the latest `created_at`, and of rows written at the same instant the one
with the highest `id`. Every read of current labels or gold is built here.
"""

from __future__ import annotations

from typing import Literal

KEYS = {
    "labels": "transcript_id, rater, dimension",
    "gold": "transcript_id, dimension",
}
"""What a row is the current one of: a rater's label on a transcript and dimension; the
gold of a transcript and dimension."""


def current(
    table: Literal["labels", "gold"], where: str = "", columns: str = "* EXCLUDE (_rn)"
) -> str:
    """A subquery: the current rows of `table` among those `where` selects, with `columns`.

    `where` is fixed SQL text from the store (a WHERE or JOIN clause with `?` markers):
    filtering before the latest row is chosen keeps narrow reads fast (an anti-join
    with gold on 375,000 current labels: 0.14 s before, 0.47 s after).
    """
    return (
        f"(SELECT {columns} FROM (SELECT *, row_number() OVER (PARTITION BY {KEYS[table]}"  # noqa: S608
        f" ORDER BY created_at DESC, id DESC) AS _rn FROM {table} {where}) WHERE _rn = 1)"
    )
