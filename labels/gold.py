"""Consensus rules and adjudication: from rater labels to gold labels.

Rules never flip a coin: a tie, too few raters, or a spread too wide leaves the
item undecided, and undecided items go to an adjudicator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from labels import decision
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
    if rule.name == "majority":
        decided = decision.strict_majority(values)
        return decided[0] if decided else None
    top, n = Counter(values).most_common(1)[0]
    if rule.name == "unanimous":
        return top if n == len(values) else None
    scale = dim.scale
    ranks = sorted(scale.index(v) for v in values if v in scale)
    if len(ranks) != len(values) or ranks[-1] - ranks[0] > rule.max_spread:
        return None
    low, high = ranks[(len(ranks) - 1) // 2], ranks[len(ranks) // 2]
    if low != high and rule.even_ties == "adjudicate":
        return None
    return scale[high if rule.even_ties == "upper" else low]


TOO_FEW, TIE, SPREAD, RULE_DECIDES = "too_few_raters", "tie", "spread", "rule_decides"
REASONS = {
    TOO_FEW: "too few raters",
    TIE: "tie",
    SPREAD: "raters too far apart",
    RULE_DECIDES: "the rule decides, gold not yet written",
}
"""Why an item-dimension with labels has no gold, in the order pages and the CLI list them."""


def reason(values: list[str], dim: Dimension, rule: Rule) -> str | None:
    """Why `rule` leaves one item's ratings undecided (a key of `REASONS`), or None.

    Too few raters: fewer than `min_raters`. Median: a value off the scale or a spread
    wider than `max_spread` is `spread`; two different middle values, `tie`. Unanimous and
    majority: the most common value shared by two or more values is a `tie` ([a, b],
    [a, a, b, b]); any other disagreement is `spread` ([a, a, b] unanimous).
    """
    if decide(values, dim, rule) is not None:
        return None
    if len(values) < rule.min_raters:
        return TOO_FEW
    if rule.name == "median":
        ranks = [dim.scale.index(v) for v in values if v in dim.scale]
        off = len(ranks) != len(values) or max(ranks) - min(ranks) > rule.max_spread
        return SPREAD if off else TIE
    counts = Counter(values).most_common(2)
    return TIE if len(counts) == 2 and counts[0][1] == counts[1][1] else SPREAD


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
    """One row per transcript and dimension: raters' values, consensus, spread, and why
    it is undecided (`reason`, None when the rule decides).

    Vectorised over all item-dimensions at once (a Python loop per group took seconds at
    50,000 transcripts); `decide`, `spread` and `reason` are the per-item definitions it
    equals, which the tests check on random ratings under every rule.
    """
    columns = ["transcript_id", "dimension", "n_raters", "values", "consensus", "spread", "reason"]
    frames = [
        _dimension_table(part, schema.dimension(str(name)), rule)
        for name, part in labels.groupby("dimension", sort=False)
        if name in schema.names
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    return table.sort_values(["transcript_id", "dimension"], ignore_index=True)


def _dimension_table(part: pd.DataFrame, dim: Dimension, rule: Rule) -> pd.DataFrame:
    part = part.sort_values(["transcript_id", "rater"], kind="stable")
    value = part["value"].astype(str)
    pairs = (part["rater"].astype(str) + "=" + value).groupby(part["transcript_id"], sort=True)
    out = pd.DataFrame({"values": pairs.agg(", ".join)})
    out["n_raters"] = pairs.size()
    counts = pd.DataFrame({"t": part["transcript_id"], "v": value}).value_counts()
    top = counts.groupby(level="t").head(1)  # value_counts sorts by count, descending
    mode_n = pd.Series(top.to_numpy(), index=top.index.get_level_values("t"))
    mode_v = pd.Series(top.index.get_level_values("v"), index=mode_n.index)
    out["mode_n"], out["mode_v"] = mode_n, mode_v
    second = counts.groupby(level="t").nth(1)
    second_n = pd.Series(second.to_numpy(), index=second.index.get_level_values("t"))
    out["top_tied"] = second_n.reindex(out.index).eq(out["mode_n"])
    ranks = value.map({v: i for i, v in enumerate(dim.scale)})
    out = out.join(_rank_stats(part["transcript_id"], ranks))
    out["consensus"] = _consensus(out, dim, rule)
    out["reason"] = _reasons(out, rule)
    ordinal = dim.level == "ordinal" and len(dim.scale) > 0
    steps = (out["high"] - out["low"]).astype(float)
    out["spread"] = (1.0 - out["mode_n"] / out["n_raters"]).where(
        ~(ordinal & out["all_ranked"]), steps
    )
    out["dimension"] = dim.name
    return out.reset_index(names="transcript_id")


def _rank_stats(items: pd.Series, ranks: pd.Series) -> pd.DataFrame:
    """Per item: lowest and highest rank, the two middle ranks, whether every value ranks."""
    frame = pd.DataFrame({"t": items.to_numpy(), "r": ranks.to_numpy()})
    grouped = frame.groupby("t", sort=True)["r"]
    stats = pd.DataFrame({"low": grouped.min(), "high": grouped.max()})
    stats["all_ranked"] = grouped.count() == grouped.size()
    ordered = frame.dropna().sort_values(["t", "r"], kind="stable")
    position = ordered.groupby("t").cumcount()
    size = ordered.groupby("t")["r"].transform("size")
    stats["mid_low"] = ordered[position == (size - 1) // 2].set_index("t")["r"]
    stats["mid_high"] = ordered[position == size // 2].set_index("t")["r"]
    return stats


def _consensus(out: pd.DataFrame, dim: Dimension, rule: Rule) -> pd.Series:
    enough = out["n_raters"] >= rule.min_raters
    if rule.name == "unanimous":
        return out["mode_v"].where(enough & (out["mode_n"] == out["n_raters"]))
    if rule.name == "majority":
        won = decision.is_strict_majority(out["mode_n"], out["n_raters"])
        return out["mode_v"].where(enough & won)
    ok = enough & out["all_ranked"] & ((out["high"] - out["low"]) <= rule.max_spread)
    if rule.even_ties == "adjudicate":
        ok &= out["mid_low"] == out["mid_high"]
    pick = out["mid_high"] if rule.even_ties == "upper" else out["mid_low"]
    scale = pd.Series(dim.scale, dtype=object)
    chosen = pick.where(ok).map(lambda r: scale[int(r)] if pd.notna(r) else None)
    return chosen.astype(object).where(ok, None)


def _reasons(out: pd.DataFrame, rule: Rule) -> pd.Series:
    """`reason` for every row of a `_dimension_table` (consensus already set)."""
    if rule.name == "median":
        apart = ~out["all_ranked"] | ((out["high"] - out["low"]) > rule.max_spread)
    else:
        apart = ~out["top_tied"]
    chosen = np.select(
        [out["n_raters"] < rule.min_raters, apart.to_numpy(bool)], [TOO_FEW, SPREAD], TIE
    )
    return pd.Series(chosen, index=out.index, dtype=object).where(out["consensus"].isna(), None)


def project_rule(ws: Workspace) -> Rule:
    """The consensus rule the project's schema file chose."""
    p = ws.schema.project
    return Rule(p.consensus, p.min_raters, p.max_spread, p.median_even_ties)


