"""`python -m benchmarks [--quick] [--out FILE.json] [--only NAME …] [--runs N] [--keep]`."""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from benchmarks import report
from benchmarks.core import FULL, QUICK, Context, Figure, Target

MEASUREMENTS = (
    "ingest_jsonl",
    "ingest_folder",
    "ingest_eval",
    "cli_startup",
    "agreement_coefficients",
    "bootstrap_ci",
    "agreement_report",
    "graders_report",
    "gold_export",
    "label_loop",
    "app_memory",
    "label_page",
    "review_pages",
)
WIDTH = 150  # the table's width when the output is a file or a pipe
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and one run: a smoke test in under a minute",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"JSON results file (default {DEFAULT_OUT.name} in benchmarks/)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=MEASUREMENTS,
        metavar="NAME",
        help=f"run only these measurements: {', '.join(MEASUREMENTS)}",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, --quick 1)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated data folder (its path is printed)"
    )
    return parser.parse_args(argv)


def measure(name: str, ctx: Context, console: Console) -> list[Figure]:
    """One measurement module's figures; a failure becomes an ERROR figure, not a crash."""
    console.rule(name)
    load_before = os.getloadavg()[0]
    try:
        figures: list[Figure] = importlib.import_module(f"benchmarks.{name}").run(ctx)
    except Exception as exc:  # noqa: BLE001 - the other measurements still run
        console.print(traceback.format_exc())
        return [Figure(name, "—", "", Target("—"), error=f"{type(exc).__name__}: {exc}")]
    # Other work on the machine skews timings; the load average says how busy it was.
    load = {"before": load_before, "after": os.getloadavg()[0]}
    for figure in figures:
        figure.details["load_average_1min"] = load
        console.print(
            f"  {figure.name}: {report.fmt(figure.value, figure.unit)} "
            f"(baseline {report.fmt(figure.baseline, figure.unit)}) {figure.status}"
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else WIDTH)
    workdir = Path(tempfile.mkdtemp(prefix="goldset-bench-"))
    ctx = Context(
        QUICK if args.quick else FULL,
        args.runs or (1 if args.quick else 3),
        workdir,
        args.quick,
        log=console.print,
    )
    started, clock = datetime.now(UTC), time.perf_counter()
    figures: list[Figure] = []
    try:
        for name in args.only or MEASUREMENTS:
            figures += measure(name, ctx, console)
    finally:
        if args.keep:
            console.print(f"data kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report.write_json(
        args.out, figures, report.environment(ctx, started, time.perf_counter() - clock)
    )
    report.print_table(figures, console)
    console.print(f"figures written to {args.out}")
    return 1 if any(f.error for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
