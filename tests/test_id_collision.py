"""Same id, different content: never dropped silently (issue 14, point 5).

The second version is refused with a reason naming where the stored one came
from; the same content again is a harmless duplicate. Both readers agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labels.loader import ingest_paths
from labels.workspace import open_workspace


def write(path: Path, *rows: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def chat(tid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": tid, "messages": [{"role": "user", "content": text}], **extra}


@pytest.fixture(params=["fast", "line by line"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GOLDSET_JSONL_FAST", "1" if request.param == "fast" else "0")
    return str(request.param)


def test_a_second_file_with_the_same_id_and_other_content_is_refused_naming_both(
    tmp_path: Path, reader: str
) -> None:
    ws = open_workspace(tmp_path / "g.duckdb")
    first = write(tmp_path / "first.jsonl", chat("a", "hello"), chat("b", "same"))
    assert ingest_paths(ws.store, [first]).added == 2
    second = write(
        tmp_path / "second.jsonl",
        chat("b", "same"),  # the same content: a duplicate, nothing to say
        chat("a", "HELLO, edited"),
        chat("c", "new"),
        chat("b", "same", metadata={"note": "now with metadata"}),
    )
    report = ingest_paths(ws.store, [second])
    assert (report.added, report.duplicates) == (1, 1)
    assert [(r.file, r.where) for r in report.rejected] == [
        (str(second), "line 2"),
        (str(second), "line 4"),
    ]
    assert report.rejected[0].reason == (
        f"the id 'a' is already stored, from {first.name}, line 1, with different content; this "
        "version was not stored. Give one of them another id to keep both."
    )
    assert f"from {first.name}, line 2" in report.rejected[1].reason
    stored = ws.store.get_transcript("a")
    assert stored is not None and stored.messages[0].text == "hello"  # the first is kept whole
    batch = ws.store.batches().iloc[0]  # the batch record keeps the reasons too
    assert batch["rejected"] == 2 and "already stored" in str(batch["reasons"])
    ws.store.close()


def test_one_file_repeating_an_id_with_other_content_is_refused_naming_the_first_line(
    tmp_path: Path, reader: str
) -> None:
    ws = open_workspace(tmp_path / "g.duckdb")
    path = write(
        tmp_path / "one.jsonl", chat("x", "v1"), chat("y", "y"), chat("x", "v2"), chat("x", "v1")
    )
    report = ingest_paths(ws.store, [path])
    assert (report.added, report.duplicates) == (2, 1)
    [rejection] = report.rejected
    assert rejection.where == "line 3"
    assert f"from {path.name}, line 1, with different content" in rejection.reason
    ws.store.close()