def apply_consensus(ws: Workspace, rule: Rule | None = None) -> int:
    """Write gold for every item-dimension the rule decides; returns rows written."""
    return ws.store.add_gold(consensus_rows(ws, rule))


def consensus_rows(ws: Workspace, rule: Rule | None = None) -> list[Gold]:
    """The gold rows the rule would write now (what the Adjudicate page asks to confirm).

    Gold made by an adjudicator or an audit is never overridden. Gold made by a
    rule is rewritten (a new row) only when the rule now gives another value
    (`decision.replaces`).
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
        if not decision.replaces(rule.name, str(item.consensus), old):
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
    return rows


CONSENSUS_METHODS = decision.CONSENSUS_METHODS


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


@dataclass(frozen=True)
class Undecided:
    """The one count of undecided item-dimensions (labels, no gold), per dimension and
    reason (`REASONS`), that every page, the CLI and the data card report."""

    counts: dict[str, dict[str, int]]
    """dimension → reason → item-dimensions (every dimension and reason, zeros included)."""

    @classmethod
    def of(cls, items: pd.DataFrame, schema: Schema) -> Undecided:
        """The counts of an `undecided_items` table."""
        found = items.groupby(["dimension", "reason"]).size().to_dict() if len(items) else {}
        return cls({d: {r: int(found.get((d, r), 0)) for r in REASONS} for d in schema.names})

    def totals(self) -> dict[str, int]:
        """dimension → undecided item-dimensions."""
        return {d: sum(by.values()) for d, by in self.counts.items()}

    def total(self) -> int:
        """Undecided item-dimensions over all dimensions."""
        return sum(self.totals().values())

    def by_reason(self) -> dict[str, int]:
        """reason → undecided item-dimensions over all dimensions."""
        return {r: sum(by[r] for by in self.counts.values()) for r in REASONS}

    def sentence(self) -> str:
        """E.g. "91 undecided item-dimensions: 24 too few raters, 7 tie, 60 raters too far
        apart" (reasons with none left out)."""
        parts = [f"{n} {REASONS[r]}" for r, n in self.by_reason().items() if n]
        noun = "item-dimension" if self.total() == 1 else "item-dimensions"
        return f"{self.total()} undecided {noun}" + (": " + ", ".join(parts) if parts else "")


