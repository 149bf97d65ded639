"""The decision rule every gold writer goes through: when raters' values decide an item
(strict majority), and which gold stands against which writer (one ranking of methods).

Strict majority: a value held by strictly more than half of the ratings; a tie decides
nothing. `is_strict_majority` is the test itself, on numbers or on numpy/pandas arrays
(the vectorised paths: `gold.item_table`, `graders.calibration.reference_codes`);
`strict_majority` applies it to one item's values (`gold.decide`, `graders.audit.resolve`).

Ranking: adjudicated > audit > consensus (unanimous, majority, median). The adjudicator's
decision always writes a new row (the latest row is current gold). Any other writer
replaces current gold only when that gold has its own rank and another value: consensus
never overrides an audit or an adjudication, and an audit never overrides an adjudication
or a consensus gold written since its draw (gold from before the draw is not counted
against it: `graders.audit.resolve` passes only gold written since). Gold with a method
outside the ranking stands against every writer but the adjudicator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

CONSENSUS_METHODS = ("unanimous", "majority", "median")
METHOD_RANK: dict[str, int] = {**dict.fromkeys(CONSENSUS_METHODS, 0), "audit": 1, "adjudicated": 2}
TOP_RANK = max(METHOD_RANK.values())

N = TypeVar("N")


def is_strict_majority(count: N, total: Any) -> N:
    """count > total / 2 (as count * 2 > total), elementwise on arrays."""
    result: N = count * 2 > total  # type: ignore[operator]
    return result


def strict_majority(values: Sequence[str]) -> tuple[str, int] | None:
    """The value more than half of `values` hold, with its count; None on a tie or no values."""
    if not values:
        return None
    top, count = Counter(values).most_common(1)[0]
    return (top, count) if is_strict_majority(count, len(values)) else None


def replaces(method: str, value: str, current: tuple[str, str] | None) -> bool:
    """Whether a writer of `method` giving `value` writes over `current` gold (its method
    and value; None: no gold counts against it), under the ranking above."""
    rank = METHOD_RANK[method]
    if current is None or rank == TOP_RANK:
        return True
    old_method, old_value = current
    return METHOD_RANK.get(old_method) == rank and old_value != value
