"""Grader versus human reference: confusion, precision/recall/F1, kappa and AC1 with CIs,
leniency, ROC-AUC/Brier/reliability for scored graders, the full scale, breakdowns.

The reference for an item is its current gold value (`reference="gold"`, the default),
or with `reference="gold+majority"` the gold value where gold exists, else the strict
majority of the raters' current labels (ties are left out); every figure says how many
items each gave. Ordinal dimensions are compared through the schema's binary projection
(harmful = `yes`), and also on the full scale where the grader gives a value of the
scale (linear weighted kappa for ordinal dimensions). How grader fields map to
dimensions and scores to yes/no is `labels.graders.map`'s business; the figures and
intervals of a confusion table are `labels.graders.figures`' (its maths
`labels.graders.metrics`'); this module joins them to the store.

The comparison frame codes values as integers so 100,000 items stay fast: `pred` and
`ref` are 1 yes, 0 no, -1 none; `pred_value` and `ref_value` are positions in the
dimension's `value_names` (-1 none); `source` is 1 gold, 0 majority, -1 no reference.
`readable` turns a (small) frame back into words.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from labels import decision, jsonout
from labels.graders import map as grader_map
from labels.graders import metrics as gm
from labels.graders.figures import (
    N_RESAMPLES,
    BinaryFigures,
    Figures,
    ScaleFigures,
    binary_figures,
    scale_table_figures,
)
from labels.graders.map import GraderMap, GraderSettings, projection, value_codes
from labels.schema import Dimension, Schema
from labels.workspace import Workspace

ReferenceKind = Literal["gold", "gold+majority"]
REFERENCES: tuple[ReferenceKind, ...] = get_args(ReferenceKind)
JSON_KEYS = (
    *("n", "tp", "fp", "fn", "tn", "precision", "precision_ci", "recall", "recall_ci"),
    *("f1", "f1_ci", "kappa", "kappa_ci", "kappa_ci_note", "gold_items", "majority_items"),
)
BREAKDOWNS = ("scenario", "condition", "model")
NO_VALUE = "(none)"
MIN_DISTINCT_SCORES = 3  # a grader whose scores are only 0/1 is a binary grader
COMPARISON_COLUMNS = [
    "grader",
    "dimension",
    "transcript_id",
    "pred",
    "pred_value",
    "score",
    "ref",
    "ref_value",
    "source",
    "model",
    "scenario",
    "condition",
]


# -- the human reference ------------------------------------------------------------


def positions(keys: pd.Series, universe: pa.Array) -> gm.IntArray:
    """Each key's position in `universe` (-1 when absent), by Arrow's hash lookup."""
    found = pc.index_in(pa.array(keys.array, type=pa.string()), value_set=universe)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass(frozen=True)
class Reference:
    """The reference of one dimension for every transcript of `universe`, as codes."""

    ref: gm.IntArray
    """1 yes, 0 no, -1 none."""
    value: gm.IntArray
    """Position in the dimension's `value_names`, -1 none."""
    source: gm.IntArray
    """1 gold, 0 raters' strict majority, -1 no reference."""


def reference_codes(
    labels: pd.DataFrame,
    gold: pd.DataFrame,
    dim: Dimension,
    universe: pa.Array,
    reference: ReferenceKind = "gold+majority",
) -> Reference:
    """The reference per transcript of `universe` (codes as in the module docstring).

    `labels`: one current value per rater and transcript (`Store.label_values`); `gold`:
    one current value per transcript (`Store.gold_values`). Gold decides both where it
    exists; elsewhere the strict majority of values, and separately of yes/no, so raters
    at none/implicit_threat/explicit_threat give ref yes but no value. Ties: none.
    """
    n, k = len(universe), len(dim.value_names)
    item = positions(labels["transcript_id"], universe)
    code = value_codes(labels["value"], dim.value_names)
    ok = (code >= 0) & (item >= 0)
    counts = np.bincount(item[ok] * k + code[ok], minlength=n * k).reshape(n, k)
    top = counts.argmax(axis=1)
    won = decision.is_strict_majority(counts[np.arange(n), top], counts.sum(axis=1))
    proj = projection(dim)
    yes, no = counts[:, proj == 1].sum(axis=1), counts[:, proj == 0].sum(axis=1)
    said = yes + no
    ref = np.where(
        decision.is_strict_majority(yes, said),
        1,
        np.where(decision.is_strict_majority(no, said), 0, -1),
    )
    value = np.where(won, top, -1)
    source = np.where((ref >= 0) | (value >= 0), 0, -1)
    if reference == "gold":
        ref, value, source = np.full(n, -1), np.full(n, -1), np.full(n, -1)
    at = positions(gold["transcript_id"], universe)
    decided = value_codes(gold["value"], dim.value_names)[at >= 0]
    at = at[at >= 0]
    ref[at], value[at], source[at] = np.r_[proj, -1][decided], decided, 1
    return Reference(ref, value, source)


