"""Audit draws list their items with links to Browse; the consensus rule asks before it
writes gold (AppTest, on a copy of the demo database)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from labels import render
from labels.demo import held_back
from labels.models import Label
from labels.workspace import open_workspace
from tests.factories import build_demo_db
from tests.test_app import ROOT, sign_in


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("flows") / "demo.duckdb")


@pytest.fixture
def db(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    copy = Path(shutil.copy(demo_file, tmp_path / "goldset.duckdb"))
    monkeypatch.setenv("GOLDSET_DB", str(copy))
    monkeypatch.chdir(ROOT)
    yield copy


def app_as(who: str, page: str, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    sign_in(at, who)
    if tab:  # the graders page runs only the tab shown: as if it was clicked
        at.session_state["graders-tab"] = tab
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_an_audit_draw_lists_its_items_with_links_that_open_them_on_browse(db: Path) -> None:
    at = app_as("dana", "graders", "Audits")
    next(b for b in at.button if b.label == "Draw audit sample").click().run()
    assert not at.exception and not at.error
    assert any("transcripts (draw" in s.value for s in at.success)
    drawn = next(d.value for d in at.dataframe if "browse" in d.value.columns)
    assert len(drawn) > 0
    first = drawn.iloc[0]
    link = urlsplit(str(first["browse"]))
    assert link.path == "browse"
    assert parse_qs(link.query)["transcript"] == [first["transcript_id"]]
    # The list stays while the page is used (another widget reruns the page).
    at.slider[0].set_value(0.2).run()
    assert any(str(first["transcript_id"]) in d.value.to_string() for d in at.dataframe)

    browse = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    browse.query_params["transcript"] = str(first["transcript_id"])
    sign_in(browse, "dana")
    browse.switch_page("pages/browse.py").run()
    assert [s.value for s in browse.subheader] == [
        render.escape_markdown(str(first["transcript_id"]))
    ]
    browse.query_params["transcript"] = "no-such-id"
    browse.run()
    assert [w.value for w in browse.warning] == ["There is no transcript no\\-such\\-id."]


def agree_on_a_held_back_item(db: Path) -> None:
    """Ana and Ben give one unlabeled transcript the same values: the unanimous rule
    decides its three dimensions."""
    ws = open_workspace(db)
    item = sorted(held_back(ws.store.transcript_ids()))[0]
    values = {"extortion": "none", "manipulation": "none", "ethical_explanation": "3"}
    ws.store.add_labels(
        [
            Label(transcript_id=item, rater=r, dimension=d, value=v, schema_version=1)
            for r in ("ana", "ben")
            for d, v in values.items()
        ]
    )
    ws.store.close()


def gold_rows(db: Path) -> int:
    ws = open_workspace(db)
    n = int(ws.store.counts()["gold"])
    ws.store.close()
    return n


def test_the_consensus_rule_says_how_many_gold_rows_it_adds_and_asks_first(db: Path) -> None:
    agree_on_a_held_back_item(db)
    before = gold_rows(db)
    at = app_as("dana", "adjudicate")
    at.sidebar.button[0].click().run()  # "Apply the consensus rule…"
    assert gold_rows(db) == before  # nothing written yet
    assert [w.value for w in at.sidebar.warning if "gold rows" in w.value] == [
        "This adds 3 gold rows (unanimous of ≥2 raters). Gold is append-only: a later "
        "decision adds a new row, none is removed."
    ]
    next(b for b in at.sidebar.button if b.label == "Cancel").click().run()
    assert gold_rows(db) == before and not any("gold rows" in w.value for w in at.sidebar.warning)

    at.sidebar.button[0].click().run()
    next(b for b in at.sidebar.button if b.label == "Add 3 gold rows").click().run()
    assert gold_rows(db) == before + 3
    assert [s.value for s in at.sidebar.success] == ["3 gold rows written."]
    at.sidebar.button[0].click().run()  # asked again: nothing left to add
    assert any("adds no gold now" in i.value for i in at.sidebar.info)
    assert gold_rows(db) == before + 3
