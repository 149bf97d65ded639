"""Figures the review pages show: computed in the background once per version of the
data, shared by every session, kept on disk across restarts, and shown as they were
while a newer version computes.

A figure (`Figure`: the agreement report, the graders' comparisons, the raters view) is
keyed on `version(ws)`: the database, its label and gold rows (the store's
`labels_and_gold_version`) and its grader verdicts, so a new label, gold row or verdict
recomputes it and nothing else does. On a 100,000-transcript database a figure takes
seconds to compute (bootstrap intervals over a million labels), longer than a page may
keep a person waiting, so a page never computes one itself:

* `Figure.get` returns the figure for the current version if it is there; otherwise it
  starts computing it on a worker thread and waits up to `WAIT` seconds for it (on the
  demo database it is ready well within that).
* If it is still computing, the page shows the newest figure it has, marked with the
  time it describes (`Shown.stale_note`), or, when there is none yet, says it is being
  computed (`Shown.pending_note`); `refresh_when_ready` reruns the page when it is done.
* Every figure computed is written to a file in the cache folder (`folder`: the
  database's identity, the figure and its parameters name it), so a server that starts
  again shows the last figures at once instead of recomputing them first.

`warm_up` runs once per server process: it imports what the review pages need
(scikit-learn, scipy.stats and altair took 5-7 s on the first Graders visit) and starts
the current figures, so the first person to open a page finds them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import pandas as pd
import streamlit as st

from labels import export, gold
from labels.workspace import Workspace

if TYPE_CHECKING:
    import altair as alt

    from labels.agreement_report import AgreementReport
    from labels.graders.rates import GroupRate
    from labels.raters import Kappa, RatersReport

log = logging.getLogger("goldset")
Version = tuple[str, int, int, int]
T = TypeVar("T")

WAIT = 1.0
"""Seconds a page waits for a figure being computed before it shows what it has
(`GOLDSET_FIGURES_WAIT` overrides it: the suite waits longer, for pages drawn whole)."""
PENDING_MARK = "for this database for the first time"
"""In the sentence a page shows while its first figure is computed (benchmarks wait for
it to go)."""
KEEP_FILES, KEEP_BYTES = 64, 1 << 30
"""Figure files kept in the cache folder: the newest, up to 64 files and 1 GiB (the graders'
comparisons on 100,000 transcripts are about 80 MB); older ones are deleted."""
_workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="goldset-figures")


def version(ws: Workspace) -> Version:
    """What figures are keyed on (see the module docstring)."""
    labels, gold = ws.store.labels_and_gold_version()
    return (str(ws.store.path), labels, gold, ws.store.verdict_count())


def folder() -> Path:
    """Where computed figures are kept: `GOLDSET_FIGURES_DIR`, else the user's cache."""
    if explicit := os.environ.get("GOLDSET_FIGURES_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "goldset" / "figures"


@dataclass(frozen=True)
class Shown(Generic[T]):
    """What a page can show of a figure now."""

    value: T | None
    """The figure, for the current version (`fresh`) or an older one; None: none yet."""
    fresh: bool
    computed_at: datetime | None
    error: str | None = None
    """Why the last computation failed, as a sentence."""

    def stale_note(self, what: str) -> str:
        """The sentence beside a figure that describes older data."""
        at = f"{self.computed_at:%H:%M:%S} UTC" if self.computed_at else "earlier"
        return (
            f"These {what} describe the data as of {at}; labels, gold or verdicts have "
            "changed since. Newer figures are being computed, and the page shows them "
            "when they are ready."
        )

    def pending_note(self, what: str) -> str:
        """The sentence shown while the first figure is computed."""
        return (
            f"Computing the {what} {PENDING_MARK}; on a large one this takes a little "
            "while. The page shows them when they are ready."
        )


@dataclass
class _Slot:
    """One figure with one set of parameters, in this server process."""

    lock: threading.Lock
    file: Path
    value: object = None
    version: object = None
    computed_at: datetime | None = None
    running: tuple[object, Future[Any]] | None = None
    error: str | None = None
    loaded: bool = False


class Figure(Generic[T]):
    """A figure computed by `compute(ws, *params)`, kept per database and parameters."""

    def __init__(self, name: str, compute: Callable[..., T]) -> None:
        self.name = name
        self.compute = compute
        self._slots: dict[tuple[object, ...], _Slot] = {}
        self._lock = threading.Lock()

    def _slot(self, ws: Workspace, params: tuple[Hashable, ...]) -> _Slot:
        key = (str(ws.store.path), *params)
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                ident = ws.store.secret("figures")  # a database made again at the same path
                name = repr((ident, self.name, key)).encode()  # differs from the old one
                file = folder() / f"{self.name}-{hashlib.sha256(name).hexdigest()[:32]}.pickle"
                slot = self._slots[key] = _Slot(threading.Lock(), file)
        with slot.lock:
            if not slot.loaded:
                slot.loaded = True
                _load(slot)
        return slot

    def start(self, ws: Workspace, key: Hashable, *params: Hashable) -> _Slot:
        """Start computing the figure for `key` unless it is there or under way."""
        slot = self._slot(ws, params)
        with slot.lock:
            if slot.version == key or (slot.running and slot.running[0] == key):
                return slot
            job = _workers.submit(self._run, slot, ws.cursor(), key, params)
            job.add_done_callback(lambda done: done.exception())  # logged and kept in the slot
            slot.running = (key, job)
        return slot

    def _run(self, slot: _Slot, ws: Workspace, key: Hashable, params: tuple[Hashable, ...]) -> T:
        try:
            value = self.compute(ws, *params)
        except Exception as exc:
            log.exception("computing the %s figures failed", self.name)
            with slot.lock:
                slot.error = f"Computing the {self.name} figures failed: {exc}"
                slot.running = None
            raise
        now = datetime.now(UTC)
        with slot.lock:
            slot.value, slot.version, slot.computed_at = value, key, now
            slot.error, slot.running = None, None
        _save(slot.file, key, now, value)
        return value

    def computed(self, ws: Workspace, key: Hashable, *params: Hashable) -> T:
        """The figure for `key`, computed on this thread if it is not there (for another
        figure's computation, which runs on a worker already)."""
        slot = self._slot(ws, params)
        with slot.lock:
            if slot.version == key:
                return slot.value  # type: ignore[return-value]
        return self._run(slot, ws, key, params)

    def get(self, ws: Workspace, key: Hashable, *params: Hashable) -> Shown[T]:
        """The figure for `key`, or what there is after waiting up to `WAIT` seconds."""
        slot = self.start(ws, key, *params)
        deadline = time.monotonic() + float(os.environ.get("GOLDSET_FIGURES_WAIT", WAIT))
        while True:
            with slot.lock:
                running = slot.running[1] if slot.running else None
                if slot.version == key or running is None or time.monotonic() >= deadline:
                    return Shown(
                        slot.value,  # type: ignore[arg-type]
                        slot.version == key,
                        slot.computed_at,
                        slot.error if slot.version != key else None,
                    )
            with contextlib.suppress(Exception):  # a timeout, or an error kept in the slot
                running.result(timeout=max(0.0, deadline - time.monotonic()))

    def current(self, ws: Workspace, key: Hashable, *params: Hashable) -> T | None:
        """The figure if it is there for `key`, else None (no waiting, nothing started)."""
        slot = self._slot(ws, params)
        with slot.lock:
            return slot.value if slot.version == key else None  # type: ignore[return-value]

    def ready(self, ws: Workspace, key: Hashable, *params: Hashable) -> bool:
        """Whether the figure for `key` is there (or its computation ended in an error)."""
        slot = self._slot(ws, params)
        with slot.lock:
            return slot.version == key or slot.running is None


def _load(slot: _Slot) -> None:
    try:
        with slot.file.open("rb") as f:
            slot.version, slot.computed_at, slot.value = pickle.load(f)  # noqa: S301 - our file
    except FileNotFoundError:
        return
    except Exception:  # noqa: BLE001 - an unreadable file is computed again
        log.warning("could not read %s; computing it again", slot.file)
        slot.version = slot.computed_at = slot.value = None


def _save(file: Path, key: Hashable, at: datetime, value: object) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        part = file.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        with part.open("wb") as f:
            pickle.dump((key, at, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, file)
        newest = sorted(
            ((p.stat(), p) for p in file.parent.glob("*.pickle")),
            key=lambda f: f[0].st_mtime,
            reverse=True,
        )
        total = 0
        for count, (stat, path) in enumerate(newest):
            total += stat.st_size
            if count >= KEEP_FILES or (total > KEEP_BYTES and path != file):
                path.unlink(missing_ok=True)
    except OSError as exc:  # a read-only cache folder: figures are only kept in memory
        log.warning("could not keep figures in %s: %s", file.parent, exc)


@overload
def on_page(figure: Figure[T], ws: Workspace, key: Hashable, *params: Hashable, what: str) -> T: ...
@overload
def on_page(
    figure: Figure[T],
    ws: Workspace,
    key: Hashable,
    *params: Hashable,
    what: str,
    stop: Literal[False],
) -> T | None: ...
def on_page(
    figure: Figure[T], ws: Workspace, key: Hashable, *params: Hashable, what: str, stop: bool = True
) -> T | None:
    """The figure for a page to draw (`Figure.get`). Older than the data: with a note,
    and the page reruns when the current one is ready. None yet: the sentence saying it
    is being computed, and the page stops there until it is ready (`stop`; else None,
    for a part of a page such as a tab)."""
    shown = figure.get(ws, key, *params)
    if not shown.fresh:
        _refresh_when_ready(figure, ws, key, params)
    if shown.error:
        st.error(shown.error)
    if shown.value is None:
        if not shown.error:
            st.info(shown.pending_note(what), icon=":material/hourglass_top:")
        if stop:
            st.stop()
        return None
    if not shown.fresh and not shown.error:
        st.caption(f":material/schedule: {shown.stale_note(what)}")
    return shown.value


def _refresh_when_ready(
    figure: Figure[T], ws: Workspace, key: Hashable, params: tuple[Hashable, ...]
) -> None:
    """Rerun the page once `figure` is there for `key` (checked every second)."""

    @st.fragment(run_every=1.0)
    def check() -> None:
        if figure.ready(ws, key, *params):
            st.rerun()

    check()


# -- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFigures:
    """What the agreement page shows: the report and its trend over time."""

    report: AgreementReport
    over_time: pd.DataFrame


def _agreement(ws: Workspace) -> AgreementFigures:
    from labels import agreement_report

    dims = ws.schema.dimensions
    trend = pd.concat(
        [agreement_report.over_time(ws, d).assign(dimension=d.name) for d in dims],
        ignore_index=True,
    )
    return AgreementFigures(agreement_report.report(ws), trend)


def _graders(ws: Workspace, gmap_text: str, reference: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary table, comparisons) of every grader against `reference`."""
    from labels.graders import calibration
    from labels.graders import map as grader_map

    gmap = grader_map.parse(gmap_text)
    labels = {d.name: ws.store.label_values(d.name) for d in ws.schema.dimensions}
    comp = calibration.comparisons(ws, None, gmap, labels, reference)  # type: ignore[arg-type]
    humans = calibration.human_agreement(ws, labels)
    return calibration.summary(comp, ws.schema, gmap, humans), comp


def _rates(ws: Workspace, gmap_text: str) -> pd.DataFrame:
    from labels.graders import map as grader_map
    from labels.graders import rates

    return rates.rate_frame(ws, None, grader_map.parse(gmap_text))


def _audit_items(ws: Workspace, gmap_text: str, grader: str) -> pd.DataFrame:
    from labels.graders import audit
    from labels.graders import map as grader_map

    return audit.audit_items(ws, grader, grader_map.parse(gmap_text))


def _kappas(ws: Workspace) -> dict[str, dict[str, Kappa]]:
    from labels import raters

    return raters.kappas_by_rater(ws)


def _raters(ws: Workspace) -> RatersReport:
    """The raters view: their work as of now, and the kappas of the labels as of now."""
    from labels import raters

    return raters.report(ws, kappas.computed(ws, version(ws)))


agreement: Figure[AgreementFigures] = Figure("agreement", _agreement)
graders: Figure[tuple[pd.DataFrame, pd.DataFrame]] = Figure("graders", _graders)
rates: Figure[pd.DataFrame] = Figure("rates", _rates)
"""Keyed on `version` and the number of audit draws (they set the strata)."""
audit_items: Figure[pd.DataFrame] = Figure("audit", _audit_items)
kappas: Figure[dict[str, dict[str, Kappa]]] = Figure("kappa", _kappas)
raters: Figure[RatersReport] = Figure("raters", _raters)
"""Keyed on `store.activity_version` (assignments too: skips and flags), its kappas on
`version`, so a skip recounts the work but not the kappas."""


def _warm(ws: Workspace) -> None:
    try:
        import altair  # noqa: F401
        import sklearn.metrics  # noqa: F401

        from labels import agreement_report, charts, export  # noqa: F401
        from labels.graders import audit, calibration, views  # noqa: F401
        from labels.graders import map as grader_map

        key = version(ws)
        agreement.start(ws, key)
        if not ws.store.graders().empty:
            graders.start(ws, key, grader_map.dumps(ws.grader_map), "gold")
        raters.start(ws, ws.store.activity_version())
    except Exception:  # noqa: BLE001 - a page starts its own figures if this fails
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
    if what == "gold":
        return export.gold_table(_ws, dim, 200), _ws.store.gold_count(dim)
    return export.labels_table(_ws, dim, 200), _ws.store.label_count(dim)


def download(
    ws: Workspace, key: Version, what: export.What, name: str, fmt: export.Format, dim: str | None
) -> tuple[bytes, bytes | None]:
    """`export.as_bytes` for the data as of `key`; gold's data card takes the agreement
    figures the agreement page shows when they are current (else it computes its own)."""
    figures = None
    if what == "gold":
        shown = agreement.get(ws, key)
        figures = shown.value.report if shown.fresh and shown.value else None
    return _download(ws, key, what, name, fmt, dim, figures)


@st.cache_data(show_spinner=False, max_entries=4)
@st.cache_data(show_spinner=False, max_entries=16)
def rate_rows(
    _ws: Workspace,
    frame: pd.DataFrame,
    gmap_text: str,
    grader: str | None,
    dim: str,
    by: tuple[str, ...],
    half: float,
) -> tuple[list[GroupRate], pd.DataFrame, dict[str, alt.LayerChart]]:
    """The rates tab's rows, table and chart per grader for `frame` (the `rates` figure)
    and the tab's choices: kept, so a rerun of the page redraws them without the PPI and
    chart-building work (most of the Graders page's time on the demo database)."""
    from labels import charts
    from labels.graders import map as grader_map
    from labels.graders import rates as rates_mod

    rows = rates_mod.rates(_ws, grader, dim, list(by), grader_map.parse(gmap_text), half, frame)
    view = rates_mod.table(rows)
    made = {str(g): charts.corrected_rates(part) for g, part in view.groupby("grader", sort=True)}
    return rows, view, made


@st.cache_data(show_spinner=False, max_entries=4)
def _download(
    _ws: Workspace,
    key: Version,
    what: export.What,
    name: str,
    fmt: export.Format,
    dim: str | None,
    _figures: AgreementReport | None,
) -> tuple[bytes, bytes | None]:
    return export.as_bytes(_ws, what, name, fmt, dim, _figures)
