"""Gold and labels out, with provenance: JSONL, CSV, Parquet, a data card, and Inspect logs.

Exports are reproducible: the same database gives byte-identical files; only the
data card's `exported_at` changes. Only decided item-dimensions (those with a
gold value) are exported as gold; the data card counts the undecided ones.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from labels import agreement_report, gold, jsonout, schema
from labels.models import utcnow
from labels.workspace import Workspace

Format = Literal["jsonl", "csv", "parquet"]
What = Literal["gold", "labels"]
GOLD_COLUMNS = [
    "transcript_id", "source", "source_ref", "dimension", "value", "binary_value", "method",
    "n_raters", "rater_values", "adjudicator", "note", "schema_version", "decided_at",
]  # fmt: skip
LABEL_COLUMNS = [
    "id", "transcript_id", "rater", "dimension", "value", "rationale", "evidence", "tags",
    "schema_version", "seconds", "created_at",
]  # fmt: skip


def _iso(series: pd.Series) -> list[str]:
    return [t.isoformat().replace("+00:00", "Z") for t in series.dt.tz_convert("UTC")]


def gold_table(
    ws: Workspace, dimension: str | None = None, limit: int | None = None
) -> pd.DataFrame:
    """One row per decided transcript and dimension, with how it was decided (the first
    `limit`, when given).

    `rater_values` is JSON text here; the JSONL writer nests it as an object.
    """
    table = ws.store.gold_with_sources(dimension, limit)
    yes_no = pd.DataFrame(ws.schema.binary_rows(), columns=["dimension", "value", "binary_value"])
    table = table.merge(yes_no, how="left", on=["dimension", "value"])
    human = table["method"].isin(["adjudicated", "audit"])
    table["adjudicator"] = table["who"].where(human, None)
    return table[GOLD_COLUMNS]


def labels_table(
    ws: Workspace, dimension: str | None = None, limit: int | None = None
) -> pd.DataFrame:
    """Every label row ever written (revisions included), oldest first (the first `limit`,
    when given)."""
    rows = ws.store.all_labels(dimension, limit)
    rows["created_at"] = _iso(rows["created_at"])
    rows["tags"] = [json.dumps(list(t) if t is not None else []) for t in rows["tags"]]
    rows["evidence"] = rows["evidence"].fillna("[]")
    return rows[LABEL_COLUMNS]


NESTED = ("rater_values", "evidence", "tags")
"""Columns held as JSON text: nested objects in JSONL, text in CSV and Parquet."""


def write(table: pd.DataFrame, out: Path, fmt: Format) -> None:
    """Write a table as JSONL (nested values kept), CSV or Parquet (nested as JSON text)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            for row in table.to_dict(orient="records"):
                clean = {k: (None if _missing(v) else v) for k, v in row.items()}
                for key in NESTED:
                    text = clean.get(key)
                    if isinstance(text, str):
                        clean[key] = json.loads(text)
                fh.write(json.dumps(clean, ensure_ascii=False, default=str) + "\n")
        return
    flat = table
    if fmt == "csv":
        # Every text cell quoted: a CR in a cell cannot end the row (the csv module quotes
        # only what is in its line terminator, "\n" here).
        inert_for_spreadsheets(flat).to_csv(
            out, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
        )
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pandas(flat, preserve_index=False), out)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose jsonl, csv or parquet")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (OWASP, CSV injection)."""


