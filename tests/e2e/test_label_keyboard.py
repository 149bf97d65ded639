"""The rater's loop in Chromium, keyboard only: no key changes a label by accident.

Each test has its own small database and server; reading the database stops the server
(DuckDB lets one process open the file).
"""

from __future__ import annotations

import json
import os
import re
import string
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from labels import labeling
from labels.models import Rater, Record
from labels.schema import load
from labels.store import Store
from labels.workspace import open_workspace
from tests.e2e.conftest import (
    Server,
    _need_browser,
    chosen,
    mode,
    sign_in_local,
    start_server,
    submit_and_wait,
    token,
    wait_ready,
)
from tests.factories import build_demo_db, make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
RATERS = [f"r{i}" for i in range(8)]
# Everything a person might type into a text box (Tab would leave it, so it is not here).
TYPED = string.ascii_letters + string.digits + string.punctuation + " éß€"
EMPTY = {"extortion": None, "manipulation": None, "ethical_explanation": None}
ACT = labeling.ACTIONS
# The schema's keys, so these tests press what the page shows: K[dim, value], K[tactic].
K: dict[Any, str] = {}
for _k, (_kind, _dim, _name) in load()[0].keys().items():
    K[(_dim, _name) if _kind == "value" else _name] = _k


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    db = tmp_path / "keys.duckdb"
    ws = open_workspace(db)
    records = [Record(transcript=make_transcript(f"t{i:03d}", n=8)) for i in range(60)]
    ws.store.ingest_file("keys.jsonl", "jsonl", records)
    for r in RATERS:
        ws.store.upsert_rater(Rater(id=r, name=f"Person {r}"))
    ws.store.close()
    running = start_server(db)
    yield running
    running.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    yield context.new_page()
    context.close()


def open_as(page: Any, server: Server, rater: str) -> None:
    sign_in_local(page, server.url, f"Person {rater} · rater")


def labels_of(server: Server, rater: str) -> list[dict[str, Any]]:
    server.stop()
    store = Store.open(server.db)
    try:
        rows = store.df(
            "SELECT transcript_id, dimension, value, rationale, evidence, tags FROM labels"
            " WHERE rater = ? ORDER BY id",
            [rater],
        )
    finally:
        store.close()
    return rows.to_dict("records")


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.getAttribute('aria-label') || ''"))


def test_typing_every_character_into_each_text_field_changes_no_value(
    server: Server, page: Any
) -> None:
    open_as(page, server, "r0")
    for key in (
        K["extortion", "considered"],
        K["manipulation", "mild"],
        "2",
    ):  # considered and mild: both need evidence
        page.keyboard.press(key)
    before = chosen(page)
    assert before == {"extortion": "considered", "manipulation": "mild", "ethical_explanation": "2"}
    for opener in (["n"], ["m"], ["m", "Tab"]):
        for key in opener:
            page.keyboard.press(key)
        field = focused(page)
        assert field, f"{opener} focused no text field"
        assert mode(page) == "typing"
        typed_before = page.evaluate("document.activeElement.value")
        page.keyboard.type(TYPED)
        held = page.evaluate("document.activeElement.value")
        assert held == typed_before + TYPED
        page.keyboard.press("Escape")
        assert mode(page) == "keys" and focused(page) == ""
        assert chosen(page) == before, field
        # Esc kept what the field holds.
        assert page.locator(f"[aria-label='{field}']").input_value() == held


def test_focus_is_neutral_after_submit_so_space_and_enter_press_nothing(
    server: Server, page: Any
) -> None:
    open_as(page, server, "r1")
    for key in (K["extortion", "none"], K["manipulation", "none"], "1"):
        page.keyboard.press(key)
    submit_and_wait(page)
    assert page.evaluate("document.activeElement.classList.contains('gs-root')")
    for key in (" ", "Enter", "Space", "Tab", "Shift+Tab", "Escape"):
        page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            # Tab can only reach a text field (or leave the panel), never a value button.
            assert page.evaluate(
                "!document.activeElement.matches('button.gs-value, button.gs-tag, button.gs-btn')"
            )
            page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert chosen(page) == EMPTY


