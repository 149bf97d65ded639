"""The shared benchmark database, bulk-loaded with Arrow (seconds, not the hours of real use).

Shape, for `n` transcripts of `m` messages and `n_labels` label rows:

* 30 raters `r00`… label with k = 3 (the default schema's `raters_per_item`): 80% of the
  transcripts have three raters, 10% one rater, 10% none, so every queue still has work;
  each rater-item pair has all three dimensions and a `done` assignment; the rows left
  to reach `n_labels` are revisions (a later row for the same rater, item, dimension);
* gold for every transcript and dimension (what the graders report compares against), or
  for a `gold_share` of them, leaving three-rater items to adjudicate;
* two graders, `judge-a` and `judge-b`, with a verdict per transcript and dimension;
* one extra transcript of `long` messages, held open by the rater `keys-long`, and a
  normal one held open by `keys-short`: the app benchmark times keypresses on them;
* raters for the label loop (`loop-0`…) and the app sessions (`app-00`…), with nothing yet;
  `admin` (an admin, for the review pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.core import Context
from benchmarks.gen_text import MODELS, SCENARIOS, text_pool
from labels.schema import Dimension
from labels.workspace import open_workspace

N_RATERS = 30
OFFSETS = np.array([0, 11, 19])  # distinct modulo N_RATERS: three different raters per item
AGREE = 0.8  # chance a rater (or grader) gives the item's true value
T0 = datetime(2026, 1, 1, tzinfo=UTC)
TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class BenchDb:
    """A built benchmark database and the names a benchmark needs to drive it."""

    path: Path
    transcripts: int
    labels: int
    long_item: str
    short_item: str
    loop_raters: tuple[str, ...]
    app_raters: tuple[tuple[str, str], ...]  # (id, display name)
    keys_long: tuple[str, str]
    keys_short: tuple[str, str]
    grader: str = "judge-a"


@dataclass
class _Gen:
    con: duckdb.DuckDBPyConnection
    rng: np.random.Generator
    dims: tuple[Dimension, ...]
    version: int
    ids: np.ndarray  # transcript ids, object dtype
    truth: np.ndarray  # (n, dims) value code of each transcript's "true" value


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("bulk_rows", rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM bulk_rows")  # noqa: S608 (constant names)
    finally:
        con.unregister("bulk_rows")


def _times(n: int, start_s: int = 0) -> pa.Array:
    base = np.datetime64(T0.replace(tzinfo=None), "us")
    stamps = base + (np.arange(n, dtype=np.int64) + start_s) * 1_000_000
    return pa.array(stamps.astype("datetime64[us]")).cast(TS)


def _noisy(g: _Gen, truth: np.ndarray, k: int) -> np.ndarray:
    keep = g.rng.random(truth.shape[0]) < AGREE
    return np.where(keep, truth, g.rng.integers(0, k, truth.shape[0]))


def _value_names(dim: Dimension, codes: np.ndarray) -> np.ndarray:
    return np.array(dim.value_names, dtype=object)[codes]


def _skewed_truth(rng: np.random.Generator, n: int, dims: tuple[Dimension, ...]) -> np.ndarray:
    columns = []
    for dim in dims:
        weights = 0.5 ** np.arange(len(dim.values))
        columns.append(rng.choice(len(dim.values), size=n, p=weights / weights.sum()))
    return np.stack(columns, axis=1)


def _raters(loop: int, app: int) -> pa.Table:
    ids = [f"r{i:02d}" for i in range(N_RATERS)] + ["adj"]
    ids += [f"loop-{i}" for i in range(loop)] + [f"app-{i:02d}" for i in range(app)]
    ids += ["keys-long", "keys-short", "admin"]
    names = [i.replace("-", " ").title() for i in ids]
    special = {"adj": "adjudicator", "admin": "admin"}
    roles = [special.get(i, "rater") for i in ids]
    return pa.table(
        {
            "id": ids,
            "name": names,
            "role": roles,
            "active": [True] * len(ids),
            "created_at": _times(len(ids)),
        }
    )


def _messages(ids: np.ndarray, m: int, pool: pa.Array, g: _Gen) -> tuple[pa.Table, np.ndarray]:
    """m messages per transcript (system, then user/assistant turns); and n_chars per id."""
    n = len(ids)
    owner = np.repeat(np.arange(n), m)
    idx = np.tile(np.arange(m), n)
    roles = np.where(idx == 0, "system", np.where(idx % 2 == 1, "user", "assistant"))
    serial = pc.cast(pa.array(np.arange(n * m)), pa.string())
    text = pc.binary_join_element_wise(pool.take(g.rng.integers(0, len(pool), n * m)), serial, " #")
    reasoning = pa.array(np.where(idx % 6 == 4, "weighing the options before replying", None))
    table = pa.table(
        {
            "transcript_id": pa.array(ids, pa.string()).take(owner),
            "idx": idx.astype(np.int32),
            "role": roles,
            "text": text,
            "reasoning": reasoning,
        }
    )
    chars = pc.utf8_length(text).to_numpy().reshape(n, m).sum(axis=1)
    return table, chars


def _transcripts(g: _Gen, ids: np.ndarray, m: int, pool: pa.Array) -> None:
    messages, chars = _messages(ids, m, pool, g)
    n = len(ids)
    order = np.arange(n)
    table = pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "source_format": ["jsonl"] * n,
            "source_ref": pa.array([f"bench.jsonl, line {i + 1}" for i in order]),
            "model": np.array(MODELS, dtype=object)[order % len(MODELS)],
            "scenario": np.array(SCENARIOS, dtype=object)[order % len(SCENARIOS)],
            "metadata": ["{}"] * n,
            "batch_id": ["bench"] * n,
            "n_messages": np.full(n, m, dtype=np.int32),
            "n_chars": chars.astype(np.int64),
        }
    )
    _insert(g.con, "transcripts", table)
    _insert(g.con, "messages", messages)


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(item, rater) of every rater-item labeling: 80% of items by 3 raters, 10% by one."""
    full, single = int(n * 0.8), int(n * 0.1)
    items = np.concatenate([np.repeat(np.arange(full), 3), np.arange(full, full + single)])
    offsets = np.concatenate([np.tile(OFFSETS, full), np.zeros(single, dtype=np.int64)])
    return items, (items * 7 + offsets) % N_RATERS


