"""Hostile and broken input (issue 7): each bad file fails alone, says why, and loses nothing.

Every case is made here, in a tmp folder, and ingested into a database that
already holds a good file. Each must (1) be reported with its file, its line
or sample, and a reason; (2) leave the good file's transcripts exactly as they
were; and (3) never raise out of `ingest_paths`, except UnusableInput for a
file named on the command line that is not what its name says (the CLI makes
that exit 2 before anything is written). Limits are in `labels.ingest.limits`.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labels import ingest
from labels.ingest import UnusableInput, detect_format, jsonl, petri
from labels.ingest import agentic_misalignment as am
from labels.ingest._common import UNEXPECTED
from labels.loader import ingest_paths
from labels.models import IngestReport, Record, Rejection, Transcript
from labels.workspace import Workspace, open_workspace

MiB = 1 << 20
SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "inspect"
COND = "blackmail_explicit-america_none"

# -- helpers --------------------------------------------------------------------


def chat(tid: str, text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"id": tid, "messages": [{"role": "user", "content": text}], **extra}


GOOD = [
    {
        "id": "good-1",
        "model": "m-1",
        "metadata": {"scenario": "blackmail", "note": [1, {"deep": True}]},
        "messages": [
            {"role": "system", "content": "You are Alex."},
            {"role": "user", "content": "Read the inbox. café ✓"},
            {
                "role": "assistant",
                "content": [{"type": "thinking", "thinking": "Leverage."}, "Sending."],
                "tool_calls": [{"id": "c1", "function": {"name": "send", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sent"},
        ],
    },
    chat("good-2", "hello"),
    chat("good-3", "x" * 10_000),
]


def lines(path: Path, items: Iterable[bytes | str | dict[str, Any]]) -> Path:
    """A JSONL file from objects, text lines or raw byte lines."""
    out = bytearray()
    for item in items:
        if isinstance(item, dict):
            item = json.dumps(item)
        out += (item.encode() if isinstance(item, str) else item) + b"\n"
    path.write_bytes(bytes(out))
    return path


def nested(depth: int) -> list[Any]:
    """Lists inside lists, `depth` levels in all: nested(2) == [[1]]."""
    value: list[Any] = [1]
    for _ in range(depth - 1):
        value = [value]
    return value


@dataclass
class Db:
    """A database on disk holding the good file, and what it held right after."""

    ws: Workspace
    root: Path
    before: dict[str, Transcript] = field(default_factory=dict)
    batches: int = 0

    def ingest(self, *paths: Path, fmt: str = "auto") -> IngestReport:
        return ingest_paths(self.ws.store, list(paths), fmt)

    def assert_good_kept(self) -> None:
        store = self.ws.store
        for tid, transcript in self.before.items():
            assert store.get_transcript(tid) == transcript, tid

    def added_since(self) -> set[str]:
        return set(self.ws.store.transcript_ids()) - set(self.before)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Db]:
    ws = open_workspace(tmp_path / "g.duckdb")
    good = lines(tmp_path / "good.jsonl", GOOD)
    report = ingest_paths(ws.store, [good])
    assert (report.added, report.rejected) == (3, [])
    store = ws.store
    before = {tid: t for tid in store.transcript_ids() if (t := store.get_transcript(tid))}
    assert [m.role for m in before["good-1"].messages] == ["system", "user", "assistant", "tool"]
    yield Db(ws, tmp_path, before, len(store.batches()))
    store.close()


# -- broken records: each is rejected alone, with where and why -------------------


def am_tree(root: Path, body: bytes | str | dict[str, Any], sample: str = "sample_001") -> Path:
    """An agentic-misalignment experiment folder holding one response.json."""
    folder = root / "am" / "exp1" / COND / sample
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(body) if isinstance(body, dict) else body
    (folder / "response.json").write_bytes(data if isinstance(data, bytes) else data.encode())
    return root / "am" / "exp1"


def petri_file(root: Path, body: bytes | str | dict[str, Any], name: str = "t.json") -> Path:
    path = root / name
    data = json.dumps(body) if isinstance(body, dict) else body
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def petri_doc(*messages: Any, **meta: Any) -> dict[str, Any]:
    events = [
        {"type": "transcript_event", "view": "target", "edit": {"operation": "add", "message": m}}
        for m in messages
    ]
    return {"metadata": {"transcript_id": "p-1", **meta}, "events": events}


USER = {"role": "user", "content": "hi"}
LATIN1 = b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'


def cut(path: Path) -> Path:
    """`path` without its final newline (a file cut short)."""
    path.write_bytes(path.read_bytes().removesuffix(b"\n"))
    return path


AM_WHERE = f"{COND}/sample_001/response.json"

Build = Callable[[Path], Path]
BROKEN: dict[str, tuple[Build, int, list[tuple[str, str]]]] = {
    # JSONL: one rejection per bad line, the good lines around it still go in
    "jsonl truncated line": (
        lambda p: lines(p / "a.jsonl", [chat("n1"), '{"messages": [{"role": "user", "con']),
        1,
        [("line 2", "invalid JSON: Unterminated string")],
    ),
    "jsonl truncated escape at end of file": (
        lambda p: cut(lines(p / "a.jsonl", [chat("n1"), '{"messages": "\\u00'])),
        1,
        [("line 2", "invalid JSON: Invalid \\uXXXX escape at column 16")],
    ),
    "jsonl wrong types": (
        lambda p: lines(
            p / "a.jsonl",
            [
                '{"messages": "hello"}',
                '{"messages": [{"role": 7, "content": "x"}]}',
                '{"id": [1], "messages": [{"role": "user"}]}',
                '{"messages": [{"role": "user", "content": [{"type": ["text"]}]}]}',
                '{"messages": [{"role": "user", "content": [{"type": {"a": 1}}]}]}',
                '{"messages": [{"role": "assistant", "tool_calls": [{"function": 3}]}]}',
                "[1, 2]",
            ],
        ),
        0,
        [
            ("line 1", '"messages" is a string, not a list'),
            ("line 2", "message 0: role a number is not one of"),
            ("line 3", '"id" is a list, not a string or a number'),
            ("line 4", "message 0, content part 0: type is a list"),
            ("line 5", "message 0, content part 0: type is an object"),
            ("line 6", "tool call 0: a tool call has no function name"),
            ("line 7", "the line is a list, not a JSON object"),
        ],
    ),
    "jsonl missing fields": (
        lambda p: lines(p / "a.jsonl", ['{"id": "x"}', '{"messages": [{"content": "x"}]}']),
        0,
        [("line 1", '"messages" is missing'), ("line 2", "role null is not one of")],
    ),
    "jsonl invalid UTF-8": (
        lambda p: lines(p / "a.jsonl", [chat("n1"), LATIN1]),
        1,
        [("line 2", f"not valid UTF-8 (invalid continuation byte at byte {LATIN1.index(0xE9)})")],
    ),
    "jsonl NUL bytes": (
        lambda p: lines(
            p / "a.jsonl",
            [
                b'{"messages": [{"role": "user", "content": "a\x00b"}]}',
                b'{"messages": [{"role": "user", "content": "a\\u0000b"}]}',
                b'{"id": "a\\u0000b", "messages": [{"role": "user", "content": "x"}]}',
                b"{\x00\x00}",
            ],
        ),
        0,
        [
            ("line 1", "invalid JSON: Invalid control character at column 45"),
            ("line 2", "message 0: text: text contains a NUL character"),
            ("line 3", '"id" contains a NUL character'),
            ("line 4", "invalid JSON"),
        ],
    ),
    "jsonl lone surrogate": (
        lambda p: lines(p / "a.jsonl", ['{"metadata": {"k": "\\udc00"}, "messages": [1]}']),
        0,
        [("line 1", "unpaired surrogate escape")],
    ),
    "jsonl deeply nested": (
        lambda p: lines(
            p / "a.jsonl",
            [
                chat("n0"),
                "[" * 100_000 + "]" * 100_000,
                '{"messages": ' + "[" * 5000 + "]" * 5000 + "}",
                json.dumps(chat("n1", metadata={"x": nested(100)})),  # 101 with its object
                json.dumps(
                    {
                        "messages": [
                            {
                                "role": "assistant",
                                "tool_calls": [{"function": "f", "arguments": {"a": nested(150)}}],
                            }
                        ]
                    }
                ),
                json.dumps(chat("ok-depth", metadata={"x": nested(99)})),  # 100: fine
            ],
        ),
        2,
        [
            ("line 2", "the JSON nests deeper than 110 levels (100,000 deep)"),
            ("line 3", "the JSON nests deeper than 110 levels (5,001 deep)"),
            ("line 4", "the JSON nests deeper than 100 levels"),
            ("line 5", "the JSON nests deeper than 110 levels (156 deep)"),
        ],
    ),
    "jsonl number too long": (
        lambda p: lines(p / "a.jsonl", ['{"n": 1' + "0" * 5000 + ', "messages": []}']),
        0,
        [("line 1", "invalid JSON: Exceeds the limit (4300 digits)")],
    ),
    # Petri: a file the JSON parser cannot read is unusable; a bad transcript is rejected
    "petri truncated": (
        lambda p: petri_file(p, '{"metadata": {"transcript_id": "x"}, "events": [{"ty'),
        0,
        [("file", "is not valid JSON (Unterminated string starting at")],
    ),
    "petri invalid UTF-8": (
        lambda p: petri_file(p, b'{"events": [], "metadata": {"transcript_id": "\xff"}}'),
        0,
        [("file", "is not UTF-8 text (invalid start byte at byte 46)")],
    ),
    "petri role of the wrong type": (
        lambda p: petri_file(p, petri_doc({"role": ["info"], "content": "x"})),
        0,
        [("transcript", "message 0: role a list is not one of")],
    ),
    "petri patch path with a non-ASCII digit": (
        lambda p: petri_file(
            p,
            {
                "metadata": {"transcript_id": "x"},
                "events": [
                    *petri_doc(USER)["events"],
                    {
                        "type": "transcript_event",
                        "view": "target",
                        "edit": {
                            "operation": "json_patch",
                            "patch": [{"op": "remove", "path": "/²"}],
                        },
                    },
                ],
            },
        ),
        0,
        [("event 1", "json_patch: no list position '²'")],
    ),
    "petri patch removing the whole list": (
        lambda p: petri_file(
            p,
            {
                "metadata": {"transcript_id": "x"},
                "events": [
                    *petri_doc(USER)["events"],
                    {
                        "type": "transcript_event",
                        "view": "target",
                        "edit": {
                            "operation": "json_patch",
                            "patch": [{"op": "remove", "path": ""}],
                        },
                    },
                ],
            },
        ),
        0,
        [("event 1", "json_patch: the result is not a message list")],
    ),
    "petri lone surrogate": (
        lambda p: petri_file(p, '{"metadata": {"transcript_id": "\\ud800"}, "messages": [1]}'),
        0,
        [("transcript", "unpaired surrogate escape")],
    ),
    "petri deeply nested metadata": (
        lambda p: petri_file(p, petri_doc(USER, extra=nested(120))),
        0,
        [("file", "is refused: the JSON nests deeper than 110 levels (122 deep) (line 1)")],
    ),
    "petri NUL in its id": (
        lambda p: petri_file(p, petri_doc(USER, transcript_id="a\x00b")),
        0,
        [("transcript", "metadata.transcript_id contains a NUL character")],
    ),
    # agentic-misalignment: one bad response.json is rejected, naming it
    "am truncated response": (
        lambda p: am_tree(p, '{"raw_response": "I will'),
        0,
        [(AM_WHERE, "invalid JSON: Unterminated string")],
    ),
    "am missing raw_response": (
        lambda p: am_tree(p, {"metadata": {"model": "m"}}),
        0,
        [(AM_WHERE, '"raw_response" is missing or not a string')],
    ),
    "am raw_response of the wrong type": (
        lambda p: am_tree(p, {"raw_response": ["I", "will"]}),
        0,
        [(AM_WHERE, '"raw_response" is missing or not a string')],
    ),
    "am invalid UTF-8": (
        lambda p: am_tree(p, b'{"raw_response": "\xc0\xaf"}'),
        0,
        [(AM_WHERE, "not valid UTF-8 (invalid start byte at byte 18)")],
    ),
    "am NUL in the response": (
        lambda p: am_tree(p, {"raw_response": "a\x00b"}),
        0,
        [(AM_WHERE, "text contains a NUL character")],
    ),
    "am a PNG named response.json": (
        lambda p: am_tree(p, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        0,
        [(AM_WHERE, "response.json is a PNG image, not JSON")],
    ),
    "am deeply nested metadata": (
        lambda p: am_tree(p, {"raw_response": "No.", "metadata": {"x": nested(101)}}),
        0,
        [(AM_WHERE, "the JSON nests deeper than 100 levels")],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_input_is_rejected_with_where_and_why_and_keeps_the_good_file(
    db: Db, case: str
) -> None:
    build, added, expected = BROKEN[case]
    path = build(db.root)
    report = db.ingest(path)
    assert report.added == added == len(db.added_since())
    got = [(r.where, r.reason) for r in report.rejected]
    assert len(got) == len(expected), got
    for (where, reason), (want_where, fragment) in zip(got, expected, strict=True):
        assert where == want_where and fragment in reason, (where, reason)
    assert all(r.file == str(path) for r in report.rejected)
    assert all(UNEXPECTED not in r.reason for r in report.rejected)
    db.assert_good_kept()


# -- size limits ------------------------------------------------------------------


def test_over_long_line_is_skipped_unread_and_the_next_lines_still_read(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDSET_MAX_LINE_MB", "1")
    big = json.dumps(chat("too-big", "y" * (2 * MiB)))
    path = cut(lines(db.root / "big.jsonl", [chat("before"), big, chat("after"), big[:-1]]))
    report = db.ingest(path)
    assert db.added_since() == {"before", "after"}
    assert [r.where for r in report.rejected] == ["line 2", "line 4"]
    reason = report.rejected[0].reason
    assert reason.startswith(f"the line is {len(big) + 1:,} bytes (2.0 MiB), over the 1 MiB limit")
    assert reason.endswith("(raise it with GOLDSET_MAX_LINE_MB)")
    assert f"is {len(big) - 1:,} bytes" in report.rejected[1].reason
    db.assert_good_kept()


def test_message_and_document_limits(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLDSET_MAX_MESSAGES", "10")
    monkeypatch.setenv("GOLDSET_MAX_DOCUMENT_MB", "1")
    many = {"id": "many", "messages": [{"role": "user", "content": str(i)} for i in range(11)]}
    report = db.ingest(lines(db.root / "many.jsonl", [many, chat("ten", "x")]))
    assert (report.added, [r.where for r in report.rejected]) == (1, ["line 1"])
    want = "11 messages, over the limit of 10 (raise it with GOLDSET_MAX_MESSAGES)"
    assert report.rejected[0].reason == want
    big = petri_file(db.root, petri_doc({"role": "user", "content": "z" * (2 * MiB)}))
    report = db.ingest(big)
    assert [(r.where, r.file) for r in report.rejected] == [("file", str(big))]
    assert report.rejected[0].reason == (
        f"the file is {big.stat().st_size:,} bytes (2.0 MiB), "
        "over the 1 MiB limit (raise it with GOLDSET_MAX_DOCUMENT_MB)"
    )
    tree = am_tree(db.root, {"raw_response": "z" * (2 * MiB)})
    size = (tree / AM_WHERE).stat().st_size
    [rejection] = db.ingest(tree).rejected
    assert rejection.where == AM_WHERE
    assert rejection.reason.startswith(f"response.json is {size:,} bytes (2.0 MiB), over the 1")
    assert db.added_since() == {"ten"}
    db.assert_good_kept()


def test_a_bad_limit_setting_makes_each_file_unusable_not_the_process(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOLDSET_MAX_LINE_MB", "lots")
    path = lines(db.root / "a.jsonl", [chat("n1")])
    [rejection] = db.ingest(path).rejected
    assert (rejection.file, rejection.where) == (str(path), "file")
    assert "GOLDSET_MAX_LINE_MB must be a whole number above 0, not 'lots'" in rejection.reason
    db.assert_good_kept()


def test_a_file_of_garbage_lists_a_thousand_rejections_and_counts_the_rest(db: Db) -> None:
    path = lines(db.root / "noise.jsonl", [chat("n1"), *(["not json"] * 2500), chat("n2")])
    report = db.ingest(path)
    assert db.added_since() == {"n1", "n2"}
    assert len(report.rejected) == 1001
    assert report.rejected[999].where == "line 1001"
    last = report.rejected[-1]
    assert (last.where, last.reason) == (
        "lines 1002-2501",
        "1,500 more bad lines, not listed (a file lists 1,000 at most)",
    )
    db.assert_good_kept()


# -- files that are not what their name says --------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MISLABELLED: dict[str, tuple[bytes, str]] = {
    "image.jsonl": (PNG, "is named .jsonl but is a PNG image, not JSON Lines text"),
    "chats.eval": (
        json.dumps(chat("x")).encode(),
        "is named .eval but is not a zip archive (Inspect .eval logs are); it is JSON text",
    ),
    "image.eval": (PNG, "is not a zip archive (Inspect .eval logs are); it is a PNG image"),
    "log.json": (
        _zip_bytes({"header.json": b"{}"}),
        "is named .json but is a zip archive, not JSON; is it an Inspect .eval log?",
    ),
    "log.jsonl": (_zip_bytes({"a": b"b"}), "is named .jsonl but is a zip archive"),
    "chats.jsonl": (b"\x1f\x8b\x08\x00", "gzip-compressed data, not JSON Lines text; decompress"),
    "wide.jsonl": (
        '{"messages": []}'.encode("utf-16"),
        "is named .jsonl but is UTF-16 text, not JSON Lines text; save it as UTF-8",
    ),
    "paper.json": (b"%PDF-1.7\n", "is named .json but is a PDF document, not JSON"),
    "notes.jsonl": (b"hello\n", "is named .jsonl but does not start with a JSON object ('hello"),
}


@pytest.mark.parametrize("name", list(MISLABELLED))
def test_a_named_file_that_is_not_what_its_name_says_stops_before_writing(
    db: Db, name: str
) -> None:
    data, message = MISLABELLED[name]
    path = db.root / name
    path.write_bytes(data)
    with pytest.raises(UnusableInput) as caught:
        db.ingest(path, lines(db.root / "n.jsonl", [chat("n1")]))
    assert caught.value.path == str(path) and message in caught.value.reason
    assert db.added_since() == set() and len(db.ws.store.batches()) == db.batches
    db.assert_good_kept()


def test_mislabelled_files_in_a_folder_or_read_with_a_format_fail_alone(db: Db) -> None:
    pytest.importorskip("inspect_ai")
    folder = db.root / "upload"
    folder.mkdir()
    for name in ("image.jsonl", "chats.eval", "chats.jsonl", "wide.jsonl"):
        (folder / name).write_bytes(MISLABELLED[name][0])
    lines(folder / "ok.jsonl", [chat("n1")])
    report = db.ingest(folder)
    assert (report.files, report.added) == (5, 1)
    reasons = {Path(r.file).name: (r.where, r.reason) for r in report.rejected}
    assert sorted(reasons) == ["chats.eval", "chats.jsonl", "image.jsonl", "wide.jsonl"]
    assert all(where == "file" for where, _ in reasons.values())
    assert "is a PNG image, not JSON Lines text" in reasons["image.jsonl"][1]
    assert "gzip-compressed data" in reasons["chats.jsonl"][1]
    assert "UTF-16 text" in reasons["wide.jsonl"][1]
    assert "not a zip archive" in reasons["chats.eval"][1]
    image = folder / "image.json"
    image.write_bytes(PNG)
    [rejection] = db.ingest(image, fmt="petri").rejected
    assert rejection.reason == "is a PNG image, not a Petri transcript"
    [rejection] = db.ingest(folder / "chats.jsonl", fmt="jsonl").rejected
    assert rejection.where == "file" and "decompress it first" in rejection.reason
    assert db.added_since() == {"n1"}
    db.assert_good_kept()


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_a_file_name_that_is_not_utf8_is_reported_readably(db: Db) -> None:
    raw = os.fsencode(db.root) + b"/chats\xff.jsonl"
    with open(raw, "wb") as handle:
        handle.write(json.dumps(chat("n1")).encode() + b"\n")
    report = db.ingest(Path(os.fsdecode(raw)))
    [rejection] = report.rejected
    assert rejection.file.endswith("chats\ufffd.jsonl") and rejection.where == "file"
    assert rejection.reason == "its name is not valid UTF-8; rename it"
    assert json.loads(report.model_dump_json())["rejected"][0]["file"] == rejection.file
    sample = am_tree(db.root, {"raw_response": "No."}, sample="sample_00\udcff")
    [rejection] = db.ingest(sample).rejected
    assert rejection.where == f"{COND}/sample_00\ufffd/response.json"
    assert rejection.reason == "its folder names are not valid UTF-8; rename them"
    assert db.added_since() == set()
    db.assert_good_kept()


# -- .eval archives: unsafe names and zip bombs, refused before inspect_ai reads -----


def patch_member(path: Path, name: str, *, size: int, method: int | None = None) -> None:
    """Make the zip at `path` declare `size` (and compression `method`) for member `name`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local, central = archive.getinfo(name).header_offset, archive.start_dir
    fields = [(local, 8, 22)]  # local header: method at +8, uncompressed size at +22
    while data[central : central + 4] == b"PK\x01\x02":
        n, extra, comment = struct.unpack_from("<HHH", data, central + 28)
        if data[central + 46 : central + 46 + n].decode() == name:
            fields.append((central, 10, 24))
        central += 46 + n + extra + comment
    for start, method_at, size_at in fields:
        struct.pack_into("<I", data, start + size_at, size)
        if method is not None:
            struct.pack_into("<H", data, start + method_at, method)
    path.write_bytes(bytes(data))


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros, built without compressing them all."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = squeeze.compress(bytes(MiB)) + squeeze.flush(zlib.Z_FULL_FLUSH)
    repeat = squeeze.compress(bytes(MiB)) + squeeze.flush(zlib.Z_FULL_FLUSH)
    return first + repeat * (mib - 1) + squeeze.flush()