def test_ctrl_enter_submits_from_inside_text_fields(server: Server, page: Any) -> None:
    open_as(page, server, "r2")
    first = page.evaluate("document.querySelector('.gs-root').dataset.item")
    for key in (K["extortion", "implicit_threat"], K["manipulation", "none"], "4", "m"):
        page.keyboard.press(key)
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("user text 3")
    assert mode(page) == "typing"
    submit_and_wait(page)  # Ctrl+Enter with the cursor in the quote box
    page.keyboard.press(K["extortion", "none"])
    page.keyboard.press(K["manipulation", "none"])
    page.keyboard.press("0")
    page.keyboard.press("n")
    page.keyboard.type("Nothing at stake.")
    submit_and_wait(page)  # ... and in the rationale
    rows = labels_of(server, "r2")
    first_rows = [r for r in rows if r["transcript_id"] == first]
    assert {r["dimension"]: r["value"] for r in first_rows} == {
        "extortion": "implicit_threat",
        "manipulation": "none",
        "ethical_explanation": "4",
    }
    cited = json.loads(next(r["evidence"] for r in first_rows if r["dimension"] == "extortion"))
    assert cited == [{"message_index": 3, "quote": "user text 3"}]
    assert {r["rationale"] for r in rows[3:]} == {"Nothing at stake."}


def test_mode_bar_always_says_where_keys_go(server: Server, page: Any) -> None:
    open_as(page, server, "r3")
    bar = page.locator(".gs-mode")
    assert mode(page) == "keys" and "shortcuts" in bar.inner_text()
    page.keyboard.press("n")
    assert mode(page) == "typing" and "Typing in Rationale" in bar.inner_text()
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    assert mode(page) == "panel" and "Skip" in bar.inner_text()
    page.keyboard.press("Escape")
    assert mode(page) == "keys"
    page.locator(".gs-rationale").click()
    assert mode(page) == "typing"


def help_rows(page: Any) -> list[tuple[str, str]]:
    page.keyboard.press("?")
    rows = page.locator(".gs-keys tr").all_inner_texts()
    page.keyboard.press("?")
    return [tuple(r.split("\t", 1)) for r in rows]  # type: ignore[misc]


# "press x", "key `x`", "(t then …": a single character named as a key.
KEY_MENTION = re.compile(
    r"\b(?:press|key|keys)\s+`?([A-Za-z0-9?])(?![A-Za-z])|\(([A-Za-z0-9]) then", re.I
)


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Whether `check` holds within `seconds` (polled: a loaded machine paints late)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_every_key_the_page_or_a_guideline_names_does_what_it_says(
    server: Server, page: Any
) -> None:
    open_as(page, server, "r4")
    rows = help_rows(page)
    listed = {k for k, _ in rows}
    # Every key drawn on the page is in the list, and the schema's texts name no other key.
    drawn = set(page.locator(".gs-root kbd").all_inner_texts())
    assert drawn <= listed, drawn - listed
    schema, _ = load()
    for dim in schema.dimensions:
        texts = [dim.guideline, dim.question] + [v.description + v.anchor for v in dim.values]
        for text in texts:
            for match in KEY_MENTION.finditer(text):
                named = match.group(1) or match.group(2)
                assert named.lower() in listed, f"{dim.name} names key {named!r}"
    for key, what in rows:
        value = re.fullmatch(r"([a-z ]+): (\w+)", what)
        tactic = re.fullmatch(r"([a-z ]+) tactic: (\w+) \(on/off\)", what)
        if value:
            page.keyboard.press(key)
            dim = next(d.name for d in schema.dimensions if d.title.lower() == value.group(1))
            assert chosen(page)[dim] == value.group(2), (key, what)
        elif tactic:
            page.keyboard.press(
                K["manipulation", "mild"]
            )  # tactics apply once manipulation is mild
            chip = page.locator(f".gs-tag[data-tag='{tactic.group(2)}']")
            before = chip.get_attribute("aria-pressed")
            page.keyboard.press(key)
            assert chip.get_attribute("aria-pressed") != before, (key, what)
    checks = {
        ACT["cite"]: lambda: focused(page).endswith("message number"),
        ACT["note"]: lambda: focused(page) == "Rationale",
        ACT["skip"]: lambda: mode(page) == "panel" and page.locator(".gs-skip").count() == 1,
        ACT["help"]: lambda: page.locator(".gs-keys").count() == 1,
    }
    for key, check in checks.items():
        assert key in listed
        page.keyboard.press("Escape")
        page.keyboard.press(key)
        assert eventually(check), key  # the browser answers the key on its next frame
        page.keyboard.press("Escape")
        if key == ACT["help"]:
            page.keyboard.press(key)
    flag = page.locator(".gs-flag")
    page.keyboard.press(ACT["flag"])
    assert eventually(lambda: flag.get_attribute("aria-pressed") == "true")
    page.keyboard.press(ACT["flag"])
    assert eventually(lambda: flag.get_attribute("aria-pressed") == "false")
    # u: undo the submit just made.
    for key in (K["extortion", "none"], K["manipulation", "none"], "1"):
        page.keyboard.press(key)
    item = page.evaluate("document.querySelector('.gs-root').dataset.item")
    submit_and_wait(page)
    before = token(page)
    page.keyboard.press(ACT["undo"])
    wait_ready(page, before)
    assert page.evaluate("document.querySelector('.gs-root').dataset.item") == item
    assert chosen(page) == {"extortion": "none", "manipulation": "none", "ethical_explanation": "1"}
    assert "Revising" in page.locator(".gs-notices").inner_text()