def _label_table(
    g: _Gen,
    items: np.ndarray,
    raters: np.ndarray,
    dim_of: np.ndarray,
    codes: np.ndarray,
    start_s: int,
) -> pa.Table:
    values = np.empty(len(items), dtype=object)
    for d, dim in enumerate(g.dims):
        mask = dim_of == d
        values[mask] = _value_names(dim, codes[mask])
    names = np.array([d.name for d in g.dims], dtype=object)
    rater_ids = np.array([f"r{i:02d}" for i in range(N_RATERS)], dtype=object)
    n = len(items)
    return pa.table(
        {
            "transcript_id": pa.array(g.ids[items], pa.string()),
            "rater": pa.array(rater_ids[raters], pa.string()),
            "dimension": pa.array(names[dim_of], pa.string()),
            "value": pa.array(values, pa.string()),
            "rationale": [""] * n,
            "evidence": ["[]"] * n,
            "tags": pa.array([[]] * n, pa.list_(pa.string())),
            "schema_version": np.full(n, g.version, dtype=np.int32),
            "seconds": g.rng.uniform(20, 300, n),
            "created_at": _times(n, start_s),
        }
    )


def _codes(g: _Gen, items: np.ndarray, dim_of: np.ndarray) -> np.ndarray:
    """A rater's value code for each (item, dimension): the true one, or by chance another."""
    codes = np.empty(len(items), dtype=np.int64)
    for d, dim in enumerate(g.dims):
        mask = dim_of == d
        codes[mask] = _noisy(g, g.truth[items[mask], d], len(dim.values))
    return codes


def _labels(g: _Gen, n_labels: int) -> None:
    items, raters = _pairs(len(g.ids))
    n_dims = len(g.dims)
    dim_of = np.repeat(np.arange(n_dims), len(items))
    items_all, raters_all = np.tile(items, n_dims), np.tile(raters, n_dims)
    codes = _codes(g, items_all, dim_of)
    _insert(g.con, "labels", _label_table(g, items_all, raters_all, dim_of, codes, 0))
    # The rows still needed to reach n_labels are revisions: later rows for the same cell.
    extra = g.rng.integers(0, len(items_all), max(0, n_labels - len(items_all)))
    revised = _codes(g, items_all[extra], dim_of[extra])
    revision = _label_table(
        g, items_all[extra], raters_all[extra], dim_of[extra], revised, len(items_all)
    )
    _insert(g.con, "labels", revision)
    _assignments(g, items, raters)


def _assignments(g: _Gen, items: np.ndarray, raters: np.ndarray) -> None:
    rater_ids = np.array([f"r{i:02d}" for i in range(N_RATERS)], dtype=object)
    n = len(items)
    _insert(
        g.con,
        "assignments",
        pa.table(
            {
                "transcript_id": pa.array(g.ids[items], pa.string()),
                "rater": pa.array(rater_ids[raters], pa.string()),
                "queue": ["main"] * n,
                "state": ["done"] * n,
                "flagged": [False] * n,
                "created_at": _times(n),
                "updated_at": _times(n),
            }
        ),
    )


