"""What each rater has done: items, time, skips, flags, and their labels beside gold.

Reads only (the same DuckDB SQL on a DuckDB file and on PostgreSQL attached to DuckDB);
`labels.raters` turns them into the raters view. Each read aggregates in the database,
so the 1,000,000 labels of the benchmark database never travel to Python.

An item's time is read from the rater's *first* label on each dimension (revisions are
not labeling time). A submit from the label page writes the item's time on every
dimension's row; labels imported from a file may carry one time per dimension. So when
the first rows of an item all hold the same number, that is the item's time, else their
sum is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .connection import Connection
from .current import current

if TYPE_CHECKING:
    import pandas as pd

# Per rater, transcript and dimension: the first label's time and seconds. (A GROUP BY,
# not a window: 0.6 s on 1,000,000 labels against 0.9 s.)
_FIRST = """
SELECT transcript_id, rater, dimension, min(created_at) AS first_at,
       arg_min(seconds, (created_at, id)) AS seconds
FROM labels GROUP BY transcript_id, rater, dimension
"""

# Per rater overall (day NULL) and per UTC day: items first labeled, their median time.
WORK = f"""
WITH items AS (
    SELECT rater, transcript_id, min(first_at) AS labeled_at,
           CASE WHEN count(DISTINCT seconds) = 1 THEN max(seconds) ELSE sum(seconds) END
               AS seconds
    FROM ({_FIRST}) GROUP BY rater, transcript_id
)
SELECT rater, date_trunc('day', timezone('UTC', labeled_at)) AS day, count(*) AS items,
       median(seconds) AS median_seconds, min(labeled_at) AS first_label,
       max(labeled_at) AS last_label
FROM items
GROUP BY GROUPING SETS ((rater), (rater, date_trunc('day', timezone('UTC', labeled_at))))
ORDER BY rater, day NULLS FIRST
"""  # noqa: S608 (fixed text)

# Everyone in `raters` or with an assignment: name, role, skips, flags, open items, gold
# checks given out and gold checks still waiting (`queue.send_gold_checks`).
MARKS = """
WITH marks AS (
    SELECT rater, count(*) FILTER (WHERE state = 'skipped') AS skipped,
           count(*) FILTER (WHERE flagged) AS flagged,
           count(*) FILTER (WHERE state = 'open') AS open,
           count(*) FILTER (WHERE queue = 'gold-check' AND state <> 'queued') AS gold_checks,
           count(*) FILTER (WHERE state = 'queued' AND NOT labeled) AS gold_checks_waiting
    FROM assignments GROUP BY rater
)
SELECT coalesce(r.id, m.rater) AS rater, r.name, r.role, coalesce(m.skipped, 0) AS skipped,
       coalesce(m.flagged, 0) AS flagged, coalesce(m.open, 0) AS open,
       coalesce(m.gold_checks, 0) AS gold_checks,
       coalesce(m.gold_checks_waiting, 0) AS gold_checks_waiting
FROM raters r FULL JOIN marks m ON m.rater = r.id
ORDER BY 1
"""

# Per rater and UTC day of their first label: their current labels beside the current gold
# that their label did not make (see `beside_gold`), and how many match. The methods come
# as one parameter (a list).
BESIDE_GOLD = f"""
SELECT l.rater, date_trunc('day', timezone('UTC', f.first_at)) AS day, count(*) AS compared,
       count(*) FILTER (WHERE l.value = g.value) AS agree
FROM {current("labels", "", "transcript_id, rater, dimension, value")} l
JOIN {current("gold", "", "transcript_id, dimension, value, method, created_at")} g
    USING (transcript_id, dimension)
JOIN ({_FIRST}) f USING (transcript_id, rater, dimension)
LEFT JOIN assignments a USING (transcript_id, rater)
WHERE list_contains(?, g.method) OR g.created_at < f.first_at
   OR coalesce(a.queue = 'gold-check', FALSE)
GROUP BY ALL ORDER BY l.rater, day
"""  # noqa: S608


class ActivityStore(Connection):
    """Reads for the raters view."""

    def labels_and_gold_version(self) -> tuple[int, int]:
        """`LabelStore`'s (first in `Store`'s bases), or `PostgresStore`'s."""
        raise NotImplementedError

    def activity_version(self) -> tuple[object, ...]:
        """Changes whenever labels, gold or assignments do: what the raters view is cached on
        (labels and gold as every cache reads them, `labels_and_gold_version`)."""
        row = self.con.execute(
            "SELECT count(*), coalesce(epoch_us(max(updated_at)), 0) FROM assignments"
        ).fetchone()
        return (*self.labels_and_gold_version(), *(row or ()))

    def rater_work(self) -> pd.DataFrame:
        """Per rater (`day` missing) and per rater and UTC day: items first labeled, their
        median seconds, the first and last label's time."""
        return self.df(WORK)

    def rater_marks(self) -> pd.DataFrame:
        """Per person: name, role, items skipped, flagged, open, gold checks given out and
        gold checks waiting."""
        return self.df(MARKS)

    def beside_gold(self, made_elsewhere: Sequence[str]) -> pd.DataFrame:
        """Per rater and UTC day of their first label on it: current labels compared with
        the current gold, and how many agree. Only gold the label did not make: gold of a
        method in `made_elsewhere`, gold written before the rater first labeled the
        item-dimension, and items that came to them as gold checks."""
        return self.df(BESIDE_GOLD, [list(made_elsewhere)])
