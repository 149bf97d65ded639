"""Ingest of a folder of one-line JSONL files against the same rows in one JSONL file.

Both go through `loader.ingest_paths` with format detection, as `python -m labels ingest
FOLDER` does, each in a fresh interpreter writing a fresh database file
(`ingest_jsonl.ingest_child`, which times the ingest itself). Target (issue 14): a
10,000-file folder in under 60 s (it took 567 s, then 140 s at one transaction per
file). The baseline, the same rows in one file, shows what the files themselves cost.
"""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.core import Context, Figure, Target, run_child
from benchmarks.gen_files import jsonl_line
from benchmarks.gen_text import text_pool

TARGET_SECONDS = 60.0


def write_folder(folder: Path, one_file: Path, n: int, n_messages: int, seed: int = 1) -> None:
    """`n` chats as `n` one-line files in `folder`, and the same lines in `one_file`."""
    rng, pool = random.Random(seed), text_pool(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with one_file.open("w", encoding="utf-8") as out:
        for i in range(n):
            line = jsonl_line(i, n_messages, rng, pool) + "\n"
            (folder / f"chat-{i:06d}.jsonl").write_text(line, encoding="utf-8")
            out.write(line)


def run(ctx: Context) -> list[Figure]:
    n, m = ctx.sizes.folder_files, ctx.sizes.messages
    folder, one_file = ctx.workdir / "folder", ctx.workdir / "folder-as-one.jsonl"
    write_folder(folder, one_file, n, m)
    wall = Figure(
        "ingest a folder of small files: wall time",
        f"{n:,} one-line JSONL files, {m} messages each",
        "s",
        Target(f"< {TARGET_SECONDS:g} s", bound=TARGET_SECONDS),
        baseline_what="the same rows in one JSONL file, through the same ingest",
    )
    for run_no in range(ctx.runs):
        ours = run_child(
            "benchmarks.ingest_jsonl:ingest_child",
            path=str(folder),
            db=str(ctx.fresh("folder.duckdb")),
            fmt="auto",
        )
        theirs = run_child(
            "benchmarks.ingest_jsonl:ingest_child",
            path=str(one_file),
            db=str(ctx.fresh("folder-as-one.duckdb")),
            fmt="auto",
        )
        wall.runs.append(ours.result["seconds"])
        wall.baseline_runs.append(theirs.result["seconds"])
        ctx.log(
            f"  run {run_no + 1}: folder {ours.result['seconds']:.1f} s,"
            f" one file {theirs.result['seconds']:.1f} s"
        )
        wall.details = {
            "added": ours.result["added"],
            "rejected": ours.result["rejected"],
            "baseline_added": theirs.result["added"],
            "peak_mb": ours.peak_mb,
        }
    ctx.fresh("folder.duckdb")
    ctx.fresh("folder-as-one.duckdb")
    return [wall]
