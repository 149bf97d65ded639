"""Nesting is bounded on the bytes before any parser sees them (issue 14, point 1).

Arrow's JSON parser crashes the process (a segfault) on a line nesting 20,000
`[` deep, so the fast JSONL reader must decline such a file before Arrow opens
it, and every reader must refuse it with file, line and reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.json as pj
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.ingest import jsonl_fast, nesting
from labels.ingest.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
DEEP = '{"id": "deep", "messages": [{"role": "user", "content": "hi"}], "metadata": {"x": '
DEEP_LINE = DEEP + "[" * 20_000 + "]" * 20_000 + "}}"
GOOD_LINE = json.dumps({"id": "ok", "messages": [{"role": "user", "content": "hello"}]})


def reference_depth(text: str, lines: bool) -> tuple[int, int]:
    """Depth and line by walking the characters, the way a JSON lexer does."""
    best = (0, 1)
    for number, segment in enumerate(text.split("\n") if lines else [text], start=1):
        level, inside, escape, line = 0, False, False, number
        for ch in segment:
            line += ch == "\n"
            escaped, escape = escape, ch == "\\" and not escape  # a quote after an odd run
            if ch == '"' and not escaped:
                inside = not inside
            elif not inside and ch in "[{":
                level += 1
            elif not inside and ch in "]}":
                level -= 1
            if level > best[0]:
                best = (level, line)
    return best


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='[]{}"\\ a\n', max_size=60), st.booleans())
def test_depth_matches_a_character_walk(text: str, lines: bool) -> None:
    found = nesting.deepest(text.encode(), lines)
    depth, line = reference_depth(text, lines)
    assert found.depth == depth
    if depth:
        assert found.line == line


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "]]]]" * 50 + "[[[[" * 50, "b": [[['x\\"]]']]]})
    assert nesting.deepest(text.encode()).depth == 4


def run_ingest(path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOLDSET_JSONL_FAST": "1"}
    command = [sys.executable, "-m", "labels", "ingest", str(path), "--db", str(db), "--json"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_a_line_nesting_20000_deep_is_rejected_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(f"{GOOD_LINE}\n{DEEP_LINE}\n")
    done = run_ingest(path, tmp_path / "g.duckdb")
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # was 139 (segfault)
    report = json.loads(done.stdout)
    rejected = report["rejected"] if "rejected" in report else report["files"][0]["rejected"]
    assert [(r["where"], r["reason"]) for r in rejected] == [
        ("line 2", "the JSON nests deeper than 110 levels (20,002 deep)")
    ]
    assert str(path) in rejected[0]["file"]


def test_the_fast_reader_declines_deep_nesting_before_arrow_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Arrow was given the file")

    monkeypatch.setattr(pj, "open_json", never)
    path = tmp_path / "deep.jsonl"
    path.write_text(f"{GOOD_LINE}\n{GOOD_LINE}\n{DEEP_LINE}\n")
    with pytest.raises(jsonl_fast.Decline, match="line 3 nests 20,002 levels, more than 32"):
        list(jsonl_fast.batches(path, str(path), Limits()))


def hostile(shape: str, n: int, char: str) -> str:
    """Metadata JSON of one hostile shape, `n` big (made here, so hypothesis never prints it)."""
    if shape == "deep":
        opener, closer = ("[", "]") if char in "[a" else ('{"k": ', "}")
        return '{"x": ' + opener * n + "1" + closer * n + "}"
    if shape == "long key":
        return json.dumps({char * (n * 7): 1})
    if shape == "wide":
        return json.dumps({f"k{i}": i for i in range(n)})
    return json.dumps({"w": list(range(n * 2))})


shapes = st.tuples(
    st.sampled_from(["deep", "long key", "wide", "long list"]),
    st.integers(1, 30_000),
    st.sampled_from(list('a[{"é')),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(shapes, min_size=1, max_size=3))
def test_fuzz_the_fast_reader_with_deep_long_and_wide_lines(
    tmp_path: Path, cases: list[tuple[str, int, str]]
) -> None:
    """Deep nesting, long keys and wide objects: the fast reader reads or declines, never dies."""
    path = tmp_path / "fuzz.jsonl"
    rows = [
        f'{{"id": "t{i}", "messages": [{{"role": "user", "content": "x"}}], "metadata": {m}}}'
        for i, m in enumerate(hostile(*case) for case in cases)
    ]
    path.write_text("\n".join(rows) + "\n")
    deepest = max(nesting.deepest(row.encode()).depth for row in rows)
    try:
        read = sum(b.transcripts.num_rows for b in jsonl_fast.batches(path, str(path), Limits()))
    except jsonl_fast.Decline as exc:
        if deepest > jsonl_fast.MAX_NESTING:
            assert "levels, more than 32" in str(exc)
        return
    assert deepest <= jsonl_fast.MAX_NESTING
    assert read == len(rows)


@pytest.mark.parametrize("opener", ["[", '{"k": '])
def test_a_deep_inspect_json_log_is_refused_before_inspect_reads_it(
    tmp_path: Path, opener: str
) -> None:
    from labels.ingest import UnusableInput, inspect

    closer = "]" if opener == "[" else "}"
    path = tmp_path / "log.json"
    path.write_text('{"version": 2,\n"samples": ' + opener * 50_000 + "1" + closer * 50_000 + "}")
    with pytest.raises(
        UnusableInput, match=r"nests deeper than 110 levels \(50,001 deep\) \(line 2\)"
    ):
        list(inspect.parse(path))
