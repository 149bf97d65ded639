"""How an audit sample is drawn: strata, Neyman allocation, and the size to ask for.

Strata are what the grader said (yes on some yes/no dimension, or no) × condition, so
every item of the frame can be drawn: each stratum gets at least `MIN_PER_STRATUM` items
when the sample allows (all of it when it is smaller), and the rest goes by Neyman
allocation, in proportion to N_h · S_h, where S_h is the anticipated standard deviation of
the error indicator: sqrt(p_h (1 - p_h)) with p_h = (d + 1) / (r + 2), d of the r items
of the stratum with a reference disagreeing with the grader (Laplace's rule, so a stratum
with no reference yet counts as p_h = 1/2). The error rate is the estimand the allocation
serves; the false-positive, false-negative and prevalence estimates come from the same
sample (their simulated RMSE is in docs/coverage.md).

An item's inclusion probability is n_h / N_h of its stratum.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

MIN_PER_STRATUM = 2
Z95 = 1.959963984540054


def allocate(
    sizes: npt.ArrayLike,
    total: int,
    weights: npt.ArrayLike | None = None,
    minimum: int = 1,
) -> npt.NDArray[np.int64]:
    """How many items to draw from each stratum.

    `total` (at most all items) goes first `minimum` per stratum (capped at its size)
    when that fits, else one per non-empty stratum when that fits; the rest in proportion
    to weight × room left (weights default to 1: proportional), by largest remainders,
    ties to the earlier stratum.
    """
    n_h = np.asarray(sizes, dtype=np.int64)
    w = np.ones(n_h.size) if weights is None else np.asarray(weights, dtype=np.float64)
    alloc = np.zeros_like(n_h)
    remaining = int(min(total, n_h.sum()))
    for floor in (np.minimum(n_h, minimum), np.minimum(n_h, 1)):
        if remaining > 0 and floor.sum() <= remaining:
            alloc = floor.copy()
            remaining -= int(floor.sum())
            break
    while remaining > 0:
        room = n_h - alloc
        share = np.where(room > 0, np.maximum(w, 1e-9) * (room if weights is None else n_h), 0)
        quota = np.minimum(remaining * share / share.sum(), room)
        base = np.floor(quota).astype(np.int64)
        alloc += base
        remaining -= int(base.sum())
        for i in np.argsort(-(quota - base), kind="stable"):
            if remaining == 0:
                break
            if alloc[i] < n_h[i]:
                alloc[i] += 1
                remaining -= 1
    return alloc


def strata(items: pd.DataFrame) -> pd.DataFrame:
    """Per stratum (status × condition): N, reviewed, differs, anticipated p and S."""
    grouped = items.groupby(["status", "condition"], sort=True)
    table = grouped.agg(
        N=("transcript_id", "size"), reviewed=("reviewed", "sum"), differs=("differs", "sum")
    ).reset_index()
    p = (table["differs"] + 1) / (table["reviewed"] + 2)
    table["p"] = p
    table["sd"] = np.sqrt(p * (1 - p))
    table["stratum"] = table["status"] + " · " + table["condition"]
    return table


def neyman(table: pd.DataFrame, n: int, minimum: int = MIN_PER_STRATUM) -> npt.NDArray[np.int64]:
    """Sample sizes per stratum: the minimum each, the rest in proportion to N_h · S_h."""
    return allocate(table["N"].to_numpy(), n, table["sd"].to_numpy(), minimum)


def suggested_size(table: pd.DataFrame, width: float) -> int:
    """Items for a 95% interval of the error rate about `width` wide (Neyman allocation).

    Var(rate) ≈ (sum W_h S_h)² / n under Neyman allocation; n0 = (2 z sum W_h S_h / width)²,
    with the finite-population correction n = n0 / (1 + n0 / N) and at least the minimum
    per stratum.
    """
    if width <= 0:
        raise ValueError("the target width must be positive")
    big_n = float(table["N"].sum())
    if big_n == 0:
        return 0
    spread = float((table["N"] / big_n * table["sd"]).sum())
    n0 = (2 * Z95 * spread / width) ** 2
    n = math.ceil(n0 / (1 + n0 / big_n))
    floor = int(np.minimum(table["N"], MIN_PER_STRATUM).sum())
    return int(min(big_n, max(n, floor)))


def draw_sample(
    items: pd.DataFrame, n: int, seed: int = 0, minimum: int = MIN_PER_STRATUM
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(drawn items with stratum, status and inclusion_prob; the strata with N and n).

    `items` has transcript_id, status (what the grader said), condition, reviewed and
    differs (see `audit.frame`). Within a stratum, simple random sampling without
    replacement, from the items in id order so the seed alone decides the draw.
    """
    rng = np.random.default_rng(seed)
    table = strata(items)
    table["n"] = neyman(table, n, minimum)
    members = items.groupby(["status", "condition"], sort=True).indices
    ids = items["transcript_id"].to_numpy().astype(str)
    parts = []
    for row in table[table["n"] > 0].to_dict("records"):
        size, total = int(row["n"]), int(row["N"])
        pool = np.asarray(members[(row["status"], row["condition"])], dtype=np.int64)
        pool = pool[np.argsort(ids[pool], kind="stable")]
        chosen = np.sort(pool[rng.choice(len(pool), size=size, replace=False)])
        parts.append(
            pd.DataFrame(
                {
                    "transcript_id": ids[chosen],
                    "stratum": row["stratum"],
                    "status": row["status"],
                    "inclusion_prob": size / total,
                }
            )
        )
    columns = ["transcript_id", "stratum", "status", "inclusion_prob"]
    sample = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return sample, table[["stratum", "status", "condition", "N", "n", "p"]]