def inert_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with `'` put first; others as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_for_spreadsheets(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` for CSV: every text cell that starts like a formula neutralised
    (`=HYPERLINK(...)` becomes `'=HYPERLINK(...)`). JSONL and Parquet keep values exact."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(inert_cell)
    return out


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


@dataclass(frozen=True)
class DimensionCount:
    """How many gold items of one dimension an export holds, and of which values."""

    items: int
    values: dict[str, int]


@dataclass(frozen=True)
class DataCard:
    """What a gold export holds and how it was made (`to_json` is the `.card.json`)."""

    exported_at: str
    file: str
    format: Format
    sha256: str
    rows: int
    per_dimension: dict[str, DimensionCount]
    undecided_not_exported: dict[str, int]
    undecided_reasons: dict[str, dict[str, int]]
    """Per dimension, why the undecided ones are (`gold.REASONS`)."""
    consensus_rule: str
    methods: dict[str, int]
    agreement: dict[str, agreement_report.DimensionAgreement]
    schema_version: int
    schema_sha256: str
    rates: list[dict[str, object]]
    """Corrected rates per grader, yes/no dimension, model and condition (`rates --json`)."""

    def to_json(self) -> dict[str, object]:
        """The card as JSON values, fields in order (`jsonout.dumps` writes it)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["per_dimension"] = {k: vars(v) for k, v in self.per_dimension.items()}
        out["agreement"] = {k: v.card() for k, v in self.agreement.items()}
        return out


def data_card(
    ws: Workspace,
    table: pd.DataFrame,
    out: Path,
    fmt: Format,
    agreement: agreement_report.AgreementReport | None = None,
) -> DataCard:
    """What a gold export holds and how it was made (`agreement`: the report for the data
    as it is, when the caller has it already)."""
    body = ws.store.schema_body(ws.schema_version) or ""
    per_dim = {
        str(d): DimensionCount(
            items=int(len(g)),
            values={str(k): int(v) for k, v in g["value"].value_counts().sort_index().items()},
        )
        for d, g in table.groupby("dimension", sort=True)
    }
    left = gold.undecided(ws)
    return DataCard(
        exported_at=utcnow().isoformat(),
        file=out.name,
        format=fmt,
        sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
        rows=int(len(table)),
        per_dimension=per_dim,
        undecided_not_exported=left.totals(),
        undecided_reasons=left.counts,
        consensus_rule=gold.project_rule(ws).describe(),
        methods={str(k): int(v) for k, v in table["method"].value_counts().sort_index().items()},
        agreement=(agreement or agreement_report.report(ws)).dimensions,
        schema_version=ws.schema_version,
        schema_sha256=schema.digest(body),
        rates=card_rates(ws, set(table["dimension"])),
    )


def card_rates(ws: Workspace, dimensions: set[str]) -> list[dict[str, object]]:
    """The data card's rates section: each grader's corrected rates on the exported
    dimensions, per model and condition (none when the grader map cannot be read)."""
    from labels.graders import rates

    try:
        rows = rates.rates(ws)
    except ValueError:  # an unreadable grader map: the graders report says why
        return []
    return [r.to_json() for r in rows if r.dimension in dimensions]


def export_gold(
    ws: Workspace,
    out: Path,
    fmt: Format,
    dimension: str | None = None,
    agreement: agreement_report.AgreementReport | None = None,
) -> DataCard:
    """Write the gold set and its data card (`OUT.card.json`), both from one snapshot of
    the data (`agreement`: the report already computed for it, e.g. cached by the app);
    returns the card."""
    with ws.store.snapshot() as store:
        seen = replace(ws, store=store)
        table = gold_table(seen, dimension)
        write(table, out, fmt)
        card = data_card(seen, table, out, fmt, agreement)
    card_path = out.with_name(out.name + ".card.json")
    card_path.write_text(jsonout.dumps(card.to_json()) + "\n")
    return card


def file_name(what: What, fmt: Format, dimension: str | None, day: date) -> str:
    """A download's name: what, which dimension (or all), the day, e.g.
    `goldset-gold-extortion-2026-12-02.jsonl`."""
    return f"goldset-{what}-{dimension or 'all-dimensions'}-{day.isoformat()}.{fmt}"


def as_bytes(
    ws: Workspace,
    what: What,
    name: str,
    fmt: Format,
    dimension: str | None = None,
    agreement: agreement_report.AgreementReport | None = None,
) -> tuple[bytes, bytes | None]:
    """An export as the file's bytes and, for gold, its data card's JSON (which names the
    file `name`; None for labels)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / Path(name).name
        if what == "labels":
            export_labels(ws, out, fmt, dimension)
            return out.read_bytes(), None
        export_gold(ws, out, fmt, dimension, agreement)
        return out.read_bytes(), out.with_name(out.name + ".card.json").read_bytes()


def export_labels(ws: Workspace, out: Path, fmt: Format, dimension: str | None = None) -> int:
    """Write every raw label row; returns how many."""
    table = labels_table(ws, dimension)
    write(table, out, fmt)
    return len(table)


def inspect_with_gold(
    ws: Workspace, log: Path, out: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """Copy an Inspect log, adding each sample's gold as `goldset/<dimension>` scores.

    The original file is only read. Returns how many scores were added.
    """
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.scorer import Score

    if out.resolve() == log.resolve():
        raise ValueError("the output must be a new file; the original log is never modified")
    eval_log = read_eval_log(str(log))
    decided = gold_table(ws)
    rule = f"consensus: {gold.project_rule(ws).describe()}"
    by_id = {tid: g for tid, g in decided.groupby("transcript_id")}
    added = 0
    samples = eval_log.samples or []
    for i, sample in enumerate(samples):
        rows = by_id.get(f"inspect:{eval_log.eval.eval_id}:{sample.id}:{sample.epoch}")
        if progress:
            progress(i + 1, len(samples))
        if rows is None:
            continue
        scores = dict(sample.scores or {})
        for row in rows.itertuples():
            scores[f"goldset/{row.dimension}"] = Score(
                value=str(row.value),
                explanation=str(row.note or ""),
                metadata={
                    "method": row.method,
                    # a person for adjudicated and audit gold, else the rule that decided it
                    # (`adjudicator` is missing there: NaN, which is truthy, not None)
                    "who": row.adjudicator if isinstance(row.adjudicator, str) else rule,
                    "decided_at": row.decided_at,
                    "schema_version": int(str(row.schema_version)),
                    "rater_values": json.loads(str(row.rater_values)),
                },
            )
            added += 1
        sample.scores = scores
    write_eval_log(eval_log, str(out))
    return added
