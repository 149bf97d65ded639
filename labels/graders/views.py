"""What the graders page and the CLI show, shaped from `labels.graders.calibration`'s figures:
the flat summary, the kappa chart's rows, the disagreement browser's list and details.

No Streamlit here (pages stay thin): DataFrames in and out, and one pair's figures typed
(`calibration.PairSummary`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from labels import labeling
from labels.graders import calibration
from labels.graders import map as grader_map
from labels.graders.map import GraderMap
from labels.intervals import Interval
from labels.schema import Schema
from labels.workspace import Workspace

SUMMARY_COLUMNS = {
    "grader": "grader",
    "dimension": "dimension",
    "n": "items",
    "reference": "reference",
    "precision": "precision",
    "precision_low": "precision low",
    "precision_high": "precision high",
    "recall": "recall",
    "recall_low": "recall low",
    "recall_high": "recall high",
    "f1": "F1",
    "f1_low": "F1 low",
    "f1_high": "F1 high",
    "kappa": "κ",
    "kappa_low": "κ low",
    "kappa_high": "κ high",
    "human_kappa": "humans κ (unweighted)",
    "ac1": "AC1",
    "ac1_low": "AC1 low",
    "ac1_high": "AC1 high",
    "grader_positive_rate": "grader says yes",
    "reference_positive_rate": "humans say yes",
    "roc_auc": "ROC-AUC",
    "brier": "Brier",
    "best_threshold_raw": "best threshold",
    "scale_n": "scale items",
    "scale_kappa": "scale κ",
    "scale_kappa_low": "scale κ low",
    "scale_kappa_high": "scale κ high",
    "human_scale_kappa": "humans scale κ (linear on ordinal)",
}


RATES = ("precision", "recall", "f1")
LOW_HIGH = ((0, "low"), (1, "high"))


def _split(values: pd.Series, part: int) -> list[float]:
    return [v[part] if isinstance(v, list | tuple) else math.nan for v in values]


def summary_view(table: pd.DataFrame) -> pd.DataFrame:
    """One flat row per grader and dimension, columns named for people (CIs as low/high)."""
    if table.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS.values()))
    flat = table.assign(
        reference=[
            f"{g} gold · {m} majority"
            for g, m in zip(table["gold_items"], table["majority_items"], strict=True)
        ],
        **{f"{k}_{end}": _split(table[f"{k}_ci"], i) for k in RATES for i, end in LOW_HIGH},
        kappa_low=_split(table["kappa_ci"], 0),
        kappa_high=_split(table["kappa_ci"], 1),
        ac1_low=_split(table["ac1_ci"], 0),
        ac1_high=_split(table["ac1_ci"], 1),
        scale_kappa_low=_split(table["scale_kappa_ci"], 0),
        scale_kappa_high=_split(table["scale_kappa_ci"], 1),
    )
    for col in ("human_kappa", "human_scale_kappa"):
        if col not in flat:
            flat[col] = math.nan
    return flat[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)


def kappa_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows for `charts.kappa_beside_humans`: the pairs compared on yes/no."""
    rows = table[table["n"] > 0] if not table.empty else table
    if rows.empty:
        return pd.DataFrame(columns=["label", "kappa", "kappa_low", "kappa_high", "human_kappa"])
    human = rows.get("human_kappa", math.nan)
    return pd.DataFrame(
        {
            "label": rows["grader"] + " · " + rows["dimension"],
            "kappa": rows["kappa"],
            "kappa_low": _split(rows["kappa_ci"], 0),
            "kappa_high": _split(rows["kappa_ci"], 1),
            "human_kappa": human,
        }
    ).reset_index(drop=True)