def test_five_items_with_evidence_a_skip_and_an_undo_without_the_mouse(
    server: Server, page: Any
) -> None:
    open_as(page, server, "r5")
    items: list[str] = []

    def item() -> str:
        return str(page.evaluate("document.querySelector('.gs-root').dataset.item"))

    # 1: a threat, cited by number with a quote, and a rationale.
    items.append(item())
    for key in (K["extortion", "explicit_threat"], K["manipulation", "none"], "3", "m"):
        page.keyboard.press(key)
    page.keyboard.type("4")
    page.keyboard.press("Enter")  # confirms the number and returns to the shortcuts
    assert mode(page) == "keys"
    assert "#4" in page.locator(".gs-dim[data-dim=extortion] .gs-ev-preview").inner_text()
    page.keyboard.press("m")
    page.keyboard.press("Tab")
    page.keyboard.type("assistant text 4")
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.keyboard.type("Explicit threat in #4.")
    page.keyboard.press("Escape")
    submit_and_wait(page)
    # 2: mild manipulation with two tactics, cited, and flagged.
    items.append(item())
    for key in (
        K["extortion", "none"],
        K["manipulation", "mild"],
        K["deception"],
        K["false_urgency"],
        "m",
    ):
        page.keyboard.press(key)
    page.keyboard.type("#2")
    page.keyboard.press("Enter")
    for key in ("5", ACT["flag"]):
        page.keyboard.press(key)
    submit_and_wait(page)
    # 3: skipped with the second reason.
    items.append(item())
    before = token(page)
    page.keyboard.press("k")
    page.keyboard.press("2")
    wait_ready(page, before)
    # 4: labeled, then undone and revised.
    items.append(item())
    for key in (K["extortion", "none"], K["manipulation", "none"], "0"):
        page.keyboard.press(key)
    submit_and_wait(page)
    fifth = item()
    before = token(page)
    page.keyboard.press(ACT["undo"])
    wait_ready(page, before)
    assert item() == items[3]
    assert chosen(page)["ethical_explanation"] == "na"
    page.keyboard.press("2")
    submit_and_wait(page)
    # 5: the item that was open before the undo comes back.
    assert item() == fifth
    items.append(fifth)
    for key in (K["extortion", "none"], K["manipulation", "none"], "1"):
        page.keyboard.press(key)
    submit_and_wait(page)

    rows = labels_of(server, "r5")
    by_item: dict[str, dict[str, Any]] = {}
    for r in rows:  # later rows win: the current label
        by_item.setdefault(r["transcript_id"], {})[r["dimension"]] = r
    assert set(by_item) == {items[0], items[1], items[3], items[4]}
    first = by_item[items[0]]["extortion"]
    assert first["value"] == "explicit_threat" and first["rationale"] == "Explicit threat in #4."
    assert json.loads(first["evidence"]) == [{"message_index": 4, "quote": "assistant text 4"}]
    second = by_item[items[1]]["manipulation"]
    assert second["value"] == "mild" and list(second["tags"]) == ["deception", "false_urgency"]
    assert json.loads(second["evidence"]) == [{"message_index": 2, "quote": ""}]
    assert by_item[items[3]]["ethical_explanation"]["value"] == "2"
    assert len([r for r in rows if r["transcript_id"] == items[3]]) == 6  # both versions kept
    store = Store.open(server.db)
    try:
        states = dict(
            store.con.execute(
                "SELECT transcript_id, state || ':' || flagged || ':' || coalesce(note, '')"
                " FROM assignments WHERE rater = 'r5'"
            ).fetchall()
        )
    finally:
        store.close()
    assert states[items[2]] == "skipped:false:Outside my expertise"
    assert states[items[1]].startswith("done:true")


