"""Corrected rates: how often something happened per model and condition, with the grader's
errors taken out and a 95% interval (`labels.graders.ppi` does the maths).

For each grader, yes/no dimension and group (default model × condition; any of model,
scenario, condition and the condition fields): the grader's verdict on every transcript of
the group it judged, and the human truth (current gold, projected to yes/no) where there is
one. The corrected rate is the stratified PPI++ estimate. Strata: when the grader has been
audited, the audit's own strata (what the grader said × condition), so items drawn at
different rates are weighted back by their stratum's share (the Hájek weight 1 / pi);
otherwise the conditions inside the group, since a grader's errors differ by condition.
Human labels within a stratum are taken as a random sample of it: an audit draws them so;
gold from the labeling queue is assumed to be picked without regard to the grader.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labels import intervals, jsonout
from labels.graders import audit, calibration, ppi
from labels.graders.map import GraderMap
from labels.models import CONDITION_FIELDS
from labels.workspace import Workspace

GROUP_FIELDS = ("model", "condition", *CONDITION_FIELDS)
DEFAULT_BY = ("model", "condition")
HALF_WIDTH = 0.03


@dataclass(frozen=True)
class GroupRate:
    """One row of the rates table."""

    grader: str
    dimension: str
    group: dict[str, str]
    n: int
    """Transcripts of the group the grader judged."""
    raw_rate: float
    corrected: ppi.Corrected
    gold_rate: float
    gold_ci: intervals.Interval
    more_labels: int | None
    """Human labels more for a corrected interval of about ± `HALF_WIDTH` (or as asked)."""

    @property
    def n_human(self) -> int:
        return self.corrected.n_human

    def reading(self) -> str:
        """The corrected rate in plain words."""
        c = self.corrected
        if math.isnan(c.rate):
            return "no human label in this group yet: only the grader's raw rate"
        if c.low < 0.0005:  # would read "between 0.0% and …"
            return f"at most {pct(c.high)} (a 95% upper bound)"
        if c.high > 0.9995:
            return f"at least {pct(c.low)} (a 95% lower bound)"
        return f"between {pct(c.low)} and {pct(c.high)}"

    def needs(self, half_width: float) -> str:
        """How many more labels ± `half_width` needs, in words."""
        if self.more_labels is None:
            return "no estimate yet to say how many labels more"
        left = self.n - self.n_human
        goal = f"±{half_width * 100:g} points"
        if self.more_labels > left:
            return f"{goal} needs {self.more_labels} more, more than the {left} left unlabeled"
        return f"{goal} needs {self.more_labels} more"

    def ask(self, half_width: float) -> str:
        """The group and how many more labels it needs, for a picker."""
        return f"{self.grader} · {group_label(self.group)} ({self.needs(half_width)})"

    def to_json(self) -> dict[str, object]:
        """The row as `rates --json` prints it (NaN as None)."""
        c = self.corrected
        return {
            "grader": self.grader,
            "dimension": self.dimension,
            "group": self.group,
            "n": self.n,
            "raw_rate": jsonout.finite(self.raw_rate),
            "corrected_rate": jsonout.finite(c.rate),
            "corrected_ci": [jsonout.finite(c.low), jsonout.finite(c.high)],
            "gold_rate": jsonout.finite(self.gold_rate),
            "gold_ci": [jsonout.finite(v) for v in self.gold_ci],
            "n_human": self.n_human,
            "effective_n": jsonout.finite(c.n_eff) if self.n_human else None,
            "more_labels": self.more_labels,
            "reading": self.reading(),
        }


def pct(share: float) -> str:
    """A share as a percentage: one decimal below 10% (0.3%, not 0%), none above."""
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def check_by(by: Sequence[str]) -> tuple[str, ...]:
    """The grouping fields, checked (a ValueError names the allowed ones)."""
    unknown = [b for b in by if b not in GROUP_FIELDS]
    if unknown or not by:
        raise ValueError(
            f"group by some of {', '.join(GROUP_FIELDS)}, not {', '.join(unknown) or 'nothing'}"
        )
    return tuple(dict.fromkeys(by))


def rate_frame(
    ws: Workspace, grader: str | None = None, gmap: GraderMap | None = None
) -> pd.DataFrame:
    """One row per grader, yes/no dimension and transcript the grader judged: pred, truth
    (gold yes/no, -1 none), the group fields and the stratum."""
    gmap = ws.grader_map if gmap is None else gmap
    comp = calibration.comparisons(ws, grader, gmap, reference="gold")
    comp = comp[comp["pred"] >= 0]
    fields = ws.store.transcript_fields().drop(columns=["model", "scenario"])
    rows = comp.merge(fields, how="left", on="transcript_id")
    for col in GROUP_FIELDS:
        rows[col] = rows[col].fillna(calibration.NO_VALUE).replace("", calibration.NO_VALUE)
    audited = set(ws.store.audit_draws(grader)["grader"]) if len(comp) else set()
    strata = [
        audit.frame(comp, str(g)).assign(grader=g)[["grader", "transcript_id", "status"]]
        for g in sorted(audited & set(rows["grader"]))
    ]
    empty = pd.DataFrame(columns=["grader", "transcript_id", "status"])
    status = pd.concat(strata) if strata else empty
    rows = rows.merge(status, how="left", on=["grader", "transcript_id"])
    rows["stratum"] = rows["status"].fillna("").astype(str) + " · " + rows["condition"]
    return rows


def _strata(group: pd.DataFrame) -> list[ppi.Stratum]:
    out = []
    for _, cell in group.groupby("stratum", sort=True):
        truth, pred = cell["ref"].to_numpy(int), cell["pred"].to_numpy(float)
        known = truth >= 0
        out.append(ppi.Stratum(truth[known].astype(float), pred[known], pred[~known]))
    return out


def group_rate(
    grader: str, dimension: str, key: dict[str, str], rows: pd.DataFrame, half_width: float
) -> GroupRate:
    """The rates row of one group's rate-frame rows."""
    corrected = ppi.corrected(_strata(rows))
    truth = rows["ref"].to_numpy(int)
    labeled = truth[truth >= 0]
    gold_rate = float(labeled.mean()) if labeled.size else math.nan
    return GroupRate(
        grader=grader,
        dimension=dimension,
        group=key,
        n=len(rows),
        raw_rate=float(rows["pred"].mean()),
        corrected=corrected,
        gold_rate=gold_rate,
        gold_ci=intervals.clopper_pearson(int(labeled.sum()), int(labeled.size)),
        more_labels=ppi.labels_needed(corrected, half_width),
    )