def _gold(g: _Gen, share: float) -> None:
    # Items left without gold are taken from the end of the three-rater items (see `_pairs`),
    # so they carry the raters' disagreements for adjudication.
    full, left = int(len(g.ids) * 0.8), len(g.ids) - int(round(len(g.ids) * share))
    keep = np.ones(len(g.ids), dtype=bool)
    keep[max(0, full - left) : full] = False
    ids, truth = g.ids[keep], g.truth[keep]
    n = len(ids)
    for d, dim in enumerate(g.dims):
        _insert(
            g.con,
            "gold",
            pa.table(
                {
                    "transcript_id": pa.array(ids, pa.string()),
                    "dimension": [dim.name] * n,
                    "value": pa.array(_value_names(dim, truth[:, d]), pa.string()),
                    "method": ["adjudicated"] * n,
                    "who": ["adj"] * n,
                    "note": [""] * n,
                    "schema_version": np.full(n, g.version, dtype=np.int32),
                    "created_at": _times(n),
                }
            ),
        )


def _verdict_values(g: _Gen, dim: Dimension, truth: np.ndarray) -> np.ndarray:
    codes = _noisy(g, truth, len(dim.values))
    if not dim.binary_yes:
        return _value_names(dim, codes)
    yes = np.array([dim.binary(v) == "yes" for v in dim.value_names])
    return np.where(yes[codes], "yes", "no").astype(object)


def _graders(g: _Gen) -> None:
    n = len(g.ids)
    for grader in ("judge-a", "judge-b"):
        g.con.execute(
            "INSERT INTO grader_runs VALUES (?, 'model-j', NULL, 'bench', ?)", [grader, T0]
        )
        for d, dim in enumerate(g.dims):
            _insert(
                g.con,
                "grader_verdicts",
                pa.table(
                    {
                        "grader": [grader] * n,
                        "transcript_id": pa.array(g.ids, pa.string()),
                        "field": [dim.name] * n,
                        "dimension": [dim.name] * n,
                        "value": pa.array(_verdict_values(g, dim, g.truth[:, d]), pa.string()),
                        "score": g.rng.random(n),
                        "explanation": ["generated verdict"] * n,
                    }
                ),
            )


def _hold(g: _Gen, item: str, rater: str) -> None:
    g.con.execute(
        "INSERT INTO assignments BY NAME SELECT ? AS transcript_id, ? AS rater, 'main' AS queue,"
        " 'open' AS state, FALSE AS flagged, ? AS created_at, ? AS updated_at",
        [item, rater, T0, T0],
    )


def build(
    path: Path,
    n: int,
    n_labels: int,
    m: int,
    long: int,
    loop: int,
    app: int,
    seed: int = 3,
    gold_share: float = 1.0,
) -> BenchDb:
    """Create the database at `path` (see the module docstring for its shape).

    `gold_share`: the first part of the transcripts that have gold (the rest is left for
    adjudication, with the raters' disagreements).
    """
    ws = open_workspace(path)
    rng = np.random.default_rng(seed)
    ids = np.array([f"bench-{i:06d}" for i in range(n)], dtype=object)
    g = _Gen(
        ws.store.con,
        rng,
        ws.schema.dimensions,
        ws.schema_version,
        ids,
        _skewed_truth(rng, n, ws.schema.dimensions),
    )
    pool = pa.array(text_pool(seed))
    with ws.store.transaction():
        _insert(g.con, "raters", _raters(loop, app))
        g.con.execute(
            "INSERT INTO ingest_batches VALUES ('bench', 'bench', 'jsonl', ?, ?, ?, 0, 0, '[]')",
            [T0, T0, n + 1],
        )
        _transcripts(g, ids, m, pool)
        _transcripts(g, np.array(["bench-long"], dtype=object), long, pool)
        _labels(g, n_labels)
        _gold(g, gold_share)
        _graders(g)
        _hold(g, "bench-long", "keys-long")
        _hold(g, str(ids[-1]), "keys-short")
    ws.store.rebuild_queue()  # the bulk load went around the store's queue upkeep
    ws.store.con.execute("CHECKPOINT")
    ws.store.close()
    return BenchDb(
        path=path,
        transcripts=n + 1,
        labels=n_labels,
        long_item="bench-long",
        short_item=str(ids[-1]),
        loop_raters=tuple(f"loop-{i}" for i in range(loop)),
        app_raters=tuple((f"app-{i:02d}", f"App {i:02d}") for i in range(app)),
        keys_long=("keys-long", "Keys Long"),
        keys_short=("keys-short", "Keys Short"),
    )


def shared(ctx: Context, scale: float = 1.0) -> BenchDb:
    """The benchmark database at the run's sizes (or a fraction of them), built once per run."""
    s = ctx.sizes
    n, n_labels = int(s.db_transcripts * scale), int(s.db_labels * scale)
    name = f"bench-{n}.duckdb"
    return ctx.shared(
        f"database of {n:,} transcripts and {n_labels:,} labels",
        lambda: build(
            ctx.fresh(name),
            n,
            n_labels,
            s.messages,
            s.long_transcript,
            loop=2 * ctx.runs,
            app=max(1, s.app_sessions - 2),
        ),
    )
