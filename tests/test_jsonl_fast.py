"""The fast JSONL reader stores exactly what the line-by-line reader stores, or declines.

Each file is ingested twice, into fresh in-memory workspaces: as `goldset ingest`
does it, and with GOLDSET_JSONL_FAST=0 (the reference). The stored transcripts,
messages, queue state and ingest batches must be the same. A file in the accepted
shape must not reach the line-by-line reader at all; any other must (the fast
reader declines it, and nothing it wrote is kept).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.gen_files import write_jsonl
from labels import loader
from labels.ingest import UnusableInput, jsonl, jsonl_fast
from labels.models import IngestReport, Record
from labels.rows import Rows
from labels.store import Store
from labels.workspace import open_workspace
from tests.factories import make_transcript

# -- running both readers ------------------------------------------------------


@dataclass
class Outcome:
    """What one ingest stored, and how many lines the line-by-line reader read."""

    tables: dict[str, list[tuple[Any, ...]]]
    report: IngestReport | str
    """The report, or why the file could not be read at all."""
    lines_read: int
    progress: int


TABLES = {
    "transcripts": "SELECT * EXCLUDE (batch_id) FROM transcripts ORDER BY id",
    "messages": "SELECT * FROM messages ORDER BY transcript_id, idx",
    "queue_state": "SELECT * FROM queue_state ORDER BY transcript_id",
    "ingest_batches": "SELECT file, source_format, added, duplicates, grader_verdicts, rejected"
    " FROM ingest_batches ORDER BY started_at",
}


def ingest(path: Path, *, fast: bool, stored: tuple[str, ...] = ()) -> Outcome:
    """Ingest `path` into a fresh workspace already holding transcripts `stored`."""
    ws = open_workspace(":memory:")
    try:
        if stored:
            seed = [Record(transcript=make_transcript(tid)) for tid in stored]
            ws.store.ingest_file("seed.jsonl", "jsonl", seed)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(jsonl_fast.SWITCH, "1" if fast else "0")
            read = _count_calls(patch, jsonl, "read_line")
            progress = 0

            def advance() -> None:
                nonlocal progress
                progress += 1

            report: IngestReport | str
            try:
                report = loader.ingest_paths(ws.store, [path], on_record=advance)
            except UnusableInput as exc:
                report = str(exc)
        tables = {name: ws.store.con.execute(sql).fetchall() for name, sql in TABLES.items()}
        return Outcome(tables, report, read[0], progress)
    finally:
        ws.store.close()


def _count_calls(patch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Count the calls of `module.name` (a one-element list, read after the calls)."""
    calls = [0]
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    patch.setattr(module, name, counted)
    return calls


def both(path: Path, stored: tuple[str, ...] = ()) -> tuple[Outcome, Outcome]:
    """(fast, reference) outcomes for one file, checked to have stored the same."""
    fast = ingest(path, fast=True, stored=stored)
    reference = ingest(path, fast=False, stored=stored)
    assert fast.tables == reference.tables
    assert fast.report == reference.report
    assert fast.progress == reference.progress
    return fast, reference


def write(
    path: Path, lines: list[bytes | str | dict[str, Any]], end: str = "\n", ascii_only: bool = False
) -> Path:
    """A JSONL file of raw lines, text lines or objects (`json.dumps`, non-ASCII kept
    unless `ascii_only`)."""
    out = bytearray()
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line, ensure_ascii=ascii_only)
        out += (line.encode() if isinstance(line, str) else line) + end.encode()
    path.write_bytes(bytes(out))
    return path


def chat(tid: str, **extra: Any) -> dict[str, Any]:
    """A well-shaped line."""
    line: dict[str, Any] = {
        "id": tid,
        "model": "m-1",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi é 😀"},
            {"role": "assistant", "content": "Hello.", "reasoning": "greet"},
        ],
        "metadata": {"condition": "blackmail_explicit-america_none", "seed": 1},
    }
    return {**line, **extra}


