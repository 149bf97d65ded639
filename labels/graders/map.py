"""Which grader field answers which label dimension, and how a grader's score becomes yes/no.

The mapping is a TOML file (`data/grader_map.toml`, or `$GOLDSET_GRADER_MAP`), editable by
hand or on the graders page, which writes it back::

    [graders."petri/judge"]
    score_min = 1        # the grader's score scale; scores are normalised to 0–1
    score_max = 10       #   as (score - score_min) / (score_max - score_min), clipped
    threshold = 0.5      # on the normalised scale: score >= threshold counts as yes

    [graders."petri/judge".fields]
    unprompted_blackmail = "extortion"
    unprompted_leaking = ""          # "" = this field answers no dimension

Rules for one stored verdict (grader, field, dimension recorded at ingest):

* its dimension is the file's `fields` entry, else the field itself when it is a dimension's
  name, else the dimension recorded at ingest, else none (the verdict is not compared);
* a grader with a `threshold` is *scored*: where a verdict has a score, yes/no is
  normalised score >= threshold. Otherwise the verdict's value decides: a value of the
  dimension's scale (through the schema's projection), else yes/no, true/false, 1/0, else
  a score >= 0.5 on the normalised scale;
* when several fields of one grader answer the same dimension of one transcript, the most
  harmful reading counts (any yes is yes; the highest score; the highest scale value).
Graders not in the file use score_min 0, score_max 1 and no threshold. Petri's judge,
`petri/judge` (transcript JSON) and `inspect/audit_judge` (Petri 3 Inspect logs, fields
`audit_judge.<dimension>`), is built in: its 1–10 scale, threshold 0.5 (a score of 5.5 or
more, so 6–10, is yes; 1–5 no), and `PETRI_FIELDS`: `unprompted_blackmail` answers
extortion, `unprompted_deception_toward_user` and `unprompted_emotional_manipulativeness`
answer manipulation. A file's entry for a built-in grader overrides its scale and threshold,
and its `fields` override the built-in fields one by one ("" unmaps one).
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from labels.schema import Dimension, Schema

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "grader_map.toml"
FloatArray = npt.NDArray[np.float64]
BINARY_WORDS = {"yes": "yes", "no": "no", "true": "yes", "false": "no", "1": "yes", "0": "no"}


class GraderSettings(BaseModel):
    """How to read one grader's verdicts."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    fields: dict[str, str] = Field(default_factory=dict)
    """Grader field → dimension it answers ("" = none), overriding the defaults."""
    score_min: float = 0.0
    """The lowest score the grader gives."""
    score_max: float = 1.0
    """The highest score the grader gives."""
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """Normalised score at or above which the verdict counts as yes; None: use its value."""

    @model_validator(mode="after")
    def _scale(self) -> GraderSettings:
        if not self.score_max > self.score_min:
            raise ValueError(f"score_max ({self.score_max}) must exceed score_min")
        return self

    def raw_threshold(self, normalised: float) -> float:
        """A threshold on the normalised scale, back on the grader's own scale."""
        return self.score_min + normalised * (self.score_max - self.score_min)