def undecided_items(ws: Workspace, rule: Rule | None = None) -> pd.DataFrame:
    """Every labeled item-dimension without gold, as `item_table` rows; `reason` says why
    (`RULE_DECIDES` where the rule gives a value whose gold is not written yet)."""
    rule = rule or project_rule(ws)
    table = item_table(ws.store.undecided_labels(), ws.schema, rule)
    table["reason"] = table["reason"].fillna(RULE_DECIDES)
    return table


def undecided(ws: Workspace, rule: Rule | None = None) -> Undecided:
    """How many labeled item-dimensions have no gold yet, per dimension and reason."""
    return Undecided.of(undecided_items(ws, rule), ws.schema)


def queue_of(items: pd.DataFrame) -> pd.DataFrame:
    """The adjudication queue among `undecided_items`: those the rule leaves undecided
    with two or more raters, most disputed first."""
    table = items[(items["reason"] != RULE_DECIDES) & (items["n_raters"] >= 2)]
    return table.drop(columns=["consensus"]).sort_values(
        ["spread", "transcript_id"], ascending=[False, True], ignore_index=True
    )


def adjudication_queue(ws: Workspace, rule: Rule) -> pd.DataFrame:
    """Undecided item-dimensions (≥2 labels, no gold yet), most disputed first."""
    return queue_of(undecided_items(ws, rule))


class QueueCache:
    """The adjudication queue kept between page runs, recomputed only when the data changed.

    Keyed on `Store.labels_and_gold_version`. After a decision made here, the decided case
    is dropped from the kept table when that decision is the only change since it was
    computed; anything else (another adjudicator, new labels) recomputes it.
    """

    def __init__(self, ws: Workspace, rule: Rule, state: MutableMapping[str, Any]) -> None:
        self.ws, self.rule, self.state = ws, rule, state

    def items(self) -> pd.DataFrame:
        """`undecided_items`, fresh for the data as it is now."""
        version = self.ws.store.labels_and_gold_version()
        kept = self.state.get("adjudication_queue")
        if kept is None or kept[0] != (version, self.rule):
            fresh = undecided_items(self.ws, self.rule)
            kept = ((version, self.rule), fresh, queue_of(fresh))
            self.state["adjudication_queue"] = kept
        items: pd.DataFrame = kept[1]
        return items

    def table(self) -> pd.DataFrame:
        """The queue as `adjudication_queue` gives it, fresh for the data as it is now."""
        self.items()
        table: pd.DataFrame = self.state["adjudication_queue"][2]
        return table

    def undecided(self) -> Undecided:
        """`undecided` of the kept items."""
        return Undecided.of(self.items(), self.ws.schema)

    def decide(self, who: str, transcript_id: str, dimension: str, value: str, note: str) -> Gold:
        """`adjudicate`, keeping the queue without that case when nothing else changed."""
        before = self.ws.store.labels_and_gold_version()
        row = adjudicate(self.ws, who, transcript_id, dimension, value, note)
        after = self.ws.store.labels_and_gold_version()
        kept = self.state.get("adjudication_queue")
        if kept is not None and kept[0] == (before, self.rule) and after[0] == before[0]:
            rest = [
                t[~((t["transcript_id"] == transcript_id) & (t["dimension"] == dimension))]
                for t in kept[1:]
            ]
            self.state["adjudication_queue"] = (
                (after, self.rule),
                *(t.reset_index(drop=True) for t in rest),
            )
        return row


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
    if decision.replaces(gold.method, value, None):  # always: the adjudicator ranks first
        ws.store.add_gold([gold])
    return gold