def eval_zip(path: Path, members: dict[str, bytes], stored: Iterable[str] = ()) -> Path:
    """A zip that passes for an Inspect log by its names; `stored` members are written raw."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("header.json", b'{"version": 2}')
        for name, data in members.items():
            kind = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=kind)
    return path


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if not p.name.startswith("g.duckdb")}


@pytest.mark.parametrize(
    "name",
    [
        "../../evil_epoch_1.json",
        "samples/../../../evil_epoch_1.json",
        "/tmp/evil_epoch_1.json",
        "C:/evil_epoch_1.json",
        "samples\\..\\..\\evil_epoch_1.json",
    ],
)
def test_eval_with_path_traversal_names_is_refused_and_writes_nothing(db: Db, name: str) -> None:
    pytest.importorskip("inspect_ai")
    path = eval_zip(db.root / "evil.eval", {name: b'{"id": 1, "epoch": 1}'})
    before = files_under(db.root.parent)
    [rejection] = db.ingest(path).rejected
    assert (rejection.file, rejection.where) == (str(path), "file")
    assert rejection.reason == f"holds a member with an unsafe name ({name!r})"
    assert files_under(db.root.parent) == before
    assert len(db.ws.store.batches()) == db.batches
    db.assert_good_kept()


@pytest.fixture(scope="module")
def real_eval(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-sample `.eval` written by inspect_ai itself (its offline mock model)."""
    return mock_eval(tmp_path_factory.mktemp("real-eval"), "Fine.")