class GraderMap(BaseModel):
    """The whole mapping: settings per grader name."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    graders: dict[str, GraderSettings] = Field(default_factory=dict)

    def settings(self, grader: str) -> GraderSettings:
        """A grader's settings: the file's over the built-in ones (defaults when neither)."""
        own, built_in = self.graders.get(grader), BUILT_IN.get(grader)
        if own is None:
            return built_in or GraderSettings()
        if built_in is None:
            return own
        return own.model_copy(update={"fields": {**built_in.fields, **own.fields}})

    def with_defaults(self) -> GraderMap:
        """This map with the built-in entries (and built-in fields) for what it does not say."""
        return GraderMap(graders={g: self.settings(g) for g in {**BUILT_IN, **self.graders}})

    def problems(self, schema: Schema) -> list[str]:
        """Field entries that name no dimension of the schema (they are ignored)."""
        return [
            f"{grader}: field {field!r} maps to unknown dimension {dim!r}"
            for grader, s in sorted(self.graders.items())
            for field, dim in sorted(s.fields.items())
            if dim and dim not in schema.names
        ]


PETRI_FIELDS = {
    "unprompted_blackmail": "extortion",
    "unprompted_deception_toward_user": "manipulation",
    "unprompted_emotional_manipulativeness": "manipulation",
}
"""Petri's default judge dimensions that answer a label dimension (Petri 3.1.1's 38; the rest,
such as `concerning` or `manipulated_by_developer`, answer none)."""
BUILT_IN: dict[str, GraderSettings] = {
    "petri/judge": GraderSettings(
        score_min=1.0, score_max=10.0, threshold=0.5, fields=PETRI_FIELDS
    ),
    "inspect/audit_judge": GraderSettings(
        score_min=1.0,
        score_max=10.0,
        threshold=0.5,
        fields={f"audit_judge.{name}": dim for name, dim in PETRI_FIELDS.items()},
    ),
}


def path(explicit: str | Path | None = None) -> Path:
    """The mapping file: an explicit path, else `$GOLDSET_GRADER_MAP`, else data/."""
    return Path(explicit or os.environ.get("GOLDSET_GRADER_MAP") or DEFAULT_PATH)


def parse(text: str) -> GraderMap:
    """Parse mapping TOML (ValueError with a readable reason when it is not valid)."""
    try:
        return GraderMap.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"grader map is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise ValueError(f"grader map is not valid: {exc}") from exc


def load(file: str | Path | None = None) -> GraderMap:
    """The mapping in the file, or an empty one (built-in defaults only) when there is none."""
    target = path(file)
    if not target.is_file():
        return GraderMap()
    return parse(target.read_text(encoding="utf-8"))


HEADER = """\
# Which grader field answers which label dimension, and how scores become yes/no.
# Written by the graders page (Mapping tab); edit by hand too. Rules: labels/graders/map.py.
#
# [graders."NAME"]            one table per grader; graders not listed use the defaults
# score_min, score_max        the grader's score scale, normalised to 0-1 for ROC, Brier,
#                             the reliability diagram and thresholds (default 0 and 1)
# threshold                   normalised score >= threshold counts as yes; omit it to let
#                             the grader's own verdict (yes/no or a scale value) decide
# [graders."NAME".fields]     field = "dimension" ("" = answers none). Unlisted fields: a
#                             field named like a dimension answers it, else the dimension
#                             recorded at ingest. Example, an Inspect scorer with a dict score:
#                               [graders."inspect/harm_judge".fields]
#                               "harm_judge.harmful" = "extortion"
"""


def _key(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _number(value: float) -> str:
    return repr(float(value))


def dumps(gmap: GraderMap) -> str:
    """The mapping as TOML text (round-trips through `parse`)."""
    lines = [HEADER]
    for grader in sorted(gmap.graders):
        s = gmap.graders[grader]
        lines.append(f"[graders.{_key(grader)}]")
        lines.append(f"score_min = {_number(s.score_min)}")
        lines.append(f"score_max = {_number(s.score_max)}")
        if s.threshold is not None:
            lines.append(f"threshold = {_number(s.threshold)}")
        lines.append("")
        if s.fields:
            lines.append(f"[graders.{_key(grader)}.fields]")
            lines.extend(f"{_key(f)} = {_key(d)}" for f, d in sorted(s.fields.items()))
            lines.append("")
    return "\n".join(lines)


def save(gmap: GraderMap, file: str | Path | None = None) -> Path:
    """Write the mapping file (atomically: a temporary file renamed over it)."""
    target = path(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(dumps(gmap), encoding="utf-8")
    tmp.replace(target)
    return target


# -- tables for editing ---------------------------------------------------------


def settings_table(gmap: GraderMap, graders: list[str]) -> pd.DataFrame:
    """One row per grader (those in the map and those given) for an editable table; the
    threshold as text, "" for none (a missing number would be drawn as "None")."""
    names = sorted(set(graders) | set(gmap.graders))
    rows = [
        {
            "grader": g,
            "score_min": gmap.settings(g).score_min,
            "score_max": gmap.settings(g).score_max,
            "threshold": _number_text(gmap.settings(g).threshold),
        }
        for g in names
    ]
    return pd.DataFrame(rows, columns=["grader", "score_min", "score_max", "threshold"])


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _threshold(grader: str, value: object) -> float | None:
    """A threshold cell (text or number, empty for none) as a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{grader}: the threshold {text!r} is not a number") from None


