"""What each rater has done: items, time, skips, flags, and their labels beside gold.

Reads only (the same DuckDB SQL on a DuckDB file and on PostgreSQL attached to DuckDB);
`labels.raters` turns them into the raters view.

An item's time is read from the rater's *first* label on each dimension (revisions are
not labeling time). A submit from the label page writes the item's time on every
dimension's row; labels imported from a file may carry one time per dimension. So when
the first rows of an item all hold the same number, that is the item's time, else their
sum is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .connection import Connection
from .current import current

if TYPE_CHECKING:
    import pandas as pd

# Per rater and item: when they first labeled it and the seconds it took.
_ITEMS = """
WITH first AS (
    SELECT transcript_id, rater, seconds, created_at FROM (
        SELECT transcript_id, rater, seconds, created_at, row_number() OVER (
            PARTITION BY transcript_id, rater, dimension ORDER BY created_at, id) AS n
        FROM labels) WHERE n = 1
)
SELECT rater, transcript_id, min(created_at) AS labeled_at,
       CASE WHEN count(DISTINCT seconds) = 1 THEN max(seconds) ELSE sum(seconds) END
           AS seconds
FROM first GROUP BY rater, transcript_id
"""

# One row per rater in `raters` or with a label or assignment.
ACTIVITY = f"""
WITH items AS ({_ITEMS}),
per AS (
    SELECT rater, count(*) AS items, median(seconds) AS median_seconds,
           min(labeled_at) AS first_label, max(labeled_at) AS last_label
    FROM items GROUP BY rater
),
marks AS (
    SELECT rater, count(*) FILTER (WHERE state = 'skipped') AS skipped,
           count(*) FILTER (WHERE flagged) AS flagged,
           count(*) FILTER (WHERE state = 'open') AS open,
           count(*) FILTER (WHERE queue = 'gold-check') AS gold_checks
    FROM assignments GROUP BY rater
),
who AS (
    SELECT id AS rater FROM raters UNION SELECT rater FROM per UNION SELECT rater FROM marks
)
SELECT w.rater, r.name, r.role, coalesce(p.items, 0) AS items, p.median_seconds,
       coalesce(m.skipped, 0) AS skipped, coalesce(m.flagged, 0) AS flagged,
       coalesce(m.open, 0) AS open, coalesce(m.gold_checks, 0) AS gold_checks,
       p.first_label, p.last_label
FROM who w LEFT JOIN raters r ON r.id = w.rater
LEFT JOIN per p ON p.rater = w.rater LEFT JOIN marks m ON m.rater = w.rater
ORDER BY w.rater
"""  # noqa: S608 (fixed text)

# Per rater and UTC day: items first labeled that day and their median time.
DAYS = f"""
SELECT rater, date_trunc('day', timezone('UTC', labeled_at)) AS day, count(*) AS items,
       median(seconds) AS median_seconds
FROM ({_ITEMS}) GROUP BY ALL ORDER BY rater, day
"""  # noqa: S608

_FIRST = (
    "SELECT transcript_id, rater, dimension, min(created_at) AS first_at FROM labels GROUP BY ALL"
)

# A rater's current label beside the current gold of the same item and dimension.
BESIDE_GOLD = f"""
SELECT l.rater, l.transcript_id, l.dimension, l.value, g.value AS gold, g.method,
       g.created_at AS gold_at, f.first_at AS labeled_at,
       coalesce(a.queue = 'gold-check', FALSE) AS gold_check
FROM {current("labels", "", "transcript_id, rater, dimension, value")} l
JOIN {current("gold", "", "transcript_id, dimension, value, method, created_at")} g
    USING (transcript_id, dimension)
JOIN ({_FIRST}) f USING (transcript_id, rater, dimension)
LEFT JOIN assignments a USING (transcript_id, rater)
ORDER BY l.rater, f.first_at, l.transcript_id, l.dimension
"""  # noqa: S608


class ActivityStore(Connection):
    """Reads for the raters view."""

    def rater_activity(self) -> pd.DataFrame:
        """Per rater: items labeled, median seconds per item, skips, flags, open items,
        gold-check assignments, first and last label."""
        return self.df(ACTIVITY)

    def rater_days(self) -> pd.DataFrame:
        """Per rater and UTC day: items first labeled and their median seconds."""
        return self.df(DAYS)

    def labels_beside_gold(self) -> pd.DataFrame:
        """Each rater's current label wherever there is gold: the gold value, its method and
        time, when the rater first labeled the item-dimension, and whether it came to them
        from the gold-check queue."""
        return self.df(BESIDE_GOLD)