def rates(
    ws: Workspace,
    grader: str | None = None,
    dimension: str | None = None,
    by: Sequence[str] = DEFAULT_BY,
    gmap: GraderMap | None = None,
    half_width: float = HALF_WIDTH,
    frame: pd.DataFrame | None = None,
) -> list[GroupRate]:
    """The rates table: one `GroupRate` per grader, yes/no dimension and group (`frame`: a
    `rate_frame` already read, e.g. cached by the page)."""
    fields = list(check_by(by))
    rows = rate_frame(ws, grader, gmap) if frame is None else frame
    if grader is not None:
        rows = rows[rows["grader"] == grader]
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    out = []
    for key, group in rows.groupby(["grader", "dimension", *fields], sort=True):
        values = [str(v) for v in key]
        named = dict(zip(fields, values[2:], strict=True))
        out.append(group_rate(values[0], values[1], named, group, half_width))
    order = {name: i for i, name in enumerate(ws.schema.names)}
    return sorted(out, key=lambda r: (r.grader, order.get(r.dimension, 99)))


def to_json(rows: Sequence[GroupRate]) -> dict[str, list[dict[str, object]]]:
    """`{"rates": [...]}` as `python -m labels rates --json` prints it."""
    return {"rates": [r.to_json() for r in rows]}


def group_label(group: Mapping[str, str]) -> str:
    """A group for people: its values joined with " · "."""
    return " · ".join(group.values())


def table(rows: Sequence[GroupRate]) -> pd.DataFrame:
    """The rates as a flat table for people (and the chart)."""
    records = []
    for r in rows:
        c = r.corrected
        records.append(
            {
                "grader": r.grader,
                "dimension": r.dimension,
                "group": group_label(r.group),
                "transcripts": r.n,
                "grader rate": r.raw_rate,
                "corrected": c.rate,
                "low": c.low,
                "high": c.high,
                "human labels": r.n_human,
                "gold only": r.gold_rate,
                "gold low": r.gold_ci[0],
                "gold high": r.gold_ci[1],
                "reading": r.reading(),
                "more labels": r.more_labels,
            }
        )
    return pd.DataFrame(records)


def draw_for_group(
    ws: Workspace,
    grader: str,
    group: Mapping[str, str],
    n: int,
    seed: int = 0,
    gmap: GraderMap | None = None,
    who: str = "cli",
) -> audit.Draw:
    """Draw `n` of the group's transcripts that have no human reference yet for an audit
    (stratified as audits are; to k raters, blind) and record it."""
    rows = rate_frame(ws, grader, gmap)
    mine = np.ones(len(rows), dtype=bool)
    for field, value in group.items():
        mine &= (rows[check_by([field])[0]] == value).to_numpy()
    reviewed = set(rows.loc[rows["ref"] >= 0, "transcript_id"])
    ids = set(rows.loc[mine, "transcript_id"]) - reviewed
    if not ids:
        raise ValueError(f"every transcript of {group_label(group)} already has a human label")
    scope = ", ".join(f"{k}={v}" for k, v in group.items())
    d = audit.draw(ws, grader, n, seed, gmap, within=ids, scope=scope)
    audit.record(ws, d, who)
    return d
