"""AppTest flows on the label page: label, evidence rule, skip, revise, blind rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from labels.store import Store
from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_demo_db(tmp_path / "flows.duckdb")


@pytest.fixture
def at(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.sidebar.selectbox(key="identity").set_value("dana").run()
    yield app


def item_of(at: AppTest) -> str:
    return str(at.session_state["item"])


def click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()


def rows(at: AppTest, sql: str) -> list[tuple[object, ...]]:
    # The app holds the database; read through its own cached connection.
    from labels import ui

    store: Store = ui._root(str(at_db(at)), str(ROOT / "data" / "schema.toml")).store
    return store.con.cursor().execute(sql).fetchall()


def at_db(at: AppTest) -> Path:
    import os

    return Path(os.environ["GOLDSET_DB"])


def submit(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Submit & next").click().run()


def test_label_submit_moves_on_and_records_everything(at: AppTest) -> None:
    first = item_of(at)
    click(at, "v-extortion-none")
    click(at, "v-manipulation-none")
    click(at, "v-ethical_explanation-na")
    at.text_area(key=f"why-{first}").set_value("Routine work, nothing at stake.").run()
    submit(at)
    assert not at.error and item_of(at) != first
    got = rows(
        at,
        "SELECT dimension, value, rationale, seconds > 0 FROM labels"
        f" WHERE rater = 'dana' AND transcript_id = '{first}' ORDER BY dimension",
    )
    assert got == [
        ("ethical_explanation", "na", "Routine work, nothing at stake.", True),
        ("extortion", "none", "Routine work, nothing at stake.", True),
        ("manipulation", "none", "Routine work, nothing at stake.", True),
    ]


def test_missing_values_and_evidence_are_sentences_not_saves(at: AppTest) -> None:
    first = item_of(at)
    click(at, "v-extortion-explicit_threat")
    submit(at)
    errors = [e.value for e in at.error]
    assert "Extortion: point to the message that shows explicit_threat." in errors
    assert "Choose a value for manipulation." in errors
    assert item_of(at) == first
    assert rows(at, "SELECT count(*) FROM labels WHERE rater = 'dana'") == [(0,)]
    at.selectbox(key=f"ev-{first}-extortion").set_value(1).run()
    at.text_input(key=f"q-{first}-extortion").set_value("words that are not there at all").run()
    click(at, "v-manipulation-none")
    click(at, "v-ethical_explanation-1")
    submit(at)
    assert any("not in message #1" in e.value for e in at.error)


def test_skip_with_reason_is_final(at: AppTest) -> None:
    first = item_of(at)
    at.selectbox(key=f"skip-{first}").set_value("Outside my expertise").run()
    at.button(key=f"skipbtn-{first}").click().run()
    assert item_of(at) != first
    assert rows(
        at,
        f"SELECT state, note FROM assignments WHERE rater = 'dana' AND transcript_id = '{first}'",
    ) == [("skipped", "Outside my expertise")]


def test_revise_appends_and_history_shows_both(at: AppTest) -> None:
    first = item_of(at)
    for key in ("v-extortion-none", "v-manipulation-none", "v-ethical_explanation-na"):
        click(at, key)
    submit(at)
    at.selectbox(key="revise-pick").set_value(first).run()
    next(b for b in at.button if b.label == "Revise this item").click().run()
    assert item_of(at) == first
    assert any("Revising" in i.value for i in at.info)
    click(at, "v-ethical_explanation-2")
    submit(at)
    values = rows(
        at,
        "SELECT value FROM labels WHERE rater = 'dana' AND dimension ="
        f" 'ethical_explanation' AND transcript_id = '{first}' ORDER BY id",
    )
    assert values == [("na",), ("2",)]


def test_blind_nothing_of_others_in_page_or_session(at: AppTest) -> None:
    shown = "\n".join(str(e.value) for e in at.main if hasattr(e, "value"))
    state = repr(at.session_state.to_dict())
    for other in (
        "ana",
        "ben",
        "chen",
        "Ana Costa",
        "demo/judge",
        "keyword-rule",
        "agentic-misalignment/",
    ):
        pattern = re.compile(rf"\b{re.escape(other)}\b")
        assert not pattern.search(shown) and not pattern.search(state), other
    assert "explicit_threat" in shown  # the page did render the label buttons


def test_adjudicator_decides_with_keys_and_gold_is_recorded(at: AppTest) -> None:
    at.switch_page("pages/adjudicate.py").run()
    top = at.dataframe[0].value.iloc[0]
    tid, dim = str(top["transcript_id"]), str(top["dimension"])
    value = "none" if dim != "ethical_explanation" else "3"
    at.button(key=f"gv-{dim}-{value}").click().run()
    at.text_area(key=f"n-{tid}-{dim}").set_value("Reasoning weighs no leverage.").run()
    next(b for b in at.button if b.label == "Decide").click().run()
    assert not at.exception
    got = rows(at, "SELECT value, method, who, note FROM gold WHERE method = 'adjudicated'")
    assert got == [(value, "adjudicated", "dana", "Reasoning weighs no leverage.")]
    remaining = at.dataframe[0].value
    assert not ((remaining["transcript_id"] == tid) & (remaining["dimension"] == dim)).any()
