"""A fast reader for well-shaped JSON Lines chat files: Arrow parses, numpy and Arrow check.

`jsonl` (a line at a time, through pydantic) is the reference. This module gives
exactly the rows `jsonl` and the store would write, as Arrow tables (`labels.rows.Rows`),
for a file whose shape lets that be proved, and raises `Decline` for any other,
so the caller reads the whole file again with `jsonl`, the only reader that says
why a line is rejected (a file with a line it would reject is always declined).

Accepted: every non-blank line is one JSON object with `id` (a non-empty string),
`messages` (1 to `Limits.messages` objects), and optionally `model` (a string or
null) and `metadata` (null, or an object whose values are strings, integers,
booleans, floats that are not whole numbers, lists and objects of those, and
never null: Arrow gives a missing key as null). A message has a known role (or
alias) and strings or nulls for content, reasoning, reasoning_content, thinking,
name, function and tool_call_id; other keys of a message are ignored, as `jsonl`
ignores them. An assistant's hidden blocks (`<SCRATCHPAD_REASONING>`, thinking) move from
its text to its reasoning by `render.split_hidden`, as in `jsonl`.

Declined, among others: another top-level key (`jsonl` puts it in metadata); a
number, list or object where a string is expected; a null in metadata, or a key
some lines lack; a whole number written as a float (Arrow reads 1 and 1.0 alike
in a list of floats); a string in metadata Arrow takes for a date; NaN or an
infinity anywhere; `tool_calls` or `error` in a message; a `\\u0000` escape
anywhere (a NUL is rejected in ids and text) or a `\\ud800`-`\\udfff` one; a
byte-order mark; invalid UTF-8; a line over the line limit, nesting more than
`MAX_NESTING` levels or not exactly one JSON object; whatever Arrow cannot parse
(duplicate keys, a value whose type changes after the first block, ...).

Set `GOLDSET_JSONL_FAST=0` to turn the fast reader off: every JSONL file is then
read by `jsonl` (the tests get the reference result that way).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from labels import render
from labels.models import CONDITION_FIELDS, ROLES
from labels.rows import Rows, to_json

from . import limits, nesting
from ._common import condition_fields, model_name, split_condition, without
from ._messages import REASONING_KEYS, ROLE_ALIASES
from .detect import check_jsonl_head, head_of
from .jsonl import BOM, KNOWN_KEYS

SWITCH = "GOLDSET_JSONL_FAST"
BLOCK = 8 << 20
"""Bytes Arrow parses at a time (raised to the longest line when that is longer)."""
SCAN = 16 << 20
"""Bytes read at a time while the lines are checked."""
AHEAD = 2
"""Batches made ahead of the one being stored."""
MAX_NESTING = 32
"""Deepest nesting accepted: far below `limits.MAX_DEPTH` and Python's recursion limit."""
MAX_BLANK = 1 << 20
"""Blank lines remembered (to number the others); a file with more is declined."""

_TEXT = pa.string()
MESSAGE_FIELDS = (
    "role",
    "content",
    "reasoning",
    "reasoning_content",
    "thinking",
    "name",
    "tool_call_id",
    "function",
)
UNSUPPORTED_MESSAGE_FIELDS = ("tool_calls", "error")
SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("model", _TEXT),
        ("messages", pa.list_(pa.struct([(name, _TEXT) for name in MESSAGE_FIELDS]))),
    ]
)
ROLE_OF: dict[str, str] = {**{role: role for role in ROLES}, **ROLE_ALIASES}
_ROLE_NAMES = pa.array(list(ROLE_OF), _TEXT)
_ROLE_VALUES = pa.array(list(ROLE_OF.values()), _TEXT)
_FLAT = (pa.string(), pa.int64(), pa.bool_())
_METADATA_LEAVES = (*_FLAT, pa.float64())
_DROPPED = (*CONDITION_FIELDS, "model")
"""Metadata keys `jsonl` moves into their own columns (when they hold a usable value)."""
CONDITION_KEYS = ("condition_id", "condition")
"""Metadata keys `condition_fields` splits, in its order."""
_NEWLINE, _CR, _OPEN, _CLOSE = b"\n\r{}"  # byte values
_BACKSLASH, _U, _D, _ZERO = b"\\ud0"
_LOWER = 0x20
"""Or-ed into an ASCII letter, makes it lower case."""
_HIGH_DIGITS = np.frombuffer(b"89abcdef", np.uint8)
"""The second hex digit of a surrogate escape, \\ud800-\\udfff."""


