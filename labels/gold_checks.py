"""Gold checks: items that already have gold, sent to raters who never had them.

A lead sends them (`python -m labels gold-check`, the Admin page); the queue gives them
out blind among each rater's work, about one item in `[project] gold_check_share`
(`store.queue`: they wait as queued assignments and change no item's count of raters);
the raters view compares the labels made on them with the gold (`labels.raters`: gold
that stood before the rater labeled the item).

Gold made by an adjudicator or an audit is used by default: a consensus is the raters' own
vote, so checking raters against it only checks them against each other. `consensus`
also takes consensus gold (unanimous, majority, median). The items are chosen per rater
in the project's seeded order, so the same call on the same data sends the same items.
"""

from __future__ import annotations

from dataclasses import dataclass

from labels.decision import CONSENSUS_METHODS, METHOD_RANK
from labels.workspace import Workspace

TRUSTED = tuple(
    sorted((m for m in METHOD_RANK if METHOD_RANK[m] > 0), key=lambda m: -METHOD_RANK[m])
)
"""Gold no rater's vote made, highest rank first: adjudicated, audit."""


@dataclass(frozen=True)
class Sent:
    """What one sending did: per rater, the checks sent and the items there were to send."""

    asked: int
    """Gold checks asked for per rater."""
    per_rater: dict[str, tuple[int, int]]
    """Rater id → (sent, gold items they had not had)."""
    methods: tuple[str, ...]
    share: float
    """The project's `gold_check_share`."""

    @property
    def total(self) -> int:
        return sum(sent for sent, _ in self.per_rater.values())

    def short(self) -> list[str]:
        """The raters who got fewer than asked for."""
        return [r for r, (sent, _) in self.per_rater.items() if sent < self.asked]

    def sentence(self) -> str:
        """What was sent, and why fewer than asked for when it was fewer, in words."""
        kind = "gold (" + ", ".join(self.methods) + ")"
        if not self.per_rater:
            return "Sent no gold checks: there is no active rater to send them to."
        if self.total == 0:
            more = "adjudicate items or resolve an audit" + (
                "" if set(CONSENSUS_METHODS) <= set(self.methods) else ", or include consensus gold"
            )
            return (
                f"Sent no gold checks: these raters have already had every item with {kind}, "
                f"if there is any. For more, {more}."
            )
        n = len(self.per_rater)
        got = sum(1 for sent, _ in self.per_rater.values() if sent)
        text = f"Sent {self.total:,} gold checks to {got}" + (f" of {n}" if got < n else "")
        text += f" rater{'s' if n > 1 else ''}"
        short = self.short()
        if not short:
            text += f", {self.asked} each." if n > 1 else "."
        else:
            named = ", ".join(f"{r} ({self.per_rater[r][0]})" for r in short[:10])
            more = f" and {len(short) - 10} more" if len(short) > 10 else ""
            text += (
                f" (asked for {self.asked} each). Fewer for {named}{more}: that is every item "
                f"with {kind} they had not already had."
            )
        return text + (
            f" They come among each rater's items, about {self.share:.0%} of them, unmarked "
            "(the rest when nothing else is left); the Raters page counts them."
            if self.share
            else " They come once nothing else is left for the rater (gold_check_share is 0)."
        )


def targets(ws: Workspace, raters: list[str] | None) -> list[str]:
    """The named raters, each checked to be an active person; else every active rater."""
    people = {p.id: p for p in ws.store.raters()}
    if not raters:
        return [p.id for p in people.values() if p.active and p.role == "rater"]
    for who in raters:
        if who not in people:
            raise ValueError(f"there is no person {who!r} (`python -m labels raters list`)")
        if not people[who].active:
            raise ValueError(f"{who} is inactive and gets no items; make them active first")
    return list(dict.fromkeys(raters))


def send(
    ws: Workspace, per_rater: int, raters: list[str] | None = None, consensus: bool = False
) -> Sent:
    """Send `per_rater` gold checks to each of `raters` (default: every active rater)."""
    if per_rater < 1:
        raise ValueError(f"the number of gold checks per rater must be at least 1, not {per_rater}")
    methods = TRUSTED + (CONSENSUS_METHODS if consensus else ())
    who = targets(ws, raters)
    project = ws.schema.project
    found = (
        ws.store.send_gold_checks(who, per_rater, methods, project.raters_per_item, project.seed)
        if who
        else {}
    )
    return Sent(per_rater, found, methods, project.gold_check_share)
