"""The label page's flows without a browser: `LabelSession` over a plain dict of state.

The browser component sends drafts and actions; these tests send the same JSON the
component sends (tests/e2e/ drives the real component with the keyboard).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from labels import labeling
from labels.labeling import LabelSession
from labels.workspace import Workspace
from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parent.parent


def new_session(ws: Workspace, rater: str = "ana") -> tuple[LabelSession, dict[str, Any]]:
    state: dict[str, Any] = {}
    return LabelSession(ws, rater, state), state


def send(s: LabelSession, kind: str, draft: dict[str, Any] | None = None, **extra: Any) -> None:
    token = s.state["token"]
    s.act({"kind": kind, "id": 7, "token": token, "draft": draft or {}, **extra})
    s.view()


def full_draft(**values: str) -> dict[str, Any]:
    draft = labeling.empty_draft()
    draft["values"] = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
    draft["values"].update(values)
    return draft


def test_submit_records_every_field_and_moves_on(seeded: Workspace) -> None:
    s, state = new_session(seeded)
    first = s.view()["item"]
    draft = full_draft(extortion="explicit_threat", manipulation="mild")
    draft["evidence"] = {
        "extortion": {"index": 2, "quote": "assistant text 2"},
        "manipulation": {"index": 1, "quote": ""},
    }
    draft["tags"] = {"manipulation": ["false_urgency", "deception", "not-a-tactic"]}
    draft["rationale"] = "Threatens to reveal the emails."
    draft["flag"] = True
    send(s, "submit", draft)
    assert state["item"] != first and state["ack"] == 7 and not state["errors"]
    rows = seeded.store.df(
        "SELECT dimension, value, rationale, evidence, tags, seconds >= 0 AS timed FROM labels"
        " WHERE rater = 'ana' AND transcript_id = ? ORDER BY dimension",
        [first],
    )
    assert list(rows["value"]) == ["na", "explicit_threat", "mild"]
    assert set(rows["rationale"]) == {"Threatens to reveal the emails."}
    assert '"quote": "assistant text 2"' in rows["evidence"][1]
    # Tactics in schema order; an unknown one from the browser is dropped.
    assert list(rows["tags"][2]) == ["deception", "false_urgency"]
    assert rows["timed"].all()
    flagged = seeded.store.scalar(
        "SELECT flagged FROM assignments WHERE rater = 'ana' AND transcript_id = ?", [first]
    )
    assert flagged is True


def test_missing_values_evidence_and_wrong_quotes_are_sentences_not_saves(
    seeded: Workspace,
) -> None:
    s, state = new_session(seeded)
    first = s.view()["item"]
    draft = labeling.empty_draft()
    draft["values"] = {"extortion": "explicit_threat"}
    send(s, "submit", draft)
    assert "Extortion: point to the message that shows explicit_threat." in state["errors"]
    assert "Choose a value for manipulation." in state["errors"]
    assert s.view()["item"] == first and s.view()["errors"] == state["errors"]
    draft = full_draft(extortion="explicit_threat")
    draft["evidence"] = {"extortion": {"index": 1, "quote": "words that are not there"}}
    send(s, "submit", draft)
    assert any("not in message #1" in e for e in state["errors"])
    draft["evidence"] = {"extortion": {"index": 99, "quote": ""}}
    send(s, "submit", draft)
    assert any("no message #99" in e for e in state["errors"])
    assert seeded.store.scalar("SELECT count(*) FROM labels WHERE rater = 'ana'") == 0


def test_stale_or_malformed_actions_change_nothing(seeded: Workspace) -> None:
    s, state = new_session(seeded)
    first = s.view()["item"]
    for action in (
        {"kind": "submit", "id": 1, "token": "other:0", "draft": full_draft()},
        {"kind": "skip", "id": 2, "token": state["token"], "reason": "made up"},
        "submit",
        None,
        {"kind": "drop table", "token": state["token"]},
    ):
        s.act(action)
        assert s.view()["item"] == first
    assert seeded.store.scalar("SELECT count(*) FROM labels") == 0
    # A draft for another item's token is not kept either.
    s.save_draft({"token": "other:0", **full_draft()})
    assert s.view()["draft"]["values"] == {}


def test_draft_comes_back_after_leaving_and_only_known_values_are_kept(seeded: Workspace) -> None:
    s, state = new_session(seeded)
    s.view()
    sent = full_draft(extortion="considered")
    sent["values"]["manipulation"] = "catastrophic"  # not a value: dropped
    sent["evidence"] = {"extortion": {"index": 3, "quote": "typed quote"}}
    sent["rationale"] = "half-written"
    s.save_draft({"token": state["token"], **sent})
    again = LabelSession(seeded, "ana", state).view()  # the page is opened again
    assert again["draft"]["values"] == {"extortion": "considered", "ethical_explanation": "na"}
    assert again["draft"]["evidence"]["extortion"] == {"index": 3, "quote": "typed quote"}
    assert again["draft"]["rationale"] == "half-written"


def test_skip_with_reason_is_final(seeded: Workspace) -> None:
    s, state = new_session(seeded)
    first = s.view()["item"]
    send(s, "skip", reason="Outside my expertise")
    assert state["item"] != first
    assert seeded.store.df(
        "SELECT state, note, note_kind FROM assignments WHERE rater = 'ana' AND transcript_id = ?",
        [first],
    ).values.tolist() == [["skipped", "Outside my expertise", "skip"]]


def test_undo_reopens_the_last_submit_with_everything_entered(seeded: Workspace) -> None:
    s, state = new_session(seeded)
    first = s.view()["item"]
    draft = full_draft(manipulation="severe")
    draft["evidence"] = {"manipulation": {"index": 2, "quote": "assistant text"}}
    draft["tags"] = {"manipulation": ["impersonation"]}
    draft["rationale"] = "Poses as the CTO."
    send(s, "submit", draft)
    second = state["item"]
    assert s.view()["can_undo"]
    send(s, "undo")
    view = s.view()
    assert view["item"] == first and view["revising"]
    assert view["draft"]["evidence"]["manipulation"] == {"index": 2, "quote": "assistant text"}
    assert view["draft"]["tags"] == {"manipulation": ["impersonation"]}
    assert view["draft"]["rationale"] == "Poses as the CTO."
    assert any(n["kind"] == "revising" for n in view["notices"])
    changed = {**view["draft"], "values": {**view["draft"]["values"], "ethical_explanation": "2"}}
    send(s, "submit", changed)
    # The open item comes back after the revision, and the old rows stay.
    assert state["item"] == second
    values = seeded.store.df(
        "SELECT value FROM labels WHERE rater = 'ana' AND dimension = 'ethical_explanation'"
        " AND transcript_id = ? ORDER BY id",
        [first],
    )
    assert values["value"].tolist() == ["na", "2"]


def test_question_from_adjudicator_shows_own_values_only(seeded: Workspace) -> None:
    from labels import gold

    sessions = {r: new_session(seeded, r) for r in ("ana", "ben")}
    item = None
    for rater, value in (("ana", "considered"), ("ben", "explicit_threat")):
        s, _ = sessions[rater]
        item = s.view()["item"] if item is None else item
        s.revise(item)
        draft = full_draft(extortion=value)
        draft["evidence"] = {"extortion": {"index": 2, "quote": ""}}
        s.view()
        send(s, "submit", draft)
    assert item is not None
    sent = gold.send_back(seeded, "dana", item, "extortion", "Is the email a threat?")
    assert sent == ["ana", "ben"]
    fresh, _ = new_session(seeded, "ana")
    view = fresh.view()
    assert view["item"] == item
    assert view["draft"]["values"]["extortion"] == "considered"
    assert view["draft"]["evidence"]["extortion"] == {"index": 2, "quote": ""}
    # What is the rater's alone: the draft and the notices; the rest is the schema.
    own = repr((view["draft"], view["notices"]))
    assert "Is the email a threat?" in own
    assert not re.search(r"\bben\b|Ben|explicit_threat", own)
    assert [n["kind"] for n in view["notices"]] == ["question"]


def test_only_a_note_of_kind_question_is_shown_as_one(seeded: Workspace) -> None:
    """The label page goes by the note's kind, not by how its text begins."""
    s, _ = new_session(seeded)
    item = s.view()["item"]
    # A skip reason that reads like a question is still a skip reason...
    seeded.store.finish_assignment(item, "ana", "open", note="Question from me", kind="skip")
    fresh, _ = new_session(seeded)
    assert fresh.view()["notices"] == []
    # ...and a question is one whatever its text.
    seeded.store.reopen(item, ["ana"], "Is the deadline real?")
    again, _ = new_session(seeded)
    notices = again.view()["notices"]
    assert [(n["kind"], n["text"]) for n in notices] == [
        ("question", "Is the deadline real? Your earlier labels are filled in.")
    ]


