"""Ingest of Inspect `.eval` logs against inspect_ai's `read_eval_log_samples` alone.

The logs are written by inspect_ai itself (`write_eval_log` of an `EvalLog` built with
`inspect_ai.log` and `inspect_ai.model` classes), split into files of a few hundred
samples. The baseline reads every sample of the same files with the same options the
ingest uses (`resolve_attachments="core"`, `exclude_fields={"events", "store"}`), so the
ratio is what our conversion and storage add. Target (issue 8): ≤ 2 × the baseline.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.core import Context, Figure, Target, run_child
from benchmarks.gen_files import write_eval_logs


def read_child(paths: str) -> dict[str, Any]:
    """(In the child.) Every sample of every file through `read_eval_log_samples`."""
    from inspect_ai.log import read_eval_log_samples

    from labels.ingest.inspect import SKIPPED_FIELDS

    started = time.perf_counter()
    count = 0
    for path in paths.split("\n"):
        for _ in read_eval_log_samples(
            path, resolve_attachments="core", exclude_fields=SKIPPED_FIELDS
        ):
            count += 1
    return {"seconds": time.perf_counter() - started, "samples": count}


def run(ctx: Context) -> list[Figure]:
    s = ctx.sizes
    files = write_eval_logs(
        ctx.workdir / "eval", s.eval_samples, s.eval_samples_per_file, s.messages
    )
    joined = "\n".join(str(p) for p in files)
    size = f"{s.eval_samples:,} samples × {s.messages} messages in {len(files)} .eval files"
    wall = Figure(
        "ingest Inspect .eval: wall time",
        size,
        "s",
        Target.times_baseline(2.0),
        baseline_what="inspect_ai read_eval_log_samples over the same files",
    )
    for run_no in range(ctx.runs):
        ours = run_child(
            "benchmarks.ingest_jsonl:ingest_child",
            path=joined,
            db=str(ctx.fresh("ingest-eval.duckdb")),
            fmt="inspect",
        )
        theirs = run_child("benchmarks.ingest_eval:read_child", paths=joined)
        wall.runs.append(ours.result["seconds"])
        wall.baseline_runs.append(theirs.result["seconds"])
        ctx.log(
            f"  run {run_no + 1}: ingest {ours.result['seconds']:.1f} s,"
            f" read_eval_log_samples {theirs.result['seconds']:.1f} s"
        )
        wall.details = {
            "added": ours.result["added"],
            "rejected": ours.result["rejected"],
            "samples_read_by_baseline": theirs.result["samples"],
            "ingest_peak_mb": ours.peak_mb,
        }
    ctx.fresh("ingest-eval.duckdb")
    wall.note = "samples carry messages, scores and metadata; no events (written directly)"
    return [wall]
