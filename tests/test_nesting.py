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
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.json as pj
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels.ingest import jsonl_fast, nesting
from labels.ingest.limits import Limits
from labels.models import Rejection

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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='[]{}"\\ a\n', max_size=80), st.lists(st.integers(0, 80), max_size=6))
def test_the_meter_fed_in_pieces_measures_like_deepest(text: str, cuts: list[int]) -> None:
    """`.eval` members are measured as they inflate, chunk by chunk: the same figure."""
    data = text.encode()
    meter = nesting.Meter()
    edges = [0, *sorted(c for c in cuts if c <= len(data)), len(data)]
    for start, stop in zip(edges, edges[1:], strict=False):
        meter.feed(data[start:stop])
    whole = nesting.deepest(data)
    assert meter.found.depth == whole.depth
    if whole.depth:
        assert meter.found.line == whole.line


POPULARITY = (
    ROOT.parent
    / "shared"
    / "fixtures"
    / "inspect"
    / "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval"
)


def rewritten_eval(source: Path, out: Path, member: str) -> Path:
    """A copy of a real `.eval` (written by inspect_ai) with `member` nesting 20,000 `[` deep."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == member:
                deep = b"[" * 20_000 + b"]" * 20_000 + b", "
                data = (b'{"deep": ' if data.startswith(b"{") else b"[") + deep + data[1:]
            new.writestr(info.filename, data)
    return out


@pytest.mark.skipif(not POPULARITY.is_file(), reason="no ../shared/fixtures/inspect")
def test_a_deep_eval_sample_is_rejected_before_inspect_reads_it_and_the_rest_go_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("inspect_ai")
    from labels.ingest import inspect

    path = rewritten_eval(POPULARITY, tmp_path / "deep.eval", "samples/3_epoch_1.json")
    read: list[str] = []
    real = inspect.read_eval_log_sample

    def recording(log: str, id: str, epoch: int, **kwargs: Any) -> Any:  # noqa: A002
        read.append(f"{id}:{epoch}")
        return real(log, id=id, epoch=epoch, **kwargs)

    monkeypatch.setattr(inspect, "read_eval_log_sample", recording)
    out = list(inspect.parse(path))
    rejected = [r for r in out if isinstance(r, Rejection)]
    assert [(r.file, r.where, r.reason) for r in rejected] == [
        (
            str(path),
            "sample 3 epoch 1",
            "member 'samples/3_epoch_1.json' is refused: "
            "the JSON nests deeper than 110 levels (20,001 deep) (line 1)",
        )
    ]
    assert len(out) - len(rejected) == 9
    assert "3:1" not in read and len(read) == 9


@pytest.mark.skipif(not POPULARITY.is_file(), reason="no ../shared/fixtures/inspect")
@pytest.mark.parametrize("member", ["header.json", "_journal/start.json", "summaries.json"])
def test_a_deep_eval_header_refuses_the_file_naming_the_member(tmp_path: Path, member: str) -> None:
    pytest.importorskip("inspect_ai")
    from labels.ingest import UnusableInput, inspect

    path = rewritten_eval(POPULARITY, tmp_path / "deep.eval", member)
    with pytest.raises(UnusableInput) as caught:
        list(inspect.parse(path))
    assert str(caught.value).endswith(
        f"member {member!r} is refused: the JSON nests deeper than 110 levels (20,001 deep) "
        "(line 1)"
    )