T = TypeVar("T")


class Decline(Exception):
    """The file is outside what the fast reader can prove it reads as `jsonl` does."""


def enabled() -> bool:
    """Whether the fast reader may be tried (`GOLDSET_JSONL_FAST=0` turns it off)."""
    return os.environ.get(SWITCH, "").strip() != "0"


def parse(path: Path, name: str | None = None) -> Iterator[Rows]:
    """Like `jsonl.parse`: the same checks of the file first (UnusableInput), then `batches`,
    made on a thread a few batches ahead (so reading overlaps storing). `name`: what
    `source_ref` calls the file (default: its path)."""
    check_jsonl_head(path, head_of(path))
    yield from ahead(batches(path, name or str(path), limits.current(path)))


def read(path: Path, name: str | None = None) -> list[Rows]:
    """Like `parse`, all of the file at once on this thread (for a small file, where a
    thread reading ahead would only add its start and hand-over)."""
    check_jsonl_head(path, head_of(path))
    return list(batches(path, name or str(path), limits.current(path)))


def ahead(items: Generator[T, None, None], depth: int = AHEAD) -> Iterator[T]:
    """`items`, made on a thread up to `depth` ahead; its exceptions are raised here.

    Closing the iterator (or an exception where it is used) stops the thread and
    closes `items`.
    """
    waiting: queue.Queue[tuple[bool, Any]] = queue.Queue(depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for item in items:
                _put(waiting, (True, item), stop)
                if stop.is_set():
                    return
            _put(waiting, (False, None), stop)
        except BaseException as exc:  # handed over, raised where the items are used
            _put(waiting, (False, exc), stop)
        finally:
            items.close()

    thread = threading.Thread(target=make, name="jsonl-fast", daemon=True)
    thread.start()
    try:
        while True:
            more, item = waiting.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _put(
    waiting: queue.Queue[tuple[bool, Any]], item: tuple[bool, Any], stop: threading.Event
) -> None:
    """Put `item` in the queue, waiting for room unless `stop` is set."""
    while not stop.is_set():
        with contextlib.suppress(queue.Full):
            waiting.put(item, timeout=0.05)
            return


def batches(path: Path, file: str, bounds: limits.Limits) -> Generator[Rows, None, None]:
    """The file's rows, one `Rows` per Arrow record batch; Decline when not provably equal.

    A Decline can come after batches were yielded (the line count is checked at
    the end), so the caller must keep nothing of the file until the iterator ends.
    """
    try:
        layout = _scan(path, bounds.line_bytes)
        read_options = pj.ReadOptions(block_size=max(BLOCK, layout.longest + 1))
        parse_options = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="infer")
        done = 0
        with pj.open_json(
            str(path), read_options=read_options, parse_options=parse_options
        ) as reader:
            for batch in reader:
                if done + batch.num_rows > layout.rows:
                    raise Decline("a line holds more than one JSON value")
                yield _convert(batch, layout.line_numbers(done, batch.num_rows), file, bounds)
                done += batch.num_rows
        if done != layout.rows:
            raise Decline("a JSON value spans lines")
    except Decline:
        raise
    except Exception as exc:  # Arrow's parse errors, a file that cannot be read, the unforeseen
        raise Decline(f"{type(exc).__name__}: {exc}") from exc


# -- lines --------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where the non-blank lines of a file are: each holds one object, so one Arrow row."""

    rows: int
    """Non-blank lines."""
    blank: np.ndarray
    """Line numbers (from 1) of the blank lines, ascending."""
    longest: int
    """Bytes in the longest line, newline included."""

    def line_numbers(self, first: int, count: int) -> np.ndarray:
        """Line numbers (from 1) of rows first .. first + count - 1.

        Row r is on line r + 1 + j, j the blank lines before it: the number of
        blank lines b_i (i from 0) with b_i - i <= r + 1.
        """
        row = np.arange(first, first + count, dtype=np.int64) + 1
        before = np.searchsorted(self.blank - np.arange(len(self.blank)), row, side="right")
        return row + before


