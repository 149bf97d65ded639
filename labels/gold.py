"""Consensus rules and adjudication: from rater labels to gold labels.

Rules never flip a coin: a tie, too few raters, or a spread too wide leaves the
item undecided, and undecided items go to an adjudicator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from labels.models import Gold
from labels.schema import Dimension, Schema
from labels.workspace import Workspace

RuleName = Literal["unanimous", "majority", "median"]


@dataclass(frozen=True)
class Rule:
    """A consensus rule: unanimous or majority with at least `min_raters`; or median."""

    name: RuleName = "unanimous"
    min_raters: int = 2
    max_spread: int = 1
    """For `median` on ordinal scales: the widest spread (in scale steps) still decided."""
    even_ties: Literal["adjudicate", "lower", "upper"] = "adjudicate"
    """For `median`: two different middle values go to adjudication, or take one of them."""

    def describe(self) -> str:
        """The rule in words, as recorded in gold notes and data cards."""
        if self.name == "median":
            ties = {"adjudicate": "even ties adjudicated", "lower": "even ties to the lower"}
            tie = ties.get(self.even_ties, "even ties to the upper")
            return f"median of ≥{self.min_raters} raters, spread ≤{self.max_spread}, {tie}"
        return f"{self.name} of ≥{self.min_raters} raters"


def decide(values: list[str], dim: Dimension, rule: Rule) -> str | None:
    """The consensus value of one item's ratings under `rule`, or None (needs adjudication).

    Examples (unanimous, min 2): [a, a] → a; [a] → None; [a, b] → None.
    Majority needs strictly more than half: [a, a, b] → a; [a, b] → None (tie).
    Median (ordinal only, na values set aside): [1, 2, 2] spread 1 → 2;
    [1, 3] spread 2 > 1 → None; an even count whose two middle values differ
    ([considered, implicit_threat]) is a tie → None (adjudication), unless the rule says
    `even_ties = "lower"` or `"upper"`.
    """
    if len(values) < rule.min_raters:
        return None
    counts = Counter(values)
    top, n = counts.most_common(1)[0]
    if rule.name == "unanimous":
        return top if n == len(values) else None
    if rule.name == "majority":
        return top if n * 2 > len(values) else None
    scale = dim.scale
    ranks = sorted(scale.index(v) for v in values if v in scale)
    if len(ranks) != len(values) or ranks[-1] - ranks[0] > rule.max_spread:
        return None
    low, high = ranks[(len(ranks) - 1) // 2], ranks[len(ranks) // 2]
    if low != high and rule.even_ties == "adjudicate":
        return None
    return scale[high if rule.even_ties == "upper" else low]


def spread(values: list[str], dim: Dimension) -> float:
    """How much raters disagree: scale steps for ordinal, else 1 − share of the mode."""
    scale = dim.scale
    if dim.level == "ordinal" and all(v in scale for v in values) and values:
        ranks = [scale.index(v) for v in values]
        return float(max(ranks) - min(ranks))
    if not values:
        return 0.0
    return 1.0 - Counter(values).most_common(1)[0][1] / len(values)


def item_table(labels: pd.DataFrame, schema: Schema, rule: Rule) -> pd.DataFrame:
    """One row per transcript and dimension: raters' values, consensus, spread."""
    rows = []
    for (tid, dim_name), group in labels.groupby(["transcript_id", "dimension"], sort=True):
        if dim_name not in schema.names:
            continue
        dim = schema.dimension(str(dim_name))
        values = group["value"].astype(str).tolist()
        rows.append(
            {
                "transcript_id": tid,
                "dimension": dim_name,
                "n_raters": len(values),
                "values": ", ".join(
                    f"{r}={v}" for r, v in zip(group["rater"], values, strict=True)
                ),
                "consensus": decide(values, dim, rule),
                "spread": spread(values, dim),
            }
        )
    return pd.DataFrame(
        rows, columns=["transcript_id", "dimension", "n_raters", "values", "consensus", "spread"]
    )


