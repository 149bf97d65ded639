"""CSV exports are inert in spreadsheets (issue 14, point 7): a cell that starts with
= + - @ tab or CR gets a leading `'` (OWASP), in every CSV Goldset writes, from the CLI
and from the Export page alike; JSONL and Parquet keep the values exact."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from labels import demo, export, gold
from labels.models import Label
from labels.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    '=HYPERLINK("http://evil/?x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "g.duckdb"
    ws = open_workspace(db)
    demo.build(ws)
    add_hostile(ws)
    ws.store.close()
    return db


def add_hostile(ws: Workspace) -> None:
    labels = [
        Label(
            transcript_id="chat-002",
            rater="ana",
            dimension="extortion",
            value="none",
            rationale=text,
            schema_version=ws.schema_version,
        )
        for text in HOSTILE
    ]
    ws.store.add_labels(labels)
    gold.adjudicate(ws, "dana", "chat-002", "extortion", "none", HOSTILE[0])


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def cells(path: Path) -> list[str]:
    return [cell for row in rows(path) for cell in row]


def test_inert_cell_follows_the_owasp_rule() -> None:
    for text in HOSTILE:
        assert export.inert_cell(text) == "'" + text
    for text in ("plain", "", "a=b", " =1", "1e5", "'quoted"):
        assert export.inert_cell(text) == text
    assert export.inert_cell(-3) == -3 and export.inert_cell(None) is None


@pytest.mark.parametrize("what", ["labels", "gold"])
def test_the_cli_csv_export_neutralises_formulas(
    hostile_db: Path, tmp_path: Path, what: str
) -> None:
    out = tmp_path / f"{what}.csv"
    command = [sys.executable, "-m", "labels", "export", what, "--format", "csv"]
    command += ["--out", str(out), "--db", str(hostile_db)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    written = cells(out)
    expected = HOSTILE if what == "labels" else HOSTILE[:1]
    for text in expected:
        assert "'" + text in written, text
    assert not any(c.startswith(tuple("=+-@\t\r")) for c in written)
    assert len({len(row) for row in rows(out)}) == 1  # a CR inside a cell ends no row


def test_jsonl_and_parquet_keep_the_values_exact(hostile_db: Path, tmp_path: Path) -> None:
    ws = open_workspace(hostile_db)
    export.export_labels(ws, tmp_path / "l.jsonl", "jsonl")
    export.export_labels(ws, tmp_path / "l.parquet", "parquet")
    lines = (tmp_path / "l.jsonl").read_text(encoding="utf-8").splitlines()
    from_jsonl = {json.loads(line)["rationale"] for line in lines}
    from_parquet = set(pq.read_table(tmp_path / "l.parquet").column("rationale").to_pylist())
    assert set(HOSTILE) <= from_jsonl and set(HOSTILE) <= from_parquet
    ws.store.close()


# -- the tables' own toolbar download (st.dataframe's "Download as CSV") -------------------


def test_the_repo_config_turns_off_table_downloads() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_the_app_turns_table_downloads_off_when_the_server_did_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started from another folder, or with the option false: app.py sets it, then reruns."""
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    # Its own database: the default data/goldset.duckdb made empty here would stop `make
    # run` from building the demo there.
    monkeypatch.setenv("GOLDSET_DB", str(tmp_path / "app.duckdb"))
    before = config.get_option("client.disableDataExport")
    config.set_option("client.disableDataExport", False)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert config.get_option("client.disableDataExport") is True
        assert not at.exception
        assert [t.value for t in at.title] == ["Goldset"]  # the page after the rerun
    finally:
        config.set_option("client.disableDataExport", before)