def _scan(path: Path, limit: int) -> Layout:
    """Check the lines of a file before Arrow reads it; Decline when one is not acceptable.

    Arrow reads a file as a stream of JSON values and cannot say which line a row
    came from; when every non-blank line starts with `{` and ends with `}`, no
    value can span lines (nothing valid follows a `}` with a `{`), so if Arrow
    finds as many rows as there are non-blank lines, row n is non-blank line n.
    """
    rows, lines, longest = 0, 0, 0
    blank: list[np.ndarray] = []
    with path.open("rb") as handle:
        if handle.read(len(BOM)) == BOM:
            raise Decline("the file starts with a byte-order mark")
        handle.seek(0)
        for piece in _pieces(handle, limit):
            found, count, size = _check_lines(piece, lines + 1, limit)
            lines += count
            rows += count - len(found)
            longest = max(longest, size)
            blank.append(found)
            if sum(len(b) for b in blank) > MAX_BLANK:
                raise Decline(f"more than {MAX_BLANK:,} blank lines")
    return Layout(rows=rows, blank=np.concatenate([np.zeros(0, np.int64), *blank]), longest=longest)


def _pieces(handle: IO[bytes], limit: int) -> Iterator[bytes | memoryview]:
    """The file in pieces of whole lines (only the last may lack its newline)."""
    carry = b""
    while chunk := handle.read(SCAN):
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            carry += chunk
            if len(carry) > limit:
                raise Decline("a line is over the line limit")
            continue
        first = chunk.find(b"\n") + 1
        yield carry + chunk[:first]  # the line begun in an earlier chunk: small, copied
        yield memoryview(chunk)[first:cut]
        carry = chunk[cut:]
    if carry:
        yield carry


def _check_lines(piece: bytes | memoryview, number: int, limit: int) -> tuple[np.ndarray, int, int]:
    """(blank line numbers, lines, longest line) of a piece whose first line is `number`."""
    data = np.frombuffer(piece, np.uint8)
    if _escapes(data):
        raise Decline("the file holds a \\ud800-\\udfff or \\u0000 escape")
    if not len(data):
        return np.zeros(0, np.int64), 0, 0
    stops = np.flatnonzero(data == _NEWLINE) + 1
    if data[-1] != _NEWLINE:
        stops = np.append(stops, len(data))
    starts = np.concatenate(([0], stops[:-1]))
    longest = int((stops - starts).max())
    if longest > limit:
        raise Decline("a line is over the line limit")
    _check_nesting(piece, data, stops, number)
    ends = stops - (data[stops - 1] == _NEWLINE)
    ends -= (ends > starts) & (data[np.maximum(ends - 1, 0)] == _CR)
    regular = (
        (ends - starts >= 2) & (data[starts] == _OPEN) & (data[np.maximum(ends - 1, 0)] == _CLOSE)
    )
    blank = []
    for i in np.flatnonzero(~regular).tolist():
        line = bytes(piece[starts[i] : stops[i]])
        if not line.strip():  # as `jsonl` skips it
            blank.append(number + i)
            continue
        core = line.strip(b" \t\r\n")  # JSON's whitespace
        if not (core.startswith(b"{") and core.endswith(b"}")):
            raise Decline(f"line {number + i} is not one JSON object")
    return np.array(blank, np.int64), len(stops), longest


def _check_nesting(
    piece: bytes | memoryview, data: np.ndarray, stops: np.ndarray, number: int
) -> None:
    """Decline a piece with a line nesting deeper than MAX_NESTING, before Arrow parses it.

    Arrow's parser recurses without a bound and crashes the process on deep
    nesting. A line with no more than MAX_NESTING `[` and `{` cannot nest
    deeper; only a piece with a line holding more is measured exactly.
    """
    folded = np.bitwise_or(data, _LOWER)  # `[` (0x5b) becomes `{` (0x7b), nothing else does
    openers = np.flatnonzero(np.equal(folded, _OPEN, out=folded.view(np.bool_)))
    per_line = np.diff(np.searchsorted(openers, stops), prepend=0)
    if per_line.max() <= MAX_NESTING:
        return
    found = nesting.too_deep_line(piece, MAX_NESTING)
    if found is not None:
        where = number + found.line - 1
        raise Decline(f"line {where} nests {found.depth:,} levels, more than {MAX_NESTING}")


