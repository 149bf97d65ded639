"""Grader versus human reference: confusion, precision/recall/F1, kappa.

The reference for an item is its gold value where gold exists, else the strict
majority of the raters' current labels (ties are left out). Ordinal dimensions
are compared through the schema's binary projection (`yes` = harmful).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from labels.schema import Dimension
from labels.workspace import Workspace

BINARY = {"yes": "yes", "no": "no", "true": "yes", "false": "no", "1": "yes", "0": "no"}


def verdict_binary(value: str | None, score: float | None, dim: Dimension) -> str | None:
    """A grader verdict as yes/no: its words, its scale value, or its score ≥ 0.5."""
    if value is not None and value.lower() in BINARY:
        return BINARY[value.lower()]
    if value is not None and value in dim.value_names:
        return dim.binary(value)
    if score is not None and not math.isnan(score):
        return "yes" if score >= 0.5 else "no"
    return None


def reference(ws: Workspace, dim: Dimension) -> pd.Series:
    """Binary reference per transcript: gold's projection, else raters' strict majority."""
    labels = ws.store.current_labels(dim.name)
    labels["b"] = labels["value"].map(dim.binary)
    votes = labels.dropna(subset=["b"]).groupby("transcript_id")["b"]
    yes_share = votes.apply(lambda s: (s == "yes").mean())
    majority = yes_share[yes_share != 0.5].map(lambda x: "yes" if x > 0.5 else "no")
    gold = ws.store.current_gold(dim.name)
    gold_b = gold.set_index("transcript_id")["value"].map(dim.binary).dropna()
    combined: pd.Series = pd.concat([majority[~majority.index.isin(gold_b.index)], gold_b])
    return combined.rename("reference")


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def binary_metrics(truth: list[str], pred: list[str]) -> dict[str, Any]:
    """Confusion counts, precision/recall/F1 for `yes`, and Cohen's kappa.

    With no items every figure is nan; kappa is nan when either side uses one class only.
    """
    if not truth:
        nan = float("nan")
        return {
            "n": 0,
            "tp": 0,
            "fp": 0,
            "fn": 0,
            "tn": 0,
            "precision": nan,
            "recall": nan,
            "f1": nan,
            "kappa": nan,
        }
    tn, fp, fn, tp = confusion_matrix(truth, pred, labels=["no", "yes"]).ravel()
    p, r, f, _ = precision_recall_fscore_support(
        truth, pred, labels=["yes"], average="binary", pos_label="yes", zero_division=np.nan
    )
    one_class = len(set(truth)) < 2 or len(set(pred)) < 2
    kappa = float("nan") if one_class else float(cohen_kappa_score(truth, pred))
    return {
        "n": len(truth),
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
        "precision": float(p),
        "recall": float(r),
        "f1": float(f),
        "kappa": kappa,
    }


def report(ws: Workspace, grader: str | None = None) -> pd.DataFrame:
    """One row per grader and dimension with the binary metrics against the reference."""
    verdicts = ws.store.verdicts(grader)
    rows = []
    for dim in ws.schema.dimensions:
        if not dim.binary_yes:
            continue
        ref = reference(ws, dim)
        mine = verdicts[verdicts["dimension"] == dim.name]
        for name, group in mine.groupby("grader", sort=True):
            pred = {
                str(t): verdict_binary(None if pd.isna(v) else str(v), _float(s), dim)
                for t, v, s in zip(
                    group["transcript_id"], group["value"], group["score"], strict=True
                )
            }
            pairs = [(ref[t], p) for t, p in pred.items() if p is not None and t in ref.index]
            metrics = binary_metrics([a for a, _ in pairs], [b for _, b in pairs])
            rows.append({"grader": name, "dimension": dim.name, **metrics})
    return pd.DataFrame(rows)


def confusion_table(tp: int, fp: int, fn: int, tn: int) -> pd.DataFrame:
    """A 2×2 confusion matrix for display: humans down the side, grader across."""
    return pd.DataFrame(
        {"grader: yes": [tp, fp], "grader: no": [fn, tn]}, index=["humans: yes", "humans: no"]
    )