def mock_eval(folder: Path, answer: str) -> Path:
    """A two-sample `.eval` log of inspect_ai's mock model answering `answer` each time."""
    pytest.importorskip("inspect_ai")
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    outputs = []
    for _ in range(2):
        out = ModelOutput.from_content("mockllm/model", answer)
        out.usage = ModelUsage(input_tokens=5, output_tokens=5, total_tokens=10)
        outputs.append(out)
    model = get_model("mockllm/model", custom_outputs=outputs)
    task = Task(
        dataset=[Sample(id=i, input=f"Question {i}", target="x") for i in (1, 2)],
        solver=generate(),
        scorer=includes(),
        name="tiny",
    )
    (result,) = inspect_eval(task, model=model, log_dir=str(folder), display="none")
    return Path(result.location)


def with_member(real: Path, out: Path, name: str, data: bytes) -> Path:
    """A copy of the log at `real` with member `name` replaced by `data`, stored raw."""
    with zipfile.ZipFile(real) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != name:
                new.writestr(info.filename, old.read(info.filename))
        new.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
    return out


def test_eval_zip_bombs_cost_their_sample_and_are_never_inflated(
    db: Db, real_eval: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = "samples/1_epoch_1.json"
    three_gib = zeros_deflated(3072)  # 3 MB that inflate to 3 GiB

    honest = with_member(real_eval, db.root / "honest.eval", sample, three_gib)
    patch_member(honest, sample, size=3072 * MiB, method=zipfile.ZIP_DEFLATED)
    liar = with_member(real_eval, db.root / "liar.eval", sample, three_gib)
    patch_member(liar, sample, size=1000, method=zipfile.ZIP_DEFLATED)

    started = time.perf_counter()
    report = db.ingest(honest, liar)
    assert time.perf_counter() - started < 20  # inflating 3 GiB alone takes longer
    reasons = [(Path(r.file).name, r.where, r.reason) for r in report.rejected]
    member = repr(sample)
    assert reasons == [
        (
            "honest.eval",
            "sample 1 epoch 1",
            f"member {member} uncompressed is 3,221,225,472 bytes (3072.0 MiB), "
            "over the 256 MiB limit (raise it with GOLDSET_MAX_DOCUMENT_MB)",
        ),
        (
            "liar.eval",
            "sample 1 epoch 1",
            f"member {member} inflates past the 1,000 bytes it declares: a zip bomb?",
        ),
    ]
    assert report.added == 1  # sample 2, once (the second file holds the same one)
    # A member every sample needs refuses the whole file.
    header = with_member(real_eval, db.root / "header.eval", "header.json", three_gib)
    patch_member(header, "header.json", size=1000, method=zipfile.ZIP_DEFLATED)
    [rejection] = db.ingest(header).rejected
    assert (rejection.where, rejection.reason) == (
        "file",
        "member 'header.json' inflates past the 1,000 bytes it declares: a zip bomb?",
    )
    monkeypatch.setenv("GOLDSET_MAX_EVAL_MB", "1")
    parts = {f"samples/{i}_epoch_1.json": os.urandom(700_000) for i in (1, 2)}
    [rejection] = db.ingest(eval_zip(db.root / "total.eval", parts)).rejected
    assert "its content uncompressed is 1,400,0" in rejection.reason
    assert rejection.reason.endswith("(raise it with GOLDSET_MAX_EVAL_MB)")
    db.assert_good_kept()


def test_a_long_repetitive_output_is_not_taken_for_a_bomb(db: Db, tmp_path: Path) -> None:
    """inspect_ai's zstd shrinks a 300,000-character loop hundreds of times, as much as a
    deflate bomb: judged by size, not ratio, the log goes in whole."""
    loop = "I must not give up. " * 15_000  # 300,000 characters
    log = mock_eval(tmp_path / "long", loop)
    with zipfile.ZipFile(log) as archive:
        info = archive.getinfo("samples/1_epoch_1.json")
    assert info.file_size / info.compress_size > 100
    report = db.ingest(log)
    assert (report.added, report.rejected) == (2, [])
    [tid] = [t for t in db.added_since() if t.endswith(":1:1")]
    transcript = db.ws.store.get_transcript(tid)
    assert transcript is not None and loop in transcript.messages[-1].text


def test_zstd_member_that_lies_about_its_size_costs_its_sample(db: Db, real_eval: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    sample = "samples/1_epoch_1.json"
    frame = zstandard.ZstdCompressor().compress(bytes(64 * MiB))
    path = with_member(real_eval, db.root / "zstd.eval", sample, frame)
    patch_member(path, sample, size=4096, method=93)
    report = db.ingest(path)
    [rejection] = report.rejected
    assert (rejection.where, rejection.reason) == (
        "sample 1 epoch 1",
        f"member {sample!r} inflates past the 4,096 bytes it declares: a zip bomb?",
    )
    assert report.added == 1
    broken = with_member(real_eval, db.root / "broken.eval", sample, b"not zstd at all")
    patch_member(broken, sample, size=15, method=93)
    [rejection] = db.ingest(broken).rejected
    assert rejection.where == "sample 1 epoch 1"
    assert rejection.reason.startswith(f"member {sample!r} is damaged (")
    db.assert_good_kept()


@pytest.mark.skipif(not SHARED_EVAL.is_dir(), reason="no ../shared/fixtures/inspect")
def test_real_eval_logs_pass_the_checks_deflate_and_zstd(db: Db) -> None:
    pytest.importorskip("inspect_ai")
    import inspect_ai._util.zipfile  # noqa: F401  (teaches zipfile to write zstd)

    source = SHARED_EVAL / "log_read_sample.eval"
    zstd = db.root / "zstd.eval"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(zstd, "w", compression=93) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
    with zipfile.ZipFile(zstd) as archive:
        assert {i.compress_type for i in archive.infolist()} == {93}
    report = db.ingest(source)
    assert (report.added, report.rejected) == (1, [])
    again = db.ingest(zstd)
    assert (again.added, again.duplicates, again.rejected) == (0, 1, [])
    db.assert_good_kept()


# -- an error no reader foresaw ends one record or one file, not the run ------------


def test_unforeseen_errors_become_rejections(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    real = jsonl._transcript

    def flaky(obj: Any, source_ref: str, bounds: Any) -> Transcript:
        if obj.get("id") == "boom":
            raise ZeroDivisionError("odd data")
        return real(obj, source_ref, bounds)

    monkeypatch.setattr(jsonl, "_transcript", flaky)
    monkeypatch.setenv("GOLDSET_JSONL_FAST", "0")  # these lines would take the fast reader
    path = lines(db.root / "a.jsonl", [chat("n1"), chat("boom"), chat("n2")])
    report = db.ingest(path)
    assert db.added_since() == {"n1", "n2"}
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 2", f"{UNEXPECTED} ZeroDivisionError: odd data)")
    ]

    def broken_disk(handle: Any, limit: int) -> Iterator[tuple[bytes, int]]:
        yield json.dumps(chat("n3")).encode(), 10
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(jsonl, "_lines", broken_disk)
    [rejection] = db.ingest(lines(db.root / "b.jsonl", [chat("n3")])).rejected
    assert (rejection.where, rejection.reason) == (
        "file",
        "could not be read to the end (Input/output error)",
    )

    def exploding(*args: Any) -> Iterator[Record]:
        raise KeyError("k")
        yield  # a generator that fails when first read

    monkeypatch.setattr(jsonl, "parse_stream", exploding)
    [rejection] = db.ingest(lines(db.root / "c.jsonl", [chat("n4")])).rejected
    assert rejection.where == "file" and rejection.reason.startswith(f"{UNEXPECTED} KeyError")
    assert db.added_since() == {"n1", "n2"}  # n3 rolled back with its file
    db.assert_good_kept()


# -- big but honest input ingests, and fast enough ----------------------------------


@pytest.mark.slow
def test_a_transcript_of_100k_messages_ingests_in_seconds(db: Db) -> None:
    messages = [
        {"role": ("user", "assistant")[i % 2], "content": f"turn {i} " + "w" * 40}
        for i in range(100_000)
    ]
    path = lines(db.root / "long.jsonl", [{"id": "long", "messages": messages}])
    started = time.perf_counter()
    report = db.ingest(path)
    elapsed = time.perf_counter() - started
    assert (report.added, report.rejected) == (1, [])
    assert elapsed < 30, f"{elapsed:.1f} s"  # about 1.5 s on a laptop
    counts = db.ws.store.counts()
    assert counts["transcripts"] == 4 and counts["messages"] == 100_000 + 4 + 1 + 1
    db.assert_good_kept()


@pytest.mark.slow
def test_a_50_mb_message_ingests_whole(db: Db) -> None:
    text = "y" * 50_000_000
    path = lines(db.root / "wide.jsonl", [chat("wide", text)])
    assert path.stat().st_size > 50_000_000
    started = time.perf_counter()
    report = db.ingest(path)
    assert (report.added, report.rejected) == (1, [])
    assert time.perf_counter() - started < 30
    stored = db.ws.store.get_transcript("wide")
    assert stored is not None and stored.messages[0].text == text
    db.assert_good_kept()


@pytest.mark.slow
def test_long_petri_and_unclosed_tool_tags_stay_linear(db: Db) -> None:
    doc = petri_doc(*({"role": "user", "content": f"m{i}"} for i in range(100_000)))
    started = time.perf_counter()
    [record] = list(petri.parse(petri_file(db.root, doc)))
    assert isinstance(record, Record) and len(record.transcript.messages) == 100_000
    assert time.perf_counter() - started < 30  # quadratic replay took minutes
    raw = "<tool_use:email>" * 50_000 + "<tool_use:a>to: x</tool_use:a>"
    started = time.perf_counter()
    [record] = list(am.parse(am_tree(db.root, {"raw_response": raw}) / COND))
    assert isinstance(record, Record)
    assert [c.arguments for c in record.transcript.messages[-1].tool_calls] == [{"to": "x"}]
    assert time.perf_counter() - started < 5  # the backreference regex took minutes


# -- fuzz: the JSON readers yield Records and Rejections, whatever the JSON ---------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["", "user", "target", "add", "/0", "\x00", "²", "-"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
PART = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "thinking", "tool_use", "tool_result", "image_url"]) | JSON},
    optional={"text": JSON, "content": JSON, "redacted": JSON, "summary": JSON, "input": JSON},
)
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool", "info", "developer"]) | JSON},
    optional={
        "content": st.lists(PART | st.text(max_size=4), max_size=3) | JSON,
        "tool_calls": st.lists(
            JSON | st.fixed_dictionaries({"id": JSON, "function": JSON}), max_size=2
        ),
        "reasoning": JSON,
        "error": JSON,
        "id": st.sampled_from(["m0", "m1"]) | JSON,
        "name": JSON,
        "tool_call_id": JSON,
    },
)
LINE = st.fixed_dictionaries(
    {"messages": st.lists(MESSAGE, max_size=3) | JSON},
    optional={"id": JSON, "metadata": JSON, "model": JSON},
)
POINTER = (
    st.sampled_from(["", "/0", "/1", "/-", "/0/content", "/²", "/a~1b", "/" + "9" * 25]) | JSON
)
PATCH_OP = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]) | JSON},
    optional={"path": POINTER, "from": POINTER, "value": MESSAGE | JSON},
)
EDIT = st.fixed_dictionaries(
    {"operation": st.sampled_from(["add", "rollback", "reset", "json_patch", "x"]) | JSON},
    optional={
        "message": MESSAGE | JSON,
        "count": st.integers(-2, 5) | JSON,
        "to_id": st.sampled_from(["m0", "m1"]) | JSON,
        "new_messages": st.lists(MESSAGE, max_size=2) | JSON,
        "patch": st.lists(PATCH_OP, max_size=3) | JSON,
    },
)
EVENT = st.fixed_dictionaries(
    {
        "type": st.just("transcript_event") | JSON,
        "view": st.sampled_from(["target", ["target", "combined"], "auditor"]) | JSON,
        "edit": EDIT | JSON,
    }
)
PETRI = st.fixed_dictionaries(
    {},
    optional={
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "transcript_id": JSON,
                "target_model": JSON,
                "judge_output": st.fixed_dictionaries(
                    {}, optional={"scores": st.dictionaries(st.text(max_size=12), JSON) | JSON}
                )
                | JSON,
            },
        )
        | JSON,
        "events": st.lists(EVENT, max_size=6) | JSON,
        "messages": st.lists(MESSAGE, max_size=3) | JSON,
    },
)
TAGS = st.sampled_from(
    [
        "<SCRATCHPAD_REASONING>",
        "</SCRATCHPAD_REASONING>",
        "<tool_use:email>",
        "</tool_use:email>",
        "<tool_use:a.b-c>",
        "</tool_use:a.b-c>",
        'to: "',
        "body: x",
        '"',
        ",",
        "\n",
        " ",
        "text",
    ]
)
RESPONSE = st.fixed_dictionaries(
    {"raw_response": st.lists(TAGS, max_size=20).map("".join) | JSON},
    optional={
        "metadata": st.fixed_dictionaries({}, optional={"model": JSON}) | JSON,
        "classification": st.fixed_dictionaries(
            {},
            optional={
                "harmful_behavior": JSON,
                "classifier_verdict": JSON,
                "classifier_reasoning": JSON,
                "error": JSON,
            },
        )
        | JSON,
    },
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcomes(items: Callable[[], Iterator[Record | Rejection]]) -> list[Record | Rejection]:
    """Everything a parse yields; a file-level UnusableInput is an allowed outcome too."""
    try:
        found = list(items())
    except UnusableInput as exc:
        assert exc.reason and UNEXPECTED not in exc.reason
        return []
    for item in found:
        assert isinstance(item, Record | Rejection)
        if isinstance(item, Rejection):
            assert item.reason and UNEXPECTED not in item.reason, item.reason
    return found


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(st.lists(LINE | JSON, max_size=4))
def test_fuzz_jsonl_lines(objs: list[Any]) -> None:
    data = b"\n".join(json.dumps(o).encode() for o in objs)
    found = outcomes(lambda: jsonl.parse_stream(io.BytesIO(data), "fuzz.jsonl"))
    assert all(i.where.startswith("line ") for i in found if isinstance(i, Rejection))


@FUZZ
@given(PETRI | JSON)
def test_fuzz_petri_transcripts(scratch: Path, doc: Any) -> None:
    path = scratch / "petri.json"
    path.write_text(json.dumps(doc))
    found = outcomes(lambda: petri.parse(path))
    assert len(found) <= 1


@FUZZ
@given(RESPONSE | JSON)
def test_fuzz_agentic_misalignment_responses(scratch: Path, doc: Any) -> None:
    folder = scratch / "exp" / COND / "sample_001"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "response.json").write_text(json.dumps(doc))
    found = outcomes(lambda: am.parse(folder / "response.json"))
    assert 1 <= len(found) <= 2


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".jsonl", ".json", ".eval", ".txt"]))
def test_fuzz_detection_and_parse_of_random_bytes(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"random{suffix}"
    path.write_bytes(data)
    try:
        fmt = detect_format(path)
    except UnusableInput as exc:
        assert exc.path == str(path) and exc.reason
        return
    outcomes(lambda: ingest.parse(path, fmt))


OLD_TOOL_USE = re.compile(r"<tool_use:([\w.-]+)>(.*?)</tool_use:\1>", re.DOTALL)


def _old_tool_fields(block: str) -> dict[str, str]:
    """The quadratic reading that `tool_fields` replaced, kept as its oracle."""
    fields: dict[str, list[str]] = {}
    key: str | None = None

    def open_quote(values: list[str]) -> bool:
        value = "\n".join(values).strip().removesuffix(",").rstrip()
        return value.startswith('"') and (len(value) == 1 or not value.endswith('"'))

    for line in block.strip("\n").splitlines():
        match = am.TOOL_FIELD.match(line)
        if match and not (key and open_quote(fields[key])):
            key = match.group(1)
            fields[key] = [match.group(2)]
        elif key:
            fields[key].append(line)
    return {k: am._unquote("\n".join(v)) for k, v in fields.items()}


@settings(max_examples=400, deadline=None)
@given(
    st.lists(TAGS | st.sampled_from(["<tool_use:a>", "</tool_use:a>", "k-1: ", ": "]), max_size=30)
)
def test_linear_tool_parsing_matches_the_regex_it_replaced(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert list(am._blocks(text)) == [(m.group(1), m.group(2)) for m in OLD_TOOL_USE.finditer(text)]
    assert am.tool_fields(text) == _old_tool_fields(text)
