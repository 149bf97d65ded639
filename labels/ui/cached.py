"""Figures the review pages show, computed once per version of the data and shared by
every session (Streamlit's `st.cache_data`), and the server's warm-up.

A figure is keyed on `version(ws)`: the database, its label and gold rows (the store's
`labels_and_gold_version`) and its grader verdicts, so a new label, gold row or verdict
recomputes it and nothing else does (no time-to-live). The bootstrap intervals of the
agreement report and the graders' comparisons are the costly part: on the demo database
they took most of a page's second on every visit before.

`warm_up` runs once per server process: in a background thread it imports what the
review pages need (scikit-learn, scipy.stats and altair took 5-7 s on the first Graders
visit) and computes the current figures, so the first person to open a page finds them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from labels import export, gold
from labels.graders.map import GraderMap
from labels.workspace import Workspace

if TYPE_CHECKING:
    from labels.agreement_report import AgreementReport

log = logging.getLogger("goldset")
Version = tuple[str, int, int, int]


def version(ws: Workspace) -> Version:
    """What cached figures are keyed on (see the module docstring)."""
    labels, gold = ws.store.labels_and_gold_version()
    return (str(ws.store.path), labels, gold, ws.store.verdict_count())


@dataclass(frozen=True)
class AgreementFigures:
    """What the agreement page shows: the report, per rater and over time."""

    report: AgreementReport
    per_rater: dict[str, pd.DataFrame]
    over_time: pd.DataFrame


@st.cache_data(show_spinner="Computing agreement…", max_entries=4)
def agreement(_ws: Workspace, key: Version) -> AgreementFigures:
    """The agreement page's figures for the data as of `key`."""
    from labels import agreement_report

    dims = _ws.schema.dimensions
    trend = pd.concat(
        [agreement_report.over_time(_ws, d).assign(dimension=d.name) for d in dims],
        ignore_index=True,
    )
    return AgreementFigures(
        agreement_report.report(_ws),
        {d.name: agreement_report.per_rater(_ws, d) for d in dims},
        trend,
    )


@st.cache_data(show_spinner="Comparing graders with the humans…", max_entries=8)
def graders(
    _ws: Workspace, key: Version, _gmap: GraderMap, gmap_text: str, reference: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary table, comparisons) of every grader against `reference`."""
    from labels.graders import calibration

    labels = {d.name: _ws.store.label_values(d.name) for d in _ws.schema.dimensions}
    comp = calibration.comparisons(_ws, None, _gmap, labels, reference)  # type: ignore[arg-type]
    humans = calibration.human_agreement(_ws, labels)
    return calibration.summary(comp, _ws.schema, _gmap, humans), comp


@st.cache_data(show_spinner=False, max_entries=32)
def suggested_size(
    _ws: Workspace, key: Version, _gmap: GraderMap, gmap_text: str, grader: str, width: float
) -> int:
    """`audit.suggested_size` for the data as of `key`."""
    from labels.graders import audit

    return audit.suggested_size(_ws, grader, width, _gmap)


def _warm(ws: Workspace) -> None:
    try:
        import altair  # noqa: F401
        import sklearn.metrics  # noqa: F401

        from labels import agreement_report, charts, export  # noqa: F401
        from labels.graders import audit, calibration, views  # noqa: F401
        from labels.graders import map as grader_map

        key = version(ws)
        agreement(ws, key)
        if not ws.store.graders().empty:
            gmap = ws.grader_map
            graders(ws, key, gmap, grader_map.dumps(gmap), "gold")
    except Exception:  # noqa: BLE001 - a page computes its own figures if this fails
        log.exception("warming up the review pages failed")


@st.cache_resource(show_spinner=False)
def warm_up(_root: Workspace, db: str) -> threading.Thread:
    """Start the warm-up for the server's database (once per process and database)."""
    thread = threading.Thread(
        target=_warm, args=(_root.cursor(),), name="goldset-warm-up", daemon=True
    )
    thread.start()
    return thread


@st.cache_data(show_spinner=False, max_entries=4)
def undecided(_ws: Workspace, key: Version) -> gold.Undecided:
    """`gold.undecided` for the data as of `key`."""
    return gold.undecided(_ws)


@st.cache_data(show_spinner=False, max_entries=8)
def preview(
    _ws: Workspace, key: Version, what: export.What, dim: str | None
) -> tuple[pd.DataFrame, int]:
    """The export's first 200 rows and how many there are, for the data as of `key`."""
    table = export.gold_table(_ws, dim) if what == "gold" else export.labels_table(_ws, dim)
    return table.head(200), len(table)


@st.cache_data(show_spinner=False, max_entries=4)
def download(
    _ws: Workspace, key: Version, what: export.What, name: str, fmt: export.Format, dim: str | None
) -> tuple[bytes, bytes | None]:
    """`export.as_bytes` for the data as of `key`; gold's data card takes the agreement
    figures the agreement page shows."""
    figures = agreement(_ws, key).report if what == "gold" else None
    return export.as_bytes(_ws, what, name, fmt, dim, figures)