def reference_frame(ws: Workspace, dim: Dimension) -> pd.DataFrame:
    """Per transcript with a reference: ref (yes/no/None), ref_value and source, in words."""
    ids = ws.store.transcript_strata()["transcript_id"]
    universe = pa.array(ids.array, type=pa.string())
    r = reference_codes(
        ws.store.label_values(dim.name), ws.store.gold_values(dim.name), dim, universe
    )
    has = r.source >= 0
    return pd.DataFrame(
        {
            "transcript_id": ids.to_numpy()[has],
            "ref": pd.Series(_words(r.ref[has], ["no", "yes"]), dtype=object),
            "ref_value": pd.Series(_words(r.value[has], dim.value_names), dtype=object),
            "source": pd.Series(_words(r.source[has], ["majority", "gold"]), dtype=object),
        }
    )


def reference(ws: Workspace, dim: Dimension) -> pd.Series:
    """Binary reference per transcript, yes/no (items without one left out)."""
    frame = reference_frame(ws, dim).dropna(subset=["ref"])
    return pd.Series(frame["ref"].to_numpy(), index=frame["transcript_id"], name="reference")


def _words(codes: gm.IntArray, names: list[str]) -> npt.NDArray[np.object_]:
    lookup = np.array([*names, None], dtype=object)
    return np.asarray(lookup[np.where(codes < 0, len(names), codes)], dtype=object)


# -- grader readings joined to the reference --------------------------------------------


def comparisons(
    ws: Workspace,
    grader: str | None = None,
    gmap: GraderMap | None = None,
    labels: dict[str, pd.DataFrame] | None = None,
    reference: ReferenceKind = "gold",
) -> pd.DataFrame:
    """One row per grader, dimension and transcript the grader judged, with the reference
    (`gold`, or `gold+majority`: gold, else the raters' strict majority).

    Items without a reference keep ref/ref_value/source -1 (the audit frame needs them).
    `labels` (dimension -> `Store.label_values`) saves reading them twice.
    """
    gmap = ws.grader_map if gmap is None else gmap
    preds = grader_map.predictions(ws.store.verdict_values(grader), gmap, ws.schema)
    if preds.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    strata = ws.store.transcript_strata()
    universe = pa.array(strata["transcript_id"].array, type=pa.string())
    at = positions(preds["transcript_id"], universe)
    cols = {c: np.full(len(preds), -1, dtype=np.int64) for c in ("ref", "ref_value", "source")}
    dims = preds["dimension"].to_numpy()
    for name in pd.unique(dims):
        dim = ws.schema.dimension(str(name))
        if labels:
            values = labels[dim.name]
        elif reference == "gold":  # the raters' values are not read: gold alone decides
            values = pd.DataFrame({"transcript_id": [], "rater": [], "value": []}, dtype=str)
        else:
            values = ws.store.label_values(dim.name)
        r = reference_codes(values, ws.store.gold_values(dim.name), dim, universe, reference)
        mine = (dims == name) & (at >= 0)
        for col, codes in (("ref", r.ref), ("ref_value", r.value), ("source", r.source)):
            cols[col][mine] = codes[at[mine]]
    frame = preds.assign(**cols)
    for col in ("model", "scenario", "condition"):
        values = pa.array(strata[col].array, type=pa.string())
        if col == "condition":
            values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        found = pa.array(at, mask=(at < 0) | (len(values) == 0))  # null: no such transcript
        frame[col] = values.take(found).to_pandas().set_axis(frame.index)
    return frame[COMPARISON_COLUMNS]