def _escapes(data: np.ndarray) -> bool:
    """Whether the bytes hold a surrogate escape (`jsonl` rejects a lone one) or a NUL one.

    A NUL is rejected in ids and text; declining a NUL anywhere spares checking each
    string. (An escaped backslash before `u0000` counts too: declining more is safe.)
    """
    at = np.flatnonzero(data[:-5] == _BACKSLASH)  # room for the \\uXXXX
    escape = data[at + 1] == _U
    surrogate = ((data[at + 2] | _LOWER) == _D) & np.isin(data[at + 3] | _LOWER, _HIGH_DIGITS)
    nul = (data[at + 2] == _ZERO) & (data[at + 3] == _ZERO) & (data[at + 4] == _ZERO)
    return bool((escape & (surrogate | (nul & (data[at + 5] == _ZERO)))).any())


# -- rows ---------------------------------------------------------------------


def _convert(batch: pa.RecordBatch, lines: np.ndarray, file: str, bounds: limits.Limits) -> Rows:
    """One record batch as store rows, after checking it is in the accepted shape."""
    _check_schema(batch.schema)
    batch.validate(full=True)  # UTF-8, and lists Arrow built wrong (`[null, 1]`)
    for array in batch.columns:
        _check_numbers(array)
    ids = batch.column("id")
    if ids.null_count or pc.any(pc.equal(pc.binary_length(ids), 0)).as_py():
        raise Decline("a line has no id, or an empty one")
    messages, parents, n_chars = _messages(batch.column("messages"), ids, bounds.messages)
    transcripts = {
        "id": ids,
        "source_format": pa.repeat(pa.scalar("jsonl", _TEXT), batch.num_rows),
        "source_ref": pc.binary_join_element_wise(
            f"{file}, line ", pa.array(lines).cast(_TEXT), ""
        ),
        **_described(batch),
        "n_messages": pc.list_value_length(batch.column("messages")),
        "n_chars": pa.array(n_chars),
    }
    return Rows(pa.table(transcripts), messages, pa.array(parents))


def _check_schema(schema: pa.Schema) -> None:
    """Decline another top-level key, nesting too deep, or metadata of a type not accepted."""
    extra = [name for name in schema.names if name not in KNOWN_KEYS]
    if extra:
        raise Decline(f"a line has the key {extra[0]!r}, which goes into metadata")
    for field in schema:
        if _nesting(field.type) >= MAX_NESTING:
            raise Decline(f"a line nests more than {MAX_NESTING} levels")
    if "metadata" in schema.names:
        kind = schema.field("metadata").type
        if pa.types.is_struct(kind):
            _check_metadata_type(kind)
        elif not pa.types.is_null(kind):  # null on every line is fine: {}
            raise Decline(f"metadata is {kind}, not an object")


def _nesting(kind: pa.DataType) -> int:
    """Levels of lists and objects in a type; Decline a key that is not valid UTF-8."""
    if pa.types.is_struct(kind):
        try:
            children = {field.name: field.type for field in kind}
        except UnicodeDecodeError:
            raise Decline("a key is not valid UTF-8") from None
        return 1 + max(map(_nesting, children.values()), default=0)
    if pa.types.is_list(kind):
        return 1 + _nesting(kind.value_type)
    return 0


def _check_metadata_type(kind: pa.DataType) -> None:
    """Decline metadata values Arrow may not give back as `json.loads` would (timestamps, nulls)."""
    if pa.types.is_struct(kind):
        for field in kind:
            _check_metadata_type(field.type)
    elif pa.types.is_list(kind):
        if not pa.types.is_null(kind.value_type):  # [] everywhere
            _check_metadata_type(kind.value_type)
    elif pa.types.is_null(kind):
        raise Decline("metadata holds a null")
    elif kind not in _METADATA_LEAVES:
        raise Decline(f"metadata holds a {kind} value")


def _check_numbers(array: pa.Array) -> None:
    """Decline NaN and infinities anywhere: `jsonl` reads some (NaN) and rejects others (-Inf)."""
    if pa.types.is_struct(array.type):
        for i in range(array.type.num_fields):
            _check_numbers(array.field(i))
    elif pa.types.is_list(array.type):
        _check_numbers(array.flatten())
    elif pa.types.is_floating(array.type) and pc.any(pc.invert(pc.is_finite(array))).as_py():
        raise Decline("a number is NaN or infinite (or too big for a float)")


# -- model, condition fields, metadata --------------------------------------------


