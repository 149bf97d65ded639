"""The results: a rich table on the terminal and a JSON file with every figure."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.core import Context, Figure

PACKAGES = (
    "duckdb",
    "streamlit",
    "inspect_ai",
    "numpy",
    "pandas",
    "pyarrow",
    "krippendorff",
    "playwright",
)
STYLE = {"PASS": "green", "MISS": "bold red", "ERROR": "bold magenta"}


def fmt(value: float | None, unit: str = "") -> str:
    """A figure with sensible precision and its unit ("—" when there is none)."""
    if value is None:
        return "—"
    if abs(value) < 1:
        return f"{value:.3g} {unit}".strip()
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {unit}".strip()


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def environment(ctx: Context, started: datetime, elapsed: float) -> dict[str, Any]:
    """Where and how the figures were measured."""
    return {
        "started_at": started.isoformat(),
        "seconds": round(elapsed, 1),
        "quick": ctx.quick,
        "runs": ctx.runs,
        "statistic": "median of the runs (each run's own figure; p95 figures are p95 per run)",
        "sizes": asdict(ctx.sizes),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "packages": _versions(),
    }


def _finite(value: Any) -> Any:
    """NaN and infinities as null, so the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_json(path: Path, figures: list[Figure], env: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = _finite({"environment": env, "figures": [f.as_dict() for f in figures]})
    text = json.dumps(body, indent=2, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _row(f: Figure) -> list[str]:
    ratio = f"{f.value / f.baseline:.2f}×" if f.value is not None and f.baseline else "—"
    target = f.target.text
    if f.target.factor is not None:
        target += f"\n= {fmt(f.limit, f.unit)}"
    style = STYLE.get(f.status.split()[0], "yellow")
    return [
        f"{f.name}\n[dim]{f.size}[/dim]",
        fmt(f.value, f.unit),
        target,
        f"{fmt(f.baseline, f.unit)}\n[dim]{f.baseline_what}[/dim]",
        ratio,
        f"[{style}]{f.status}[/{style}]",
    ]


def print_table(figures: list[Figure], console: Console) -> None:
    table = Table(title="Goldset benchmarks (issue 8)", show_lines=True)
    table.add_column("measurement", ratio=4)
    for column in ("measured", "target"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("baseline", ratio=3)
    table.add_column("÷ baseline", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for figure in figures:
        table.add_row(*_row(figure))
    console.print(table)
    for figure in figures:
        if figure.error:
            console.print(f"[magenta]{figure.name}: {figure.error}[/magenta]")
        elif figure.note:
            console.print(f"[dim]- {figure.name}: {figure.note}[/dim]")