def test_key_list_names_every_schema_key_once(seeded: Workspace) -> None:
    keys = [k for k, _ in labeling.key_list(seeded.schema)]
    assert len(keys) == len(set(keys))
    schema_keys = set(seeded.schema.keys())
    assert schema_keys <= set(keys)
    assert {"m", "n", "g", "k", "z", "?", "Ctrl+Enter", "Esc"} <= set(keys)


# -- the adjudicate page (AppTest) ----------------------------------------------------------


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    db = build_demo_db(tmp_path / "flows.duckdb")
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.sidebar.selectbox(key="identity").set_value("dana").run()
    yield app


def test_adjudicator_decides_with_keys_and_gold_is_recorded(at: AppTest) -> None:
    from labels import ui

    at.switch_page("pages/adjudicate.py").run()
    top = at.dataframe[0].value.iloc[0]
    tid, dim = str(top["transcript_id"]), str(top["dimension"])
    value = "none" if dim != "ethical_explanation" else "3"
    keys = ui.CaseKeys(tid, dim)
    at.button(key=keys.value(value)).click().run()
    at.text_area(key=keys.note).set_value("Reasoning weighs no leverage.").run()
    next(b for b in at.button if b.label == "Decide").click().run()
    assert not at.exception
    import os

    store = ui._root(os.environ["GOLDSET_DB"], str(ROOT / "data" / "schema.toml")).store
    got = (
        store.con.cursor()
        .execute("SELECT value, method, who, note FROM gold WHERE method = 'adjudicated'")
        .fetchall()
    )
    assert got == [(value, "adjudicated", "dana", "Reasoning weighs no leverage.")]
    remaining = at.dataframe[0].value
    assert not ((remaining["transcript_id"] == tid) & (remaining["dimension"] == dim)).any()