def _described(batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """model, the condition fields and metadata (as JSON) of each line, as `jsonl` derives them.

    Column by column when the metadata is flat (text, integers, booleans) and holds
    none of the keys `jsonl` moves into columns; line by line otherwise.
    """
    meta = _metadata(batch)
    model = batch.column("model")
    if meta is None:
        return _flat_described(model, {}, pa.repeat(pa.scalar(False), batch.num_rows))
    fields = {field.name: meta.field(i) for i, field in enumerate(meta.type)}
    if any(name in _DROPPED or kind.type not in _FLAT for name, kind in fields.items()):
        return _row_described(model, meta)
    return _flat_described(model, fields, meta.is_valid())


def _metadata(batch: pa.RecordBatch) -> pa.StructArray | None:
    """The metadata column, checked to read back as `json.loads` gives it; None when none."""
    if "metadata" not in batch.schema.names:
        return None
    column = batch.column("metadata")
    if pa.types.is_null(column.type):
        return None
    _check_metadata_values(column)
    return column


def _check_metadata_values(array: pa.Array) -> None:
    """Decline nulls inside present metadata (a null and a missing key look alike) and 1.0s."""
    if pa.types.is_struct(array.type):
        present = array.is_valid()
        for i in range(array.type.num_fields):
            child = array.field(i)
            if child.null_count and pc.any(pc.and_(present, child.is_null())).as_py():
                raise Decline("metadata holds a null, or a key some lines lack")
            _check_metadata_values(child)
    elif pa.types.is_list(array.type):
        values = array.flatten()
        if values.null_count:
            raise Decline("metadata holds a null in a list")
        _check_metadata_values(values)
    elif pa.types.is_floating(array.type) and pc.any(pc.equal(pc.floor(array), array)).as_py():
        raise Decline("metadata holds a whole number as a float (1.0, or 1 in a list of floats)")


def _flat_described(
    model: pa.Array, fields: dict[str, pa.Array], present: pa.Array
) -> dict[str, pa.Array]:
    """`_described` column by column: no metadata key is dropped, and none gives the model."""
    objects = [
        piece
        for i, name in enumerate(sorted(fields))
        for piece in (
            (", " if i else "{") + json.dumps(name, ensure_ascii=False) + ": ",
            _json_values(fields[name]),
        )
    ]
    metadata = (
        pc.binary_join_element_wise(*objects, "}", "") if objects else pa.repeat("{}", len(model))
    )
    return {
        "model": _none_if_empty(model),
        **_conditions(fields, len(model)),
        "metadata": pc.if_else(present, metadata, "{}"),  # {} for no metadata, as `to_json`
    }


def _json_values(values: pa.Array) -> pa.Array:
    """Each value as `to_json` writes it: text through `json.dumps`, once per distinct value."""
    if not pa.types.is_string(values.type):
        return values.cast(_TEXT)  # integers in decimal, booleans as true and false
    codes = values.dictionary_encode()
    texts = [json.dumps(text, ensure_ascii=False) for text in codes.dictionary.to_pylist()]
    return pa.array(texts, _TEXT).take(codes.indices)


def _conditions(fields: dict[str, pa.Array], count: int) -> dict[str, pa.Array]:
    """The condition fields split from `condition_id`, else `condition`, when it is text."""
    key = next((k for k in CONDITION_KEYS if k in fields and fields[k].type == _TEXT), None)
    if key is None:
        return {name: pa.nulls(count, _TEXT) for name in CONDITION_FIELDS}
    codes = fields[key].dictionary_encode()
    split = [split_condition(text) for text in codes.dictionary.to_pylist()]
    return {
        name: pa.array([parts.get(name) for parts in split], _TEXT).take(codes.indices)
        for name in CONDITION_FIELDS
    }


def _row_described(model: pa.Array, meta: pa.StructArray) -> dict[str, pa.Array]:
    """`_described` line by line, through the same helpers as `jsonl._transcript`.

    Its `json_safe` is left out: on the values accepted here (text Arrow checked as
    UTF-8, integers, booleans, finite non-integral floats, lists and objects of
    them, shallow) it gives back an equal value.
    """
    rows = []
    for name, found in zip(model.to_pylist(), meta.to_pylist(), strict=True):
        values = found or {}
        fields = condition_fields(values)
        rows.append(
            (
                model_name(name, values.get("model")),
                *(fields[key] for key in CONDITION_FIELDS),
                to_json(without(values, _DROPPED)),
            )
        )
    columns = list(zip(*rows, strict=True))
    names = ("model", *CONDITION_FIELDS, "metadata")
    return {name: pa.array(column, _TEXT) for name, column in zip(names, columns, strict=True)}


# -- messages ---------------------------------------------------------------------


def _messages(
    column: pa.ListArray, ids: pa.Array, most: int
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """(message rows, their transcript rows, n_chars per transcript) of one batch."""
    if column.null_count:
        raise Decline('a line has no "messages"')
    offsets = column.offsets.to_numpy().astype(np.int64)
    offsets -= offsets[0]
    counts = np.diff(offsets)
    if len(counts) and (counts.min() < 1 or counts.max() > most):
        raise Decline(f"a line has no messages, or more than {most:,}")
    flat = column.flatten()
    if flat.null_count:
        raise Decline("a message is null")
    _check_unsupported(flat)
    parents = np.repeat(np.arange(len(counts)), counts)
    role = _roles(flat.field("role"))
    text, reasoning = _hidden(role, pc.fill_null(flat.field("content"), ""), _reasoning(flat))
    name = _none_if_empty(pc.coalesce(flat.field("name"), flat.field("function")))
    table = pa.table(
        {
            "transcript_id": ids.take(pa.array(parents)),
            "idx": pa.array(np.arange(len(flat)) - np.repeat(offsets[:-1], counts)),
            "role": role,
            "text": text,
            "reasoning": reasoning,
            "tool_calls": pa.nulls(len(flat), _TEXT),
            "tool_call_id": _none_if_empty(flat.field("tool_call_id")),
            "name": pc.if_else(pc.equal(role, "tool"), name, pa.scalar(None, _TEXT)),
        }
    )
    sizes = pc.utf8_length(text).to_numpy() + pc.fill_null(pc.utf8_length(reasoning), 0).to_numpy()
    total = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    return table, parents, total[offsets[1:]] - total[offsets[:-1]]


def _check_unsupported(flat: pa.StructArray) -> None:
    """Decline messages with tool calls or a tool error (only `jsonl` builds those)."""
    for i, field in enumerate(flat.type):
        if field.name in UNSUPPORTED_MESSAGE_FIELDS and flat.field(i).null_count < len(flat):
            raise Decline(f"a message has {field.name}")


def _roles(raw: pa.Array) -> pa.Array:
    """Roles with aliases resolved; Decline a missing or unknown one."""
    found = pc.index_in(raw, value_set=_ROLE_NAMES)
    if found.null_count:
        raise Decline("a message has no role, or one not known")
    return _ROLE_VALUES.take(found)


def _hidden(role: pa.Array, text: pa.Array, reasoning: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Text and reasoning with an assistant's hidden blocks moved over, as `jsonl` does.

    Arrow finds the assistant texts where a block may open (`render.HIDDEN_OPENING`, a
    superset); `render.split_hidden` itself splits just those, so the result is the same.
    """
    maybe = pc.and_(
        pc.equal(role, "assistant"), pc.match_substring_regex(text, render.HIDDEN_OPENING)
    )
    rows = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    if not len(rows):
        return text, reasoning
    where = pa.array(rows)
    split = [render.split_hidden(t) for t in text.take(where).to_pylist()]
    before = reasoning.take(where).to_pylist()
    visible = pa.array([v for v, _ in split], _TEXT)
    joined = pa.array(
        [render.join_reasoning(h, r) for (_, h), r in zip(split, before, strict=True)], _TEXT
    )
    mask = np.zeros(len(text), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(text, mask, visible), pc.replace_with_mask(reasoning, mask, joined)


def _reasoning(flat: pa.StructArray) -> pa.Array:
    """Reasoning, reasoning_content and thinking joined by blank lines; null when all are empty.

    (Not `binary_join_element_wise(..., null_handling="skip")`: pyarrow 26 drops the
    rows where every part is null from its result.)
    """
    parts = [flat.field(name) for name in REASONING_KEYS]
    present = [_none_if_empty(part) for part in parts if part.null_count < len(part)]
    if not present:
        return pa.nulls(len(flat), _TEXT)
    joined = present[0]
    for part in present[1:]:
        both = pc.binary_join_element_wise(joined, part, "\n\n")  # null unless both are there
        joined = pc.coalesce(both, joined, part)
    return joined


def _none_if_empty(values: pa.Array) -> pa.Array:
    """Empty strings as nulls (`jsonl` keeps `value or None`)."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, _TEXT), values)
