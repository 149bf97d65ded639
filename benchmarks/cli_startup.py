"""What a CLI command costs before it does anything: whole processes, timed from outside.

- `python -m labels --help`: target ≤ 0.5 s; baseline `python -c pass` (the interpreter).
- `python -m labels ingest ONE.jsonl --db NEW` of a one-line file: the fixed cost of an
  ingest (imports, opening and migrating a new database, the commit); target ≤ 1 s;
  baseline `python -c "import duckdb"`.
- `python -m labels ingest` of a 20,000-transcript JSONL file into a new database,
  start-up included: target ≤ 1.5 × baseline, a fresh `python -c` that imports duckdb and
  runs `CREATE TABLE … AS SELECT * FROM read_json(…)` of the same file (issue 15).

Each command runs in its own process (`subprocess.run`), wall time around it; the
one-line and `--help` figures take `ctx.repeats` runs, the 20,000-transcript one `ctx.runs`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.core import Context, Figure, Target
from benchmarks.gen_files import write_jsonl

ROOT = Path(__file__).resolve().parent.parent
READ_JSON = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[2]); con.execute("
    "\"CREATE TABLE chats AS SELECT * FROM read_json(?, format = 'newline_delimited')\", "
    "[sys.argv[1]]); con.close()"
)
FULL_TRANSCRIPTS = 20_000


def wall(*args: str) -> float:
    """Seconds one `python ARGS…` process takes from start to exit (it must succeed)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def ingest(ctx: Context, path: Path) -> float:
    db = ctx.fresh("cli.duckdb")
    return wall("-m", "labels", "ingest", str(path), "--db", str(db), "--format", "jsonl")


def run(ctx: Context) -> list[Figure]:
    one = ctx.workdir / "one.jsonl"
    one.write_text('{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n')
    n = min(FULL_TRANSCRIPTS, ctx.sizes.jsonl_transcripts)
    chats = write_jsonl(ctx.workdir / "cli-chats.jsonl", n, ctx.sizes.messages)
    size = (
        f"{n:,} transcripts × {ctx.sizes.messages} messages ({chats.stat().st_size / 1e6:,.0f} MB)"
    )
    help_ = Figure(
        "CLI: python -m labels --help",
        "no database",
        "s",
        Target.at_most(0.5, "s"),
        baseline_what="python -c pass",
    )
    fixed = Figure(
        "CLI: ingest fixed cost",
        "a one-line JSONL file, new database",
        "s",
        Target.at_most(1.0, "s"),
        baseline_what='python -c "import duckdb"',
    )
    whole = Figure(
        "CLI: ingest JSONL, start-up included",
        size,
        "s",
        Target.times_baseline(1.5),
        baseline_what="python -c: import duckdb, CREATE TABLE AS SELECT * FROM read_json(…)",
    )
    for _ in range(ctx.repeats):
        help_.runs.append(wall("-m", "labels", "--help"))
        help_.baseline_runs.append(wall("-c", "pass"))
        fixed.runs.append(ingest(ctx, one))
        fixed.baseline_runs.append(wall("-c", "import duckdb"))
    for run_no in range(ctx.runs):
        whole.runs.append(ingest(ctx, chats))
        whole.baseline_runs.append(wall("-c", READ_JSON, str(chats), str(ctx.fresh("rj.duckdb"))))
        ctx.log(
            f"  run {run_no + 1}: ingest {whole.runs[-1]:.2f} s,"
            f" read_json {whole.baseline_runs[-1]:.2f} s"
        )
    ctx.fresh("cli.duckdb")
    ctx.fresh("rj.duckdb")
    return [help_, fixed, whole]