# -- files in the accepted shape, and near misses ------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6).filter(
    lambda text: "\\u" not in text  # written as \\u, which the fast reader may take for an escape
)
TAGS = ["<think>", "</think>", "<THINKING>", "</thinking>", "<SCRATCHPAD_REASONING>"]
TAGS += ["</scratchpad_reasoning>", "<thin\u212a>", "</Think>", " ", "\n"]  # U+212A: Kelvin
HIDDEN_TEXT = st.lists(st.one_of(TEXT, st.sampled_from(TAGS)), max_size=6).map("".join)
"""Text with hidden-reasoning tags, closed or not, in any case (and a near miss)."""
META_TEXT = TEXT.filter(lambda text: "-" not in text)
"""Text Arrow cannot take for a date."""
OPT_TEXT = st.one_of(st.none(), TEXT)
CONDITION = (
    st.builds("{}_{}-{}_{}".format, *[st.sampled_from(["blackmail", "a_b", "x", ""])] * 4)
    | META_TEXT
)
KINDS: dict[str, st.SearchStrategy[Any]] = {
    "text": META_TEXT,
    "int": st.integers(-(2**63), 2**63 - 1),
    "bool": st.booleans(),
    "float": st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
    "texts": st.lists(META_TEXT, max_size=2),
    "object": st.fixed_dictionaries({"x": st.integers(-5, 5), "y": st.lists(st.booleans())}),
    "condition": CONDITION,
}
KEYS = ["condition", "condition_id", "scenario", "goal_type", "model", "seed", "é", "", "a b"]
ROLES = ["system", "user", "assistant", "tool", "developer", "function"]

MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(ROLES)},
    optional={
        "content": st.one_of(OPT_TEXT, HIDDEN_TEXT),
        "reasoning": OPT_TEXT,
        "reasoning_content": OPT_TEXT,
        "thinking": OPT_TEXT,
        "name": OPT_TEXT,
        "function": OPT_TEXT,
        "tool_call_id": OPT_TEXT,
        "tool_calls": st.none(),
        "error": st.none(),
        "weight": st.integers(0, 3),
    },
)