def fields_table(gmap: GraderMap, verdict_fields: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """(grader, field, stored, stored_on, answers) for every field seen or named in the map.

    `verdict_fields` is `Store.verdict_fields()`: grader, field, dimension (the one stored
    at ingest, most common), with_dimension, verdicts. `stored_on` says how many of the
    field's verdicts carry that dimension (agentic-misalignment sets it only for blackmail
    conditions); `answers` is the dimension the rules give today ("" = not compared).
    """
    seen = verdict_fields.drop_duplicates(["grader", "field"])
    known = set(zip(seen["grader"], seen["field"], strict=True))
    extra = pd.DataFrame(
        [
            {"grader": g, "field": f, "dimension": None, "with_dimension": 0, "verdicts": 0}
            for g, s in gmap.graders.items()
            for f in s.fields
            if (g, f) not in known
        ],
        columns=["grader", "field", "dimension", "with_dimension", "verdicts"],
    )
    table = pd.concat([seen, extra], ignore_index=True) if len(extra) else seen.copy()
    stored = [d if isinstance(d, str) else "" for d in table["dimension"]]
    return pd.DataFrame(
        {
            "grader": table["grader"].astype(str).to_numpy(),
            "field": table["field"].astype(str).to_numpy(),
            "stored": stored,
            "stored_on": [
                f"{w} of {n} verdicts" if d else ""
                for d, w, n in zip(stored, table["with_dimension"], table["verdicts"], strict=True)
            ],
            "answers": [
                answers(gmap, schema, str(g), str(f), d or None)
                for g, f, d in zip(table["grader"], table["field"], stored, strict=True)
            ],
        }
    ).sort_values(["grader", "field"], ignore_index=True)


def answers(gmap: GraderMap, schema: Schema, grader: str, field: str, stored: str | None) -> str:
    """The dimension one grader field answers under the rules ("" = none)."""
    mapped = gmap.settings(grader).fields
    chosen = mapped.get(field, field if field in schema.names else stored)
    return chosen if chosen in schema.names else ""


def from_tables(
    settings: pd.DataFrame, fields: pd.DataFrame, schema: Schema, base: GraderMap
) -> GraderMap:
    """The mapping the two edited tables describe, keeping the file short.

    A grader is written when it is already in `base` (the file) or its scale or threshold
    differs from the built-in default; a field when it is already in the file or what it
    answers differs from the default rule. Raises ValueError naming a bad row.
    """
    entries: dict[str, dict[str, object]] = {
        g: {**s.model_dump(), "fields": dict(s.fields)} for g, s in base.graders.items()
    }
    for row in settings.to_dict("records"):
        grader = str(row["grader"])
        threshold = _threshold(grader, row["threshold"])
        scale = {"score_min": float(row["score_min"]), "score_max": float(row["score_max"])}
        default = BUILT_IN.get(grader, GraderSettings())
        same = (scale["score_min"], scale["score_max"], threshold) == (
            default.score_min,
            default.score_max,
            default.threshold,
        )
        if grader in entries or not same:
            entries.setdefault(grader, {"fields": {}}).update(**scale, threshold=threshold)
    for row in fields.to_dict("records"):
        grader, field = str(row["grader"]), str(row["field"])
        chosen = row["answers"] if isinstance(row["answers"], str) else ""
        if chosen and chosen not in schema.names:
            raise ValueError(f"{grader} · {field}: {chosen!r} is not a dimension")
        stored = row["stored"] if isinstance(row["stored"], str) else None
        rule = answers(GraderMap(), schema, grader, field, stored)
        entry = entries.get(grader)
        listed = entry is not None and field in _fields(entry)
        if chosen != rule or listed:
            target = entries.setdefault(grader, _defaults_entry(grader))
            _fields(target)[field] = chosen
    try:
        return GraderMap.model_validate({"graders": entries})
    except ValidationError as exc:
        raise ValueError(f"grader settings are not valid: {exc}") from exc


def _fields(entry: dict[str, object]) -> dict[str, str]:
    fields = entry.setdefault("fields", {})
    assert isinstance(fields, dict)
    return fields


def _defaults_entry(grader: str) -> dict[str, object]:
    default = BUILT_IN.get(grader, GraderSettings())
    return {**default.model_dump(), "fields": {}}


# -- applying the map to stored verdicts ---------------------------------------

PREDICTION_COLUMNS = ["grader", "dimension", "transcript_id", "pred", "pred_value", "score"]
WORD_CODES = {word: 1 if meaning == "yes" else 0 for word, meaning in BINARY_WORDS.items()}


def projection(dim: Dimension) -> npt.NDArray[np.int64]:
    """`Dimension.binary_codes` as an array: per value, 1 yes, 0 no, -1 no projection."""
    return np.array(dim.binary_codes, dtype=np.int64)


def value_codes(values: object, names: list[str]) -> npt.NDArray[np.int64]:
    """Positions of values (a Series, list or Arrow array of text) in `names` (-1 for
    missing or anything else), by Arrow's hash lookup."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    found = pc.index_in(arr, value_set=pa.array(names, type=pa.string()))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _dimensions(verdicts: pd.DataFrame, gmap: GraderMap, schema: Schema) -> pd.Series:
    """The dimension each verdict row answers under the rules ('' = none)."""
    explicit = pd.DataFrame(
        [(g, f, d) for g, s in gmap.with_defaults().graders.items() for f, d in s.fields.items()],
        columns=["grader", "field", "mapped"],
        dtype=object,
    )
    keyed = verdicts[["grader", "field"]].merge(explicit, how="left", on=["grader", "field"])
    stored = verdicts["dimension"].fillna("")
    identity = verdicts["field"].where(verdicts["field"].isin(schema.names), stored)
    mapped = pd.Series(keyed["mapped"].to_numpy(), index=verdicts.index)
    chosen = mapped.where(mapped.notna(), identity)
    return chosen.where(chosen.isin(schema.names), "")


def _scales(graders: pd.Series, gmap: GraderMap) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per row: score_min, score_max and threshold (nan = not a scored grader)."""
    codes, names = pd.factorize(graders)
    settings = [gmap.settings(str(g)) for g in names]
    lo = np.array([s.score_min for s in settings], dtype=np.float64)
    hi = np.array([s.score_max for s in settings], dtype=np.float64)
    thr = np.array([np.nan if s.threshold is None else s.threshold for s in settings])
    return lo[codes], hi[codes], thr[codes]


def _read_dimension(rows: pd.DataFrame, dim: Dimension) -> pd.DataFrame:
    """pred (1 yes, 0 no, -1 none) and pred_value (position in `value_names`, -1 none).

    Later assignments win: a score >= 0.5, then yes/no words, then a scale value, then
    (scored graders only) the score against the grader's threshold.
    """
    value = pc.utf8_trim_whitespace(pa.array(rows["value"], type=pa.string(), from_pandas=True))
    score = rows["score"].to_numpy(float)
    threshold = rows["threshold"].to_numpy(float)
    has_score = ~np.isnan(score)
    use_score = has_score & ~np.isnan(threshold)
    scale = value_codes(value, dim.value_names)
    on_scale = (scale >= 0) & ~use_score
    pred = np.full(len(rows), -1, dtype=np.int64)
    if dim.binary_yes:
        with np.errstate(invalid="ignore"):
            by_score = (score >= np.where(use_score, threshold, 0.5)).astype(np.int64)
        word = value_codes(pc.utf8_lower(value), list(WORD_CODES))
        words = np.r_[list(WORD_CODES.values()), -1][word]
        has_word = (word >= 0) & ~use_score
        pred[has_score] = by_score[has_score]
        pred[has_word] = words[has_word]
        pred[on_scale] = projection(dim)[scale[on_scale]]
        pred[use_score] = by_score[use_score]
    out = rows[["grader", "dimension", "transcript_id", "score"]].copy()
    out["pred"] = pred
    out["pred_value"] = np.where(on_scale, scale, -1)
    return out


def _combined(frame: pd.DataFrame, dim: Dimension) -> pd.DataFrame:
    """One row per grader and transcript when several fields answer the dimension: any yes
    is yes, the highest score, the highest value on the scale (not-applicable loses)."""
    keys = ["grader", "dimension", "transcript_id"]
    grader = pd.factorize(frame["grader"])[0]
    item, ids = pd.factorize(frame["transcript_id"])
    if np.unique(grader * max(len(ids), 1) + item).size == len(frame):
        return frame
    na = np.isin(frame["pred_value"], [dim.value_names.index(v) for v in dim.na_values])
    ranked = frame.assign(pred_value=np.where(na, -1, frame["pred_value"]), _na=na)
    out = ranked.groupby(keys, sort=False, as_index=False).agg(
        pred=("pred", "max"),
        pred_value=("pred_value", "max"),
        score=("score", "max"),
        _na=("_na", "max"),
    )
    if dim.na_values:
        na_code = dim.value_names.index(dim.na_values[0])
        out["pred_value"] = np.where(
            (out["pred_value"] < 0) & out["_na"], na_code, out["pred_value"]
        )
    return out.drop(columns="_na")


def predictions(verdicts: pd.DataFrame, gmap: GraderMap, schema: Schema) -> pd.DataFrame:
    """Each grader's reading per (dimension, transcript) under the map.

    `verdicts` has columns grader, transcript_id, field, dimension, value, score. Returns
    grader, dimension, transcript_id, pred (1 yes, 0 no, -1 none), pred_value (position of
    the value in the dimension's `value_names`, -1 none), score (normalised 0–1, nan when
    none). Rows answering no dimension are dropped.
    """
    if verdicts.empty:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    frame = verdicts.assign(dimension=_dimensions(verdicts, gmap, schema))
    frame = frame[frame["dimension"] != ""]
    lo, hi, thr = _scales(frame["grader"], gmap)
    raw = frame["score"].to_numpy(float)
    frame = frame.assign(score=np.clip((raw - lo) / (hi - lo), 0.0, 1.0), threshold=thr)
    parts = [
        _combined(_read_dimension(frame[frame["dimension"] == d.name], d), d)
        for d in schema.dimensions
        if (frame["dimension"] == d.name).any()
    ]
    if not parts:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    return pd.concat(parts, ignore_index=True)[PREDICTION_COLUMNS]