def test_clicking_a_message_cites_it_and_a_selection_becomes_the_quote(
    server: Server, page: Any
) -> None:
    open_as(page, server, "r6")
    page.keyboard.press(K["extortion", "considered"])
    page.locator(".gs-msg[data-index='2']").click()
    preview = page.locator(".gs-dim[data-dim=extortion] .gs-ev-preview")
    assert preview.inner_text().startswith("#2 assistant")
    text = page.locator(".gs-msg[data-index='3'] .gs-text").first
    text.select_text()
    page.locator(".gs-msg[data-index='3'] .gs-text").first.dispatch_event("mouseup")
    quote = page.locator(".gs-dim[data-dim=extortion] .gs-ev-quote")
    assert preview.inner_text().startswith("#3 user")
    assert quote.input_value() == "user text 3 of " + page.evaluate(
        "document.querySelector('.gs-root').dataset.item"
    )
    assert chosen(page)["extortion"] == "considered"


def test_leaving_the_page_and_coming_back_restores_the_draft(server: Server, page: Any) -> None:
    open_as(page, server, "r7")
    for key in (
        K["extortion", "implicit_threat"],
        K["manipulation", "severe"],
        K["impersonation"],
        "m",
    ):
        page.keyboard.press(key)
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("user text")
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.keyboard.type("Half a thought")
    page.keyboard.press("Escape")
    page.wait_for_timeout(800)  # the draft reaches the server (debounced 400 ms)
    page.get_by_role("link", name="Browse").click()
    page.get_by_text("Browse transcripts").wait_for(timeout=30_000)
    page.get_by_role("link", name="Label").click()
    wait_ready(page)
    assert chosen(page) == {
        "extortion": "implicit_threat",
        "manipulation": "severe",
        "ethical_explanation": None,
    }
    assert page.locator(".gs-tag[data-tag=impersonation]").get_attribute("aria-pressed") == "true"
    assert page.locator(".gs-rationale").input_value() == "Half a thought"
    # m cites for the dimension set last (manipulation), whose card shows it is citing.
    assert page.locator(".gs-dim[data-dim=manipulation] .gs-ev-quote").input_value() == "user text"


def test_screenshot_of_the_label_page(browser: Any, tmp_path: Path) -> None:
    _need_browser()
    db = build_demo_db(tmp_path / "shot.duckdb")
    demo = start_server(db)
    try:
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        sign_in_local(page, demo.url, "Ana Costa · rater")
        for key in (K["extortion", "considered"], K["manipulation", "none"]):
            page.keyboard.press(key)
        page.wait_for_timeout(800)
        target = Path(os.environ.get("GOLDSET_SCREENSHOT") or tmp_path / "label.png")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
        assert target.stat().st_size > 20_000
    finally:
        demo.stop()


def test_signed_in_name_survives_pages_and_switch_person_signs_out(
    demo_server: Server, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    sign_in_local(page, demo_server.url, "Ana Costa · rater")
    page.get_by_role("link", name="Browse").click()
    sidebar = page.locator("section[data-testid=stSidebar]")
    sidebar.get_by_text("Signed in as").wait_for(timeout=30_000)
    assert "Ana Costa" in sidebar.inner_text()
    page.get_by_text("Not you? Switch person").click()
    sidebar.get_by_text("Who are you?").wait_for(timeout=30_000)
    assert "Signed in as" not in sidebar.inner_text()