def fmt(value: float | None, spec: str) -> str:
    """A number for people: formatted with `spec`, or "–" when it is missing or nan."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, spec)


def ci_text(ci: Interval) -> str:
    """ "95% CI 0.52 – 0.81", or why there is none."""
    low, high = ci
    if math.isnan(low):
        return "no interval (no item to count)"
    return f"95% CI {low:.2f} – {high:.2f}"


def pair_row(table: pd.DataFrame, grader: str, dimension: str) -> calibration.PairSummary | None:
    """The summary figures of one grader and dimension (None when the table has none)."""
    match = table[(table["grader"] == grader) & (table["dimension"] == dimension)]
    return calibration.summary_rows(match.head(1))[0] if len(match) else None


def breakdown_view(comp: pd.DataFrame, by: str, grader: str, dimension: str) -> pd.DataFrame:
    """`calibration.breakdown` of one grader and dimension, flat, largest groups first."""
    rows = comp[(comp["grader"] == grader) & (comp["dimension"] == dimension)]
    table = calibration.breakdown(rows, by)
    if table.empty:
        return table
    table = table.assign(
        kappa_low=_split(table["kappa_ci"], 0), kappa_high=_split(table["kappa_ci"], 1)
    )
    cols = [by, "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "kappa"]
    cols += ["kappa_low", "kappa_high", "grader_positive_rate", "reference_positive_rate"]
    names = {"n": "items", "f1": "F1", "kappa": "κ", "kappa_low": "κ low"}
    names |= {"kappa_high": "κ high", "grader_positive_rate": "grader says yes"}
    names |= {"reference_positive_rate": "humans say yes"}
    ordered = table[cols].sort_values(["n", by], ascending=[False, True], ignore_index=True)
    return ordered.rename(columns=names)


# -- the disagreement browser -----------------------------------------------------------


def disagreements(
    comp: pd.DataFrame,
    schema: Schema,
    grader: str | None = None,
    dimension: str | None = None,
    condition: str | None = None,
) -> pd.DataFrame:
    """Items where grader and reference differ, in words: on yes/no, or, for dimensions
    without a projection, on the scale (`gap` = scale steps apart). Largest gap first."""
    rows = comp
    for col, want in (("grader", grader), ("dimension", dimension), ("condition", condition)):
        if want is not None:
            rows = rows[rows[col] == want]
    ref, pred = rows["ref"].to_numpy(int), rows["pred"].to_numpy(int)
    gap = np.full(len(rows), np.nan)
    for dim in schema.dimensions:
        mine = (rows["dimension"] == dim.name).to_numpy()
        a = calibration.on_scale(rows["ref_value"].to_numpy(int)[mine], dim)
        b = calibration.on_scale(rows["pred_value"].to_numpy(int)[mine], dim)
        gap[mine] = np.where((a >= 0) & (b >= 0), np.abs(a - b), np.nan)
    binary = (ref >= 0) & (pred >= 0)
    differs = np.where(binary, ref != pred, gap > 0)
    out = calibration.readable(rows[differs], schema).assign(gap=gap[differs])
    out = out.assign(
        grader_says=_said(out["pred_value"], out["pred"]),
        humans_say=_said(out["ref_value"], out["ref"]),
    )
    out = out.sort_values(
        ["grader", "dimension", "gap", "transcript_id"], ascending=[True, True, False, True]
    )
    cols = ["grader", "dimension", "grader_says", "score", "humans_say", "source", "gap"]
    cols += ["condition", "model", "transcript_id"]
    return out[cols].rename(columns={"source": "reference"}).reset_index(drop=True)


def _said(values: pd.Series, binary: pd.Series) -> list[str]:
    """A scale value with its yes/no ("implicit_threat (yes)"), or whichever there is."""
    out = []
    for v, b in zip(values, binary, strict=True):
        value = None if pd.isna(v) else str(v)
        yes_no = None if pd.isna(b) else str(b)
        out.append(f"{value} ({yes_no})" if value and yes_no else value or yes_no or "")
    return out


def item_detail(
    ws: Workspace, transcript_id: str, grader: str, dimension: str, gmap: GraderMap | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the grader's verdicts answering `dimension`, with explanations; the raters' current
    labels with rationale and evidence): the two sides the disagreement browser shows."""
    gmap = ws.grader_map if gmap is None else gmap
    verdicts = ws.store.verdict_text(grader, transcript_id)
    keep = [
        grader_map.answers(gmap, ws.schema, grader, str(f), d if isinstance(d, str) else None)
        == dimension
        for f, d in zip(verdicts["field"], verdicts["dimension"], strict=True)
    ]
    labels = ws.store.case_labels(transcript_id, dimension)  # not every label of it: 1.3 s
    humans = pd.DataFrame(
        {
            "rater": labels["rater"].to_numpy(),
            "value": labels["value"].to_numpy(),
            "rationale": labels["rationale"].to_numpy(),
            "evidence": [labeling.evidence_text(e) for e in labels["evidence"]],
        }
    )
    return verdicts[keep].reset_index(drop=True), humans
