"""The review pages' figures (`labels.ui.cached.Figure`): computed off the page, shown as
they were while a newer one computes, kept on disk across a restart, never mixed up
between databases."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from labels.models import Label
from labels.ui import cached
from labels.workspace import Workspace, open_workspace


@pytest.fixture
def figures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "figures"
    monkeypatch.setenv("GOLDSET_FIGURES_DIR", str(folder))
    monkeypatch.setenv("GOLDSET_FIGURES_WAIT", "0.2")
    return folder


class Counting:
    """A figure's computation: the number of labels, once `gate` opens; counts its calls."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls = 0

    def __call__(self, ws: Workspace, extra: int = 0) -> int:
        self.calls += 1
        assert self.gate.wait(30)
        return ws.store.labels_and_gold_version()[0] + extra


def settled(figure: cached.Figure[object], ws: Workspace, *args: object) -> cached.Shown[object]:
    """`figure.get` once its computation has ended (the wait is short here)."""
    shown = figure.get(ws, *args)
    while not figure.ready(ws, *args):
        shown = figure.get(ws, *args)
    return figure.get(ws, *args) if not shown.fresh and shown.error is None else shown


def label(ws: Workspace, item: str = "t1") -> None:
    ws.store.add_labels(
        [
            Label(
                transcript_id=item,
                rater="ana",
                dimension="extortion",
                value="none",
                schema_version=ws.schema_version,
            )
        ]
    )


def test_a_slow_figure_is_pending_then_fresh_then_stale_while_the_next_computes(
    figures_dir: Path, tmp_path: Path
) -> None:
    ws = open_workspace(tmp_path / "a.duckdb")
    compute = Counting()
    figure = cached.Figure("count", compute)
    key = cached.version(ws)

    first = figure.get(ws, key)  # nothing yet, and it takes longer than the wait
    assert first.value is None and not first.fresh
    assert "for the first time" in first.pending_note("counts")
    compute.gate.set()
    assert settled(figure, ws, key).value == 0 and figure.get(ws, key).fresh
    assert figure.ready(ws, key) and compute.calls == 1  # asked thrice, computed once

    compute.gate.clear()
    label(ws)
    newer = cached.version(ws)
    stale = figure.get(ws, newer)  # the old figure at once, marked as older
    assert (stale.value, stale.fresh) == (0, False) and not figure.ready(ws, newer)
    assert "as of" in stale.stale_note("counts") and stale.computed_at is not None
    compute.gate.set()
    assert (settled(figure, ws, newer).value, figure.get(ws, newer).fresh) == (1, True)
    assert compute.calls == 2


def test_figures_survive_a_restart_and_never_cross_databases(
    figures_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "b.duckdb"
    ws = open_workspace(path)
    label(ws)
    key = cached.version(ws)
    compute = Counting()
    compute.gate.set()
    assert settled(cached.Figure("count", compute), ws, key, 10).value == 11
    assert len(list(figures_dir.glob("count-*.pickle"))) == 1

    restarted = Counting()  # a new server process: a new Figure, the same folder
    restarted.gate.set()
    again = cached.Figure("count", restarted).get(ws, key, 10)
    assert (again.value, again.fresh, restarted.calls) == (11, True, 0)
    other = settled(cached.Figure("count", restarted), ws, key, 20)  # other parameters
    assert (other.value, restarted.calls) == (21, 1)
    ws.store.close()

    # A new database made at the same path, with the same counts, is not the old one.
    for suffix in ("", ".wal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fresh_ws = open_workspace(path)
    label(fresh_ws, "t9")
    assert cached.version(fresh_ws) == key
    made_again = Counting()
    made_again.gate.set()
    assert settled(cached.Figure("count", made_again), fresh_ws, key, 10).value == 11
    assert made_again.calls == 1


def test_a_failed_computation_is_a_sentence_and_is_tried_again(
    figures_dir: Path, tmp_path: Path
) -> None:
    ws = open_workspace(tmp_path / "c.duckdb")
    attempts: list[int] = []

    def flaky(ws: Workspace) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("the labels table is locked")
        return "done"

    figure = cached.Figure("flaky", flaky)
    key = cached.version(ws)
    failed = figure.get(ws, key)
    assert failed.value is None and figure.ready(ws, key)
    assert failed.error == "Computing the flaky figures failed: the labels table is locked"
    assert settled(figure, ws, key).value == "done" and len(attempts) == 2


def test_an_unreadable_figure_file_is_computed_again(figures_dir: Path, tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "d.duckdb")
    key = cached.version(ws)
    compute = Counting()
    compute.gate.set()
    settled(cached.Figure("count", compute), ws, key)
    (file,) = figures_dir.glob("count-*.pickle")
    file.write_bytes(b"not a pickle")
    assert settled(cached.Figure("count", compute), ws, key).value == 0
    assert compute.calls == 2