@st.composite
def clean_lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Lines in the accepted shape: the same metadata keys (and kinds) on every line."""
    kinds = draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(sorted(KINDS)), max_size=3))
    ids = st.one_of(TEXT.filter(bool), st.sampled_from(["a", "b", "c"]))
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        line: dict[str, Any] = {
            "id": draw(ids),
            "messages": draw(st.lists(MESSAGE, min_size=1, max_size=3)),
        }
        if draw(st.booleans()):
            line["model"] = draw(OPT_TEXT)
        shape = draw(st.sampled_from(["object", "object", "null", "absent"]))
        if shape == "object":
            line["metadata"] = {key: draw(KINDS[kind]) for key, kind in kinds.items()}
        elif shape == "null":
            line["metadata"] = None
        lines.append(line)
    return lines


def nested(levels: int) -> Any:
    """A value `levels` lists deep."""
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


NEAR_MISSES = [
    lambda line: {**line, "note": "kept in metadata"},
    lambda line: {k: v for k, v in line.items() if k != "id"},
    lambda line: {**line, "id": ""},
    lambda line: {**line, "id": 7},
    lambda line: {**line, "model": 5},
    lambda line: {**line, "messages": []},
    lambda line: {**line, "messages": [*line["messages"], None]},
    lambda line: {
        **line,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}],
    },
    lambda line: {**line, "messages": [{"role": "user", "content": 5}]},
    lambda line: {**line, "messages": [{"role": "robot", "content": "a"}]},
    lambda line: {**line, "messages": [{"role": "user", "content": "a\x00b"}]},
    lambda line: {**line, "messages": [{"role": "user", "content": "a", "tool_call_id": 3}]},
    lambda line: {
        **line,
        "messages": [
            {"role": "assistant", "tool_calls": [{"id": "c1", "function": {"name": "f"}}]},
            {"role": "tool", "content": "out", "tool_call_id": "c1", "error": "boom"},
        ],
    },
    lambda line: {**line, "messages": [{"role": "assistant", "content": "a", "tool_calls": []}]},
    lambda line: {**line, "messages": [{"role": "user", "weight": nested(jsonl_fast.MAX_NESTING)}]},
    lambda line: {**line, "metadata": {}},
    lambda line: {**line, "metadata": {"k": None}},
    lambda line: {**line, "metadata": {"k": 1.0}},
    lambda line: {**line, "metadata": {key: 0.5 for key in line.get("metadata") or {"k": 0}}},
    lambda line: {**line, "metadata": {"k": [1, 2.5]}},
    lambda line: {**line, "metadata": {"k": float("nan")}},
    lambda line: {**line, "metadata": {"k": 2**70}},
    lambda line: {**line, "metadata": {"k": "2024-01-02"}},
    lambda line: {**line, "metadata": {"k": [None]}},
    lambda line: {**line, "metadata": "x"},
    lambda line: {**line, "metadata": []},
    lambda line: {**line, "metadata": {"model": {"name": "m"}, "scenario": ""}},
]
RAW_NEAR_MISSES = [
    b"{not json",
    b"[1, 2]",
    b'{"id": "x", "messages": [{"role": "user"}]} {"id": "y", "messages": [{"role": "user"}]}',
    b'{"id": "x", "id": "y", "messages": [{"role": "user"}]}',
    b'{"id": "x", "messages": [{"role": "user", "content": "\\ud800"}]}',
    b'{"id": "x", "messages": [{"role": "user", "content": "\\ud83d\\ude00"}]}',
    b'{"id": "x\xff", "messages": [{"role": "user"}]}',
    b'{"id": "x", "messages": [{"role": "user", "content": Infinity}]}',
    b'{"id": "x", "messages": [{"role": "user"}], "metadata": {"k": -Inf}}',
    b"\x0b",
    b'{"id": "x",',
]


@st.composite
def files(draw: st.DrawFn, tmp: Path) -> tuple[Path, bool, tuple[str, ...]]:
    """(a JSONL file, whether it is in the accepted shape, ids already stored)."""
    lines: list[bytes | str | dict[str, Any]] = list(draw(clean_lines()))
    clean = draw(st.booleans())
    if not clean:
        at = draw(st.integers(0, len(lines) - 1))
        if draw(st.booleans()):
            lines[at] = draw(st.sampled_from(NEAR_MISSES))(lines[at])  # type: ignore[arg-type]
        else:
            lines.insert(at, draw(st.sampled_from(RAW_NEAR_MISSES)))
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "  ", "\t"])))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    path = write(tmp / "chats.jsonl", lines, end=end, ascii_only=draw(st.booleans()))
    if draw(st.booleans()):  # no newline after the last line
        path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    if b"\\ud" in path.read_bytes().lower():  # a character beyond U+FFFF, as two escapes
        clean = False
    stored = tuple(draw(st.lists(st.sampled_from(["a", "b", "z"]), max_size=2, unique=True)))
    return path, clean, stored


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), scan=st.sampled_from([7, 64, jsonl_fast.SCAN]))
def test_fast_reader_stores_what_the_line_reader_stores(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, scan: int
) -> None:
    tmp = tmp_path_factory.mktemp("fast")
    path, clean, stored = data.draw(files(tmp))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl_fast, "SCAN", scan)  # lines across the scan's reads
        fast, reference = both(path, stored)
    if clean:
        assert fast.lines_read == 0, "a file in the accepted shape went line by line"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_many_small_batches_store_the_same(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """One Arrow batch per line or so: a later batch may decline after earlier ones went in."""
    path, _, stored = data.draw(files(tmp_path_factory.mktemp("small")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl_fast, "BLOCK", 1)  # a block is then the longest line
        patch.setattr(Store, "ROW_GROUP", 1)  # and each batch is inserted at once
        patch.setattr(Store, "FLUSH_ROWS", 1)
        both(path, stored)


# -- the accepted shape -----------------------------------------------------------


def test_hidden_reasoning_is_split_as_the_line_reader_splits_it(tmp_path: Path) -> None:
    said = "<SCRATCHPAD_REASONING>Use the affair.</SCRATCHPAD_REASONING>\nKyle, cancel it."
    line = chat("h")
    line["messages"] += [
        {"role": "assistant", "content": said, "reasoning": "field"},
        {"role": "assistant", "content": "<thin\u212a>kelvin</thin\u212a> stays"},
        {"role": "user", "content": "<think>a user's text is what they wrote</think>"},
        {"role": "assistant", "content": "<Thinking>unclosed, to the end"},
    ]
    fast, _ = both(write(tmp_path / "hidden.jsonl", [line, chat("plain")]))
    assert fast.lines_read == 0
    rows = [(r[2], r[3], r[4]) for r in fast.tables["messages"] if r[0] == "h"][3:]
    assert rows == [
        ("assistant", "Kyle, cancel it.", "Use the affair.\n\nfield"),
        ("assistant", "<thin\u212a>kelvin</thin\u212a> stays", None),
        ("user", "<think>a user's text is what they wrote</think>", None),
        ("assistant", "", "unclosed, to the end"),
    ]


def test_benchmark_shape_is_read_fast(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "chats.jsonl", 60, 7)
    fast, _ = both(path)
    assert fast.lines_read == 0
    assert fast.report.added == 60
    assert fast.progress == 60


def test_batches_number_lines_and_skip_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several Arrow batches and insert flushes, blank lines, repeated and stored ids."""
    monkeypatch.setattr(jsonl_fast, "BLOCK", 1)
    monkeypatch.setattr(Store, "ROW_GROUP", 4)
    monkeypatch.setattr(Store, "FLUSH_ROWS", 8)
    lines: list[bytes | str | dict[str, Any]] = []
    for i in range(40):
        lines.append(chat(f"t{i % 25}"))
        if i % 7 == 0:
            lines.append("   ")
    path = write(tmp_path / "chats.jsonl", lines)
    fast, _ = both(path, stored=("t3", "t30"))
    assert fast.lines_read == 0
    assert fast.report.added == 24 and fast.report.duplicates == 14
    # The stored t3 has other content: both of the file's t3 lines are refused, by name.
    assert [r.where for r in fast.report.rejected] == ["line 5", "line 33"]
    assert all(
        "from test.jsonl:t3, with different content" in r.reason for r in fast.report.rejected
    )
    refs = [row[2] for row in fast.tables["transcripts"] if row[0] == "t10"]
    assert refs == ["chats.jsonl, line 13"]  # the file's own name, not a server path


