"""Issue 14, point 11: the smaller points, each with its sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from labels import loader
from labels.models import Message, Record, Transcript
from labels.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def test_import_labels_jsonl_keeps_u2028_in_a_rationale_and_counts_lines(
    seeded: Workspace, tmp_path: Path
) -> None:
    rows = [
        {"transcript_id": "t01", "rater": "ana", "dimension": "extortion", "value": "none",
         "rationale": "first\u2028second\u2029third\x85fourth"},
        {"transcript_id": "t02", "rater": "ana", "dimension": "extortion", "value": "bogus"},
    ]  # fmt: skip
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    report = loader.import_labels(seeded.store, path, seeded.schema, seeded.schema_version)
    assert report.added == 1
    assert [(r.where, "bogus" in r.reason) for r in report.rejected] == [("line 2", True)]
    stored = seeded.store.all_labels("extortion")
    assert "first\u2028second\u2029third\x85fourth" in set(stored["rationale"])


def test_searching_for_a_percent_sign_is_literal(seeded: Workspace) -> None:
    assert seeded.store.search("%").empty
    assert seeded.store.text_search("%") == []
    t = Transcript(
        id="pct", source_format="jsonl", source_ref="x",
        messages=(Message(index=0, role="user", text="a 100% match"),),
    )  # fmt: skip
    seeded.store.ingest_file("p.jsonl", "jsonl", [Record(transcript=t)])
    assert seeded.store.text_search("%") == ["pct"]
    assert seeded.store.text_search("100%") == ["pct"]


def test_raters_list_shows_brackets_as_typed(tmp_path: Path) -> None:
    db = str(tmp_path / "g.duckdb")
    name = "Ana [bold]Costa[/bold] [admin]"
    run = [sys.executable, "-m", "labels", "raters"]
    subprocess.run([*run, "add", name, "--db", db], cwd=ROOT, check=True, capture_output=True)
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [*run, "list", "--db", db], cwd=ROOT, check=True, capture_output=True, text=True, env=env
    )
    assert name in done.stdout


def test_an_upload_with_a_250_character_name_is_written_and_read(tmp_path: Path) -> None:
    from labels.workspace import open_workspace

    names = ["é" * 250 + ".jsonl", "x" * 300 + ".jsonl", "../../etc/passwd.jsonl", "..", ""]
    paths = []
    for i, name in enumerate(names):
        target = loader.upload_target(tmp_path, i, name)
        assert len(target.name.encode()) <= 255 and target.parent == tmp_path / str(i)
        line = {"id": f"u{i}", "messages": [{"role": "user", "content": "hi"}]}
        target.write_text(json.dumps(line) + "\n")
        paths.append(target)
    assert paths[0].suffix == ".jsonl" and paths[2].name == "passwd.jsonl"
    ws = open_workspace(tmp_path / "g.duckdb")
    report = loader.ingest_each(ws.store, paths[:3])
    assert (report.added, report.rejected) == (3, [])
    ws.store.close()


SHARED_EVAL = ROOT.parent / "shared" / "fixtures" / "inspect"


def test_a_truncated_eval_says_it_was_cut_short_not_that_it_is_no_zip(tmp_path: Path) -> None:
    import pytest

    from labels import ingest

    logs = sorted(SHARED_EVAL.glob("*.eval"))
    if not logs:
        pytest.skip("no shared Inspect fixtures")
    data = logs[0].read_bytes()
    for size in (100, 2000, len(data) // 2, len(data) - 30):
        cut = tmp_path / f"cut{size}.eval"
        cut.write_bytes(data[:size])
        with pytest.raises(ingest.UnusableInput) as refused:
            ingest.detect_format(cut)
        reason = refused.value.reason
        assert "cut short" in reason and "not a zip archive" not in reason, reason


def test_numbers_json_cannot_hold_are_rejected_not_nulled(tmp_path: Path) -> None:
    import pytest

    from labels.ingest._common import BadRecord
    from labels.ingest.inspect import score_value
    from labels.workspace import open_workspace

    ws = open_workspace(tmp_path / "g.duckdb")
    path = tmp_path / "n.jsonl"
    path.write_text(
        '{"id": "big", "messages": [{"role": "user", "content": "x"}], "metadata": {"x": 1e999}}\n'
        '{"id": "nan", "messages": [{"role": "user", "content": "x"}],'
        ' "metadata": {"a": [1, NaN]}}\n'
        '{"id": "ok", "messages": [{"role": "user", "content": "x"}], "metadata": {"x": 1.5}}\n'
    )
    report = loader.ingest_paths(ws.store, [path])
    assert report.added == 1
    assert [(r.where, r.reason.split(" (")[0]) for r in report.rejected] == [
        ("line 1", "the number at x is inf"),
        ("line 2", "the number at a[1] is nan"),
    ]
    with pytest.raises(BadRecord, match="a score is inf"):
        score_value(float("1e999"))
    assert score_value(10**400)[1] is None  # an integer too big stays text
    grader = tmp_path / "g.csv"
    grader.write_text("transcript_id,dimension,value,score\nok,extortion,none,1e999\n")
    imported = loader.import_grader(ws.store, grader, "g", ws.schema)
    assert imported.added == 0 and "not a finite number" in imported.rejected[0].reason
    ws.store.close()
