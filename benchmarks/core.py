"""What every measurement shares: sizes, figures with their targets, timing, child processes."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent.parent  # where `python -m benchmarks.…` runs from
MB = 1_000_000  # the "MB" and "GB" are decimal; so are ours
CHEAP_RUNS = 9


@dataclass(frozen=True)
class Sizes:
    """How big each generated data set is (the issue's sizes, or --quick's small ones)."""

    jsonl_transcripts: int
    folder_files: int  # one-line JSONL files in the folder ingested
    messages: int  # per generated transcript
    eval_samples: int
    eval_samples_per_file: int
    db_transcripts: int  # the shared benchmark database: label loop, graders, export, app
    db_labels: int
    loop_iterations: int
    agreement_items: int
    agreement_raters: int
    missing: float
    resamples: int
    long_transcript: int  # messages in the transcript the keypress is timed on
    app_sessions: int
    keypresses: int


FULL = Sizes(
    jsonl_transcripts=100_000,
    folder_files=10_000,
    messages=20,
    eval_samples=20_000,
    eval_samples_per_file=500,
    db_transcripts=100_000,
    db_labels=1_000_000,
    loop_iterations=100,
    agreement_items=100_000,
    agreement_raters=5,
    missing=0.2,
    resamples=1000,
    long_transcript=200,
    app_sessions=10,
    keypresses=30,
)

QUICK = Sizes(
    jsonl_transcripts=2_000,
    folder_files=500,
    messages=20,
    eval_samples=400,
    eval_samples_per_file=200,
    db_transcripts=2_000,
    db_labels=20_000,
    loop_iterations=20,
    agreement_items=5_000,
    agreement_raters=5,
    missing=0.2,
    resamples=1000,
    long_transcript=200,
    app_sessions=3,
    keypresses=5,
)


@dataclass(frozen=True)
class Target:
    """An upper bound: absolute (`bound`) or a multiple of the baseline (`factor`)."""

    text: str
    bound: float | None = None
    factor: float | None = None

    @classmethod
    def at_most(cls, bound: float, unit: str) -> Target:
        return cls(f"≤ {bound:g} {unit}", bound=bound)

    @classmethod
    def times_baseline(cls, factor: float) -> Target:
        return cls(f"≤ {factor:g} × baseline", factor=factor)

    def limit(self, baseline: float | None) -> float | None:
        """The bound in the figure's unit (None when relative and no baseline was measured)."""
        if self.factor is None:
            return self.bound
        return None if baseline is None else self.factor * baseline


@dataclass
class Figure:
    """One measured figure: its runs, target and the baseline measured in the same run."""

    name: str
    size: str
    unit: str
    target: Target
    runs: list[float] = field(default_factory=list)
    baseline_what: str = ""
    baseline_runs: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def baseline(self) -> float | None:
        return statistics.median(self.baseline_runs) if self.baseline_runs else None

    @property
    def limit(self) -> float | None:
        return self.target.limit(self.baseline)

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        value, limit = self.value, self.limit
        if value is None or limit is None:
            return "n/a"
        return "PASS" if value <= limit else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "unit": self.unit,
            "value": self.value,
            "runs": self.runs,
            "target": self.target.text,
            "limit": self.limit,
            "baseline": {
                "what": self.baseline_what,
                "value": self.baseline,
                "runs": self.baseline_runs,
            },
            "ratio_to_baseline": _ratio(self.value, self.baseline),
            "status": self.status,
            "note": self.note,
            "error": self.error,
            "details": self.details,
        }


def _ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


@dataclass
class Context:
    """What a measurement gets: sizes, number of runs, a scratch folder, shared databases."""

    sizes: Sizes
    runs: int
    workdir: Path
    quick: bool
    log: Callable[[str], None] = print
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def repeats(self) -> int:
        """Runs for measurements of well under a second, where noise needs more of them."""
        return self.runs if self.quick else max(self.runs, CHEAP_RUNS)

    def fresh(self, name: str) -> Path:
        """A path in the scratch folder with no database (nor its WAL) at it."""
        path = self.workdir / name
        for stale in (path, path.with_name(path.name + ".wal")):
            stale.unlink(missing_ok=True)
        return path

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """Build something once per benchmark run (a database, a data set) and reuse it."""
        if key not in self.cache:
            started = time.perf_counter()
            self.cache[key] = make()
            self.log(f"  built {key} in {time.perf_counter() - started:.1f} s")
        return self.cache[key]


def seconds(work: Callable[[], Any]) -> float:
    """Wall time of one call."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    """95th percentile (linear interpolation between order statistics)."""
    return float(np.percentile(values, 95))


@dataclass(frozen=True)
class ChildResult:
    """What a function run in a fresh interpreter returned, and that process's peak RSS."""

    result: dict[str, Any]
    peak_mb: float


def run_child(target: str, **kwargs: Any) -> ChildResult:
    """Run `module:function(**kwargs)` in a fresh interpreter (see `benchmarks.child`).

    The peak RSS comes from `wait4` on that very process (ru_maxrss, in KiB on Linux),
    so it is the child's own high-water mark, not the largest of all children so far.
    """
    cmd = [sys.executable, "-m", "benchmarks.child", target, json.dumps(kwargs)]
    proc = subprocess.Popen(cmd, cwd=HERE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{target} failed with exit code {proc.returncode}")
    lines = out.decode().strip().splitlines()
    return ChildResult(json.loads(lines[-1]), usage.ru_maxrss * 1024 / MB)