def readable(comp: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """A (small) comparison frame with words (or None) for pred, ref, values and source."""
    names = {d.name: [*d.value_names] for d in schema.dimensions}
    dims = comp["dimension"].to_numpy()

    def values(col: str) -> pd.Series:
        codes = comp[col].to_numpy(int)
        words = [names[d][c] if c >= 0 else None for d, c in zip(dims, codes, strict=True)]
        return pd.Series(words, index=comp.index, dtype=object)

    def words(col: str, vocabulary: list[str]) -> pd.Series:
        return pd.Series(
            _words(comp[col].to_numpy(int), vocabulary), index=comp.index, dtype=object
        )

    return comp.assign(
        pred=words("pred", ["no", "yes"]),
        ref=words("ref", ["no", "yes"]),
        source=words("source", ["majority", "gold"]),
        pred_value=values("pred_value"),
        ref_value=values("ref_value"),
    )


# -- figures for one grader and dimension ------------------------------------------------


def binary_metrics(
    truth: list[str], pred: list[str], n_resamples: int = N_RESAMPLES
) -> BinaryFigures:
    """`binary_figures` for two parallel lists of yes/no."""
    lookup = {"no": 0, "yes": 1}
    ref = np.array([lookup.get(v, -1) for v in truth], dtype=np.int64)
    grader = np.array([lookup.get(v, -1) for v in pred], dtype=np.int64)
    return binary_figures(gm.table(ref, grader, 2), n_resamples)


@dataclass(frozen=True)
class ScoredFigures(Figures):
    """A scored grader's ROC-AUC, Brier, ECE and kappa-best threshold (all nan when the
    grader gives no usable scores)."""

    scored_n: float
    roc_auc: float
    brier: float
    ece: float
    best_threshold: float
    """On the normalised scale."""
    best_threshold_raw: float
    """On the grader's own scale."""
    best_threshold_kappa: float

    @property
    def present(self) -> bool:
        """Whether there are scored-grader figures (ROC-AUC or Brier)."""
        return not (math.isnan(self.roc_auc) and math.isnan(self.brier))


NO_SCORES = ScoredFigures(*[math.nan] * 7)


def scored_figures(
    truth: gm.BoolArray, score: gm.FloatArray, settings: GraderSettings
) -> ScoredFigures:
    """ROC-AUC, Brier, ECE and the kappa-best threshold (normalised and on the raw scale)."""
    threshold, best_kappa = gm.best_threshold(truth, score)
    return ScoredFigures(
        scored_n=int(truth.size),
        roc_auc=gm.roc_auc(truth, score),
        brier=gm.brier(truth, score),
        ece=gm.expected_calibration_error(gm.reliability(truth, score)),
        best_threshold=threshold,
        best_threshold_raw=settings.raw_threshold(threshold),
        best_threshold_kappa=best_kappa,
    )


def on_scale(codes: gm.IntArray, dim: Dimension) -> gm.IntArray:
    """`value_names` positions to `scale` positions (-1 for not-applicable or none)."""
    to_scale = np.array(
        [*[dim.scale.index(v) if v in dim.scale else -1 for v in dim.value_names], -1]
    )
    return np.asarray(to_scale[np.where(codes < 0, len(dim.value_names), codes)], dtype=np.int64)


def scale_counts(rows: pd.DataFrame, dim: Dimension) -> gm.IntArray:
    """k×k counts over the scale (reference rows, grader columns), not-applicable aside."""
    ref = on_scale(rows["ref_value"].to_numpy(int), dim)
    pred = on_scale(rows["pred_value"].to_numpy(int), dim)
    return gm.table(ref, pred, len(dim.scale))


def scale_figures(
    rows: pd.DataFrame, dim: Dimension, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> ScaleFigures:
    """Full-scale agreement where both sides give a scale value: n, exact agreement, kappa
    (linear weights for ordinal dimensions) with a BCa 95% CI (`scale_table_figures`)."""
    weights: gm.Weights = "linear" if dim.level == "ordinal" else None
    return scale_table_figures(scale_counts(rows, dim), weights, n_resamples, seed)


@dataclass(frozen=True)
class PairFigures:
    """Every figure for one grader and dimension: yes/no, where the reference came from,
    scores, full scale."""

    binary: BinaryFigures
    gold_items: int
    """Items the grader answered whose reference is gold."""
    majority_items: int
    """Items the grader answered whose reference is the raters' strict majority."""
    unreviewed: int
    """Items without a reference."""
    threshold: float | None
    scored: ScoredFigures
    scale: ScaleFigures

    def row(self) -> dict[str, object]:
        """One flat table row (the columns of `summary`, after grader and dimension)."""
        own = {k: getattr(self, k) for k in ("gold_items", "majority_items", "unreviewed")}
        own["threshold"] = self.threshold
        return self.binary.row() | own | self.scored.row() | self.scale.row()


def pair_figures(
    rows: pd.DataFrame, dim: Dimension, settings: GraderSettings, n_resamples: int = N_RESAMPLES
) -> PairFigures:
    """Every figure for one grader and dimension from its comparison rows."""
    ref, pred = rows["ref"].to_numpy(int), rows["pred"].to_numpy(int)
    source = rows["source"].to_numpy(int)
    said = (pred >= 0) | (rows["pred_value"].to_numpy(int) >= 0)
    score = rows["score"].to_numpy(float)
    scored = (ref >= 0) & ~np.isnan(score)
    scores = NO_SCORES
    if dim.binary_yes and np.unique(score[scored]).size >= MIN_DISTINCT_SCORES:
        scores = scored_figures(ref[scored] == 1, score[scored], settings)
    return PairFigures(
        binary=binary_figures(gm.table(ref, pred, 2), n_resamples),
        gold_items=int(((source == 1) & said).sum()),
        majority_items=int(((source == 0) & said).sum()),
        unreviewed=int((source < 0).sum()),
        threshold=settings.threshold,
        scored=scores,
        scale=scale_figures(rows, dim, n_resamples),
    )


_F = TypeVar("_F", BinaryFigures, ScoredFigures, ScaleFigures)
PerDimensionJson = dict[str, dict[str, object]]


@dataclass(frozen=True)
class PairSummary:
    """One row of `summary`: a grader and dimension, its figures, the humans beside it."""

    grader: str
    dimension: str
    figures: PairFigures
    human_kappa: float = math.nan
    """Raters' mean pairwise Cohen's kappa on yes/no."""
    human_scale_kappa: float = math.nan
    """Raters' mean pairwise kappa on the scale (linear weights on ordinal)."""

    def to_json(self) -> dict[str, object]:
        """The figures `graders report --json` prints (`JSON_KEYS`), NaN as None."""
        flat = self.figures.row()
        return {k: jsonout.finite(flat[k]) for k in JSON_KEYS}

    @classmethod
    def from_record(cls, record: Mapping[Hashable, Any]) -> PairSummary:
        """A row of the `summary` table back as typed figures."""

        def pick(kind: type[_F]) -> _F:
            return kind(**{f.name: record[f.name] for f in fields(kind)})

        figures = PairFigures(
            binary=pick(BinaryFigures),
            gold_items=int(record["gold_items"]),
            majority_items=int(record["majority_items"]),
            unreviewed=int(record["unreviewed"]),
            threshold=record["threshold"],
            scored=pick(ScoredFigures),
            scale=pick(ScaleFigures),
        )
        return cls(
            str(record["grader"]),
            str(record["dimension"]),
            figures,
            float(record.get("human_kappa", math.nan)),
            float(record.get("human_scale_kappa", math.nan)),
        )


def summary_rows(table: pd.DataFrame) -> list[PairSummary]:
    """The rows of a `summary` table as `PairSummary`s."""
    return [PairSummary.from_record(r) for r in table.to_dict("records")] if len(table) else []


def summary(
    comp: pd.DataFrame,
    schema: Schema,
    gmap: GraderMap | None = None,
    humans: pd.DataFrame | None = None,
    n_resamples: int = N_RESAMPLES,
) -> pd.DataFrame:
    """One row per grader and dimension with every figure, humans' kappa beside it."""
    gmap = GraderMap() if gmap is None else gmap
    rows = []
    for (grader, dim_name), group in comp.groupby(["grader", "dimension"], sort=False):
        dim = schema.dimension(str(dim_name))
        figures = pair_figures(group, dim, gmap.settings(str(grader)), n_resamples)
        rows.append({"grader": grader, "dimension": dim_name, **figures.row()})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    if humans is not None and not humans.empty:
        table = table.merge(humans, how="left", on="dimension")
    order = table["dimension"].map({name: i for i, name in enumerate(schema.names)})
    return (
        table.assign(_o=order).sort_values(["grader", "_o"], ignore_index=True).drop(columns="_o")
    )


def report(
    ws: Workspace,
    grader: str | None = None,
    gmap: GraderMap | None = None,
    n_resamples: int = N_RESAMPLES,
    reference: ReferenceKind = "gold",
) -> pd.DataFrame:
    """`summary` of every grader (or one) against the reference (gold by default), human
    agreement beside it."""
    gmap = ws.grader_map if gmap is None else gmap
    labels = {d.name: ws.store.label_values(d.name) for d in ws.schema.dimensions}
    comp = comparisons(ws, grader, gmap, labels, reference)
    return summary(comp, ws.schema, gmap, human_agreement(ws, labels), n_resamples)


def to_json(table: pd.DataFrame, schema: Schema) -> dict[str, dict[str, PerDimensionJson]]:
    """`{"graders": {NAME: {DIMENSION: {n, tp, fp, fn, tn, precision, recall, f1, kappa,
    kappa_ci}}}}`, NaN as None. Dimensions without a yes/no projection are left out (their
    figures are on the full scale; see the human-readable report)."""
    out: dict[str, PerDimensionJson] = {}
    binary = {d.name for d in schema.dimensions if d.binary_yes}
    for row in summary_rows(table):
        per = out.setdefault(row.grader, {})
        if row.dimension in binary:
            per[row.dimension] = row.to_json()
    return {"graders": out}


# -- breakdowns, reliability, disagreements ------------------------------------------------


def breakdown(comp: pd.DataFrame, by: str, n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Binary figures per grader, dimension and value of `by` (scenario, condition, model);
    groups with no compared item are left out."""
    if by not in BREAKDOWNS:
        raise ValueError(f"breakdown by one of {BREAKDOWNS}, not {by!r}")
    keyed = comp.assign(**{by: comp[by].fillna(NO_VALUE)})
    rows = []
    for (grader, dim, value), group in keyed.groupby(["grader", "dimension", by], sort=True):
        t = gm.table(group["ref"].to_numpy(int), group["pred"].to_numpy(int), 2)
        if t.sum():
            rows.append(
                {
                    "grader": grader,
                    "dimension": dim,
                    by: value,
                    **binary_figures(t, n_resamples).row(),
                }
            )
    return pd.DataFrame(rows)


def _pair(comp: pd.DataFrame, grader: str, dimension: str) -> pd.DataFrame:
    return comp[(comp["grader"] == grader) & (comp["dimension"] == dimension)]


def reliability_table(comp: pd.DataFrame, grader: str, dimension: str) -> pd.DataFrame:
    """Reliability diagram rows (mean score, observed yes share, items) for one pair."""
    rows = _pair(comp, grader, dimension)
    ref, score = rows["ref"].to_numpy(int), rows["score"].to_numpy(float)
    keep = (ref >= 0) & ~np.isnan(score)
    points = gm.reliability(ref[keep] == 1, score[keep])
    return pd.DataFrame(points, columns=["mean_score", "observed", "items"])


def scale_table(comp: pd.DataFrame, grader: str, dim: Dimension) -> pd.DataFrame:
    """The full-scale confusion matrix for display: humans down the side, grader across."""
    t = scale_counts(_pair(comp, grader, dim.name), dim)
    return pd.DataFrame(
        t, index=[f"humans: {v}" for v in dim.scale], columns=[f"grader: {v}" for v in dim.scale]
    )


def confusion_table(tp: int, fp: int, fn: int, tn: int) -> pd.DataFrame:
    """A 2×2 confusion matrix for display: humans down the side, grader across."""
    return pd.DataFrame(
        {"grader: yes": [tp, fp], "grader: no": [fn, tn]}, index=["humans: yes", "humans: no"]
    )


# -- human agreement beside the grader ------------------------------------------------------


def human_agreement(ws: Workspace, labels: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Per dimension: raters' mean pairwise Cohen's kappa on yes/no (`human_kappa`) and on
    the scale (`human_scale_kappa`, linear weights for ordinal; not-applicable aside)."""
    rows = []
    for dim in ws.schema.dimensions:
        values = labels[dim.name] if labels else ws.store.label_values(dim.name)
        item = pd.factorize(values["transcript_id"])[0]
        rater = pd.factorize(values["rater"])[0]
        code = value_codes(values["value"], dim.value_names)
        weights: gm.Weights = "linear" if dim.level == "ordinal" else None
        binary = np.r_[projection(dim), -1][code]
        rows.append(
            {
                "dimension": dim.name,
                "human_items": int(np.unique(item[code >= 0]).size),
                "human_kappa": gm.mean_pairwise_kappa(item, rater, binary, 2)
                if dim.binary_yes
                else math.nan,
                "human_scale_kappa": gm.mean_pairwise_kappa(
                    item, rater, on_scale(code, dim), len(dim.scale), weights
                ),
            }
        )
    return pd.DataFrame(rows)
