"""The agreement report: labels from the store in, coefficients per dimension out.

Ratings of a dimension's not-applicable values (e.g. `na`) are set aside as
missing, because no ordinal or interval distance places them on the scale.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from labels import agreement
from labels.schema import Dimension
from labels.workspace import Workspace

Units = list[list[str | None]]


def units(labels: pd.DataFrame, dim: Dimension) -> tuple[Units, list[str]]:
    """(items × raters ratings with None for missing, rater ids) for one dimension."""
    rows = labels[(labels["dimension"] == dim.name) & ~labels["value"].isin(dim.na_values)]
    if rows.empty:
        return [], []
    # One current label per transcript and rater: a plain pivot, no aggregation needed.
    latest = rows.drop_duplicates(["transcript_id", "rater"], keep="last")
    wide = latest.pivot(index="transcript_id", columns="rater", values="value")
    cells = wide.to_numpy(dtype=object)
    cells[pd.isna(cells)] = None
    table: Units = cells.tolist()
    return table, [str(c) for c in wide.columns]


def dimension_figures(
    table: Units, dim: Dimension, n_resamples: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Every coefficient for one dimension, with a bootstrap 95% CI on alpha."""
    cats = dim.scale
    pairable = [u for u in table if sum(v is not None for v in u) >= 2]
    alpha = agreement.krippendorff_alpha(pairable, level=dim.level, categories=cats)
    low, high = agreement.bootstrap_alpha_ci(
        pairable, level=dim.level, categories=cats, n_resamples=n_resamples, seed=seed
    )
    return {
        "items": len(pairable),
        "alpha": alpha,
        "alpha_ci": [low, high],
        "percent_agreement": agreement.percent_agreement(pairable),
        "fleiss_kappa": agreement.fleiss_kappa(pairable, categories=cats),
        "gwet_ac1": agreement.gwet_ac1(pairable, categories=cats),
        "mean_cohen_kappa": agreement.mean_pairwise_cohen_kappa(pairable, categories=cats),
        "reading": agreement.interpret_alpha(alpha),
    }


def report(ws: Workspace, dimension: str | None = None, n_resamples: int = 1000) -> dict[str, Any]:
    """`{"dimensions": {name: figures}}` over each rater's current labels."""
    labels = ws.store.current_labels()
    out: dict[str, Any] = {}
    for dim in ws.schema.dimensions:
        if dimension and dim.name != dimension:
            continue
        table, raters = units(labels, dim)
        figures = dimension_figures(table, dim, n_resamples)
        out[dim.name] = {
            "items": figures.pop("items"),
            "raters": len(raters),
            "level": dim.level,
            **figures,
        }
    return {"dimensions": out}


def per_rater(ws: Workspace, dim: Dimension) -> pd.DataFrame:
    """Each rater's Cohen's kappa with every other rater on shared items, and their mean."""
    table, raters = units(ws.store.current_labels(dim.name), dim)
    rows = []
    for i, rater in enumerate(raters):
        kappas = [
            agreement.cohen_kappa(
                [u[i] for u in table],
                [u[j] for u in table],
                dim.scale,
                weights="linear" if dim.level == "ordinal" else None,
            )
            for j in range(len(raters))
            if j != i
        ]
        finite = [k for k in kappas if not math.isnan(k)]
        rows.append(
            {
                "rater": rater,
                "items": sum(u[i] is not None for u in table),
                "mean_kappa_with_others": sum(finite) / len(finite) if finite else math.nan,
            }
        )
    return pd.DataFrame(rows)


def over_time(ws: Workspace, dim: Dimension, freq: str = "D") -> pd.DataFrame:
    """Alpha on all labels made up to the end of each period (day by default).

    Each rater's latest label as of the period's end counts, so revisions show up
    on the day they were made.
    """
    history = ws.store.label_rows(dim.name)
    if history.empty:
        return pd.DataFrame(columns=["period", "items", "alpha"])
    history["period"] = history["created_at"].dt.tz_convert("UTC").dt.floor(freq)
    rows = []
    for period in sorted(history["period"].unique()):
        upto = history[history["period"] <= period].sort_values("created_at")
        current = upto.drop_duplicates(["transcript_id", "rater"], keep="last")
        table, _ = units(current, dim)
        pairable = [u for u in table if sum(v is not None for v in u) >= 2]
        alpha = agreement.krippendorff_alpha(pairable, level=dim.level, categories=dim.scale)
        rows.append({"period": period, "items": len(pairable), "alpha": alpha})
    return pd.DataFrame(rows)