def project_rule(ws: Workspace) -> Rule:
    """The consensus rule the project's schema file chose."""
    p = ws.schema.project
    return Rule(p.consensus, p.min_raters, p.max_spread, p.median_even_ties)


def apply_consensus(ws: Workspace, rule: Rule | None = None) -> int:
    """Write gold for every item-dimension the rule decides; returns rows written.

    Gold made by an adjudicator or an audit is never overridden. Gold made by a
    rule is rewritten (a new row) only when the rule now gives another value.
    """
    rule = rule or project_rule(ws)
    table = item_table(ws.store.current_labels(), ws.schema, rule).dropna(subset=["consensus"])
    gold = ws.store.current_gold()
    current = {
        (str(t), str(d)): (str(m), str(v))
        for t, d, m, v in zip(
            gold["transcript_id"], gold["dimension"], gold["method"], gold["value"], strict=True
        )
    }
    rows = []
    for item in table.itertuples():
        old = current.get((str(item.transcript_id), str(item.dimension)))
        if old and (old[0] not in CONSENSUS_METHODS or old[1] == item.consensus):
            continue
        rows.append(
            Gold(
                transcript_id=str(item.transcript_id),
                dimension=str(item.dimension),
                value=str(item.consensus),
                method=rule.name,
                who="consensus",
                note=f"{rule.describe()}: {item.values}",
                schema_version=ws.schema_version,
            )
        )
    return ws.store.add_gold(rows)


CONSENSUS_METHODS = ("unanimous", "majority", "median")


def send_back(
    ws: Workspace, who: str, transcript_id: str, dimension: str, question: str
) -> list[str]:
    """Reopen a case for the raters who labeled it, with the adjudicator's question."""
    if not question.strip():
        raise ValueError("Write the question the raters should answer.")
    labels = ws.store.current_labels(dimension)
    raters = sorted(labels[labels["transcript_id"] == transcript_id]["rater"].astype(str))
    ws.store.add_case_note(transcript_id, dimension, "question", who, question.strip())
    ws.store.reopen(
        transcript_id, raters, f"Question from {who} on {dimension}: {question.strip()}"
    )
    return raters


def mark_unclear(ws: Workspace, who: str, transcript_id: str, dimension: str, note: str) -> None:
    """Mark a case as showing that the guideline is unclear (listed for the schema's owner)."""
    ws.store.add_case_note(transcript_id, dimension, "guideline_unclear", who, note.strip())


def undecided_counts(ws: Workspace) -> dict[str, int]:
    """Per dimension, how many labeled item-dimensions have no gold yet."""
    left = ws.store.undecided()
    return {d: left.get(d, 0) for d in ws.schema.names}


def adjudication_queue(ws: Workspace, rule: Rule) -> pd.DataFrame:
    """Undecided item-dimensions (≥2 labels, no gold yet), most disputed first."""
    table = item_table(ws.store.current_labels(), ws.schema, rule)
    decided = ws.store.current_gold()[["transcript_id", "dimension"]]
    table = table.merge(decided, how="left", indicator=True)
    table = table[(table["_merge"] == "left_only") & table["consensus"].isna()]
    table = table[table["n_raters"] >= 2]
    return table.drop(columns=["_merge", "consensus"]).sort_values(
        ["spread", "transcript_id"], ascending=[False, True], ignore_index=True
    )


def adjudicate(
    ws: Workspace, who: str, transcript_id: str, dimension: str, value: str, note: str = ""
) -> Gold:
    """Record an adjudicator's gold decision (append-only; the latest row wins)."""
    dim = ws.schema.dimension(dimension)
    if value not in dim.value_names:
        raise ValueError(f"{value!r} is not a value of {dimension}")
    gold = Gold(
        transcript_id=transcript_id,
        dimension=dimension,
        value=value,
        method="adjudicated",
        who=who,
        note=note,
        schema_version=ws.schema_version,
    )
    ws.store.add_gold([gold])
    return gold