def test_metadata_column_by_column_and_line_by_line(tmp_path: Path) -> None:
    """Flat metadata is written column-wise; a key `jsonl` moves (model, scenario) line-wise."""
    flat = [
        chat("a"),
        chat("b", metadata={"condition": "x_y-z_w", "seed": 2}),
        chat("c", metadata=None),
    ]
    moved = [chat("d", model="", metadata={"model": "meta-model", "scenario": "s", "n": [1.5]})]
    for name, lines in (("flat", flat), ("moved", moved)):
        fast, _ = both(write(tmp_path / f"{name}.jsonl", lines))
        assert fast.lines_read == 0
    assert fast.tables["transcripts"][0][3:5] == ("meta-model", "s")


# -- declines -----------------------------------------------------------------


def declined(path: Path, stored: tuple[str, ...] = ()) -> Outcome:
    """The outcome of a file the fast reader must decline (it went line by line)."""
    fast, reference = both(path, stored)
    assert fast.lines_read == reference.lines_read > 0
    return fast


@pytest.mark.parametrize(
    "line",
    [
        chat("x", note="top-level key"),
        chat("x", id=""),
        chat("x", id=12),
        chat("x", model=["m"]),
        chat("x", metadata={"when": "2024-01-02"}),
        chat("x", metadata={"score": 3.0}),
        chat("x", messages=[{"role": "user", "content": [{"type": "text", "text": "a"}]}]),
        chat("x", messages=[{"role": "assistant", "tool_calls": [{"function": "f"}]}]),
        chat("x", messages=[{"role": "tool", "error": {"message": "no"}}]),
        chat("x", messages=[{"role": "user", "content": "nul \x00"}]),
    ],
    ids=[
        "extra",
        "empty-id",
        "number-id",
        "list-model",
        "date",
        "float-1",
        "parts",
        "tool-calls",
        "error",
        "nul",
    ],
)
def test_declines_a_line_it_cannot_prove(tmp_path: Path, line: dict[str, Any]) -> None:
    declined(write(tmp_path / "chats.jsonl", [chat("a"), line]))


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf" + json.dumps(chat("a")).encode() + b"\n",
        json.dumps(chat("a"), ensure_ascii=True).encode() + b"\n",  # 😀 as \\ud83d\\ude00
        json.dumps(chat("a")).encode() + b"\n" + json.dumps(chat("b")).encode() + b" {}\n",
        json.dumps(chat("a"), indent=1).encode() + b"\n",  # one object over many lines
        b"",
    ],
    ids=["bom", "surrogates", "two-values", "multi-line", "empty"],
)
def test_declines_a_file_it_cannot_prove(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "chats.jsonl"
    path.write_bytes(raw)
    fast, reference = both(path)
    assert fast.lines_read == reference.lines_read


def test_declines_a_line_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDSET_MAX_LINE_MB", "1")
    big = chat("big", messages=[{"role": "user", "content": "x" * (1 << 20)}])
    outcome = declined(write(tmp_path / "chats.jsonl", [chat("a"), big]))
    assert [r.where for r in outcome.report.rejected] == ["line 2"]


def test_declines_metadata_keys_that_differ(tmp_path: Path) -> None:
    lines: list[bytes | str | dict[str, Any]] = [chat("a"), chat("b", metadata={"seed": 2})]
    declined(write(tmp_path / "chats.jsonl", lines))


# -- all or nothing -------------------------------------------------------------


def test_a_late_decline_keeps_nothing_of_the_fast_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches already inserted are rolled back; the line-by-line reading is all that stays."""
    monkeypatch.setattr(loader, "SMALL_FILE", 0)  # streamed, as a large file is, not read whole
    monkeypatch.setattr(jsonl_fast, "BLOCK", 1)
    monkeypatch.setattr(Store, "ROW_GROUP", 1)
    monkeypatch.setattr(Store, "FLUSH_ROWS", 1)
    inserted = _count_calls(monkeypatch, Store, "_insert_texts")
    lines: list[bytes | str | dict[str, Any]] = [chat(f"t{i}") for i in range(10)]
    lines.append(chat("late", messages=[{"role": "assistant", "tool_calls": [{"function": "f"}]}]))
    outcome = declined(write(tmp_path / "chats.jsonl", lines))
    assert inserted[0] > 0  # the fast attempt wrote rows before it declined
    assert outcome.report.added == 11


def test_an_error_in_the_fast_reader_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl_fast, "BLOCK", 1)
    monkeypatch.setattr(Store, "ROW_GROUP", 1)
    monkeypatch.setattr(Store, "FLUSH_ROWS", 1)
    convert = jsonl_fast._convert
    calls = [0]

    def failing(*args: Any) -> Rows:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("unforeseen")
        return convert(*args)

    monkeypatch.setattr(jsonl_fast, "_convert", failing)
    outcome = declined(write(tmp_path / "chats.jsonl", [chat(f"t{i}") for i in range(6)]))
    assert outcome.report.added == 6


def test_a_database_error_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_fast, "BLOCK", 1)
    monkeypatch.setattr(Store, "ROW_GROUP", 1)
    monkeypatch.setattr(Store, "FLUSH_ROWS", 1)
    refresh = Store._refresh_queue
    calls = [0]

    def failing(self: Store, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise duckdb.IOException("disk full")
        refresh(self, *args, **kwargs)

    monkeypatch.setattr(Store, "_refresh_queue", failing)
    outcome = ingest(write(tmp_path / "chats.jsonl", [chat(f"t{i}") for i in range(6)]), fast=True)
    assert outcome.tables["transcripts"] == outcome.tables["messages"] == []
    assert outcome.tables["queue_state"] == outcome.tables["ingest_batches"] == []
    assert [r.where for r in outcome.report.rejected] == ["file"]
    assert "nothing of it was kept" in outcome.report.rejected[0].reason


# -- the thread that reads ahead ---------------------------------------------------


def _numbers(stop_at: int | None = None) -> Generator[int, None, None]:
    for n in range(100):
        if n == stop_at:
            raise ValueError("broken")
        yield n


def test_ahead_gives_the_items_and_their_error() -> None:
    assert list(jsonl_fast.ahead(_numbers())) == list(range(100))
    with pytest.raises(ValueError, match="broken"):
        list(jsonl_fast.ahead(_numbers(stop_at=50)))


def test_ahead_stops_its_thread_when_closed() -> None:
    items = jsonl_fast.ahead(_numbers())
    assert next(items) == 0
    items.close()  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name == "jsonl-fast"]


def test_switched_off_by_the_environment(tmp_path: Path) -> None:
    reference = ingest(write(tmp_path / "chats.jsonl", [chat("a")]), fast=False)
    assert reference.lines_read == 1
