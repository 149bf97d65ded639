"""Safety checks on an `.eval` zip before inspect_ai reads any of it.

We never extract an archive to disk, so hostile member names cannot write
anywhere; we still refuse them, since Inspect never writes such names and
sample ids derived from them would be nonsense. A zip bomb is refused by size,
never by compression ratio (a long repetitive output compresses like a bomb): first
on what the central directory declares (a member bigger than the document limit, a
total bigger than the `.eval` limit); then every member is inflated once, in bounded
chunks and without keeping the output, to prove it expands to no more than it
declares (inspect_ai's own zip reader trusts the compressed size, not the declared
one, and would inflate a member that lies about its size in full). A sample member
that fails a check costs only its own sample; any other member, read for every
sample, makes the file unusable. The same pass measures each
member's JSON nesting (`nesting.Meter`), since inspect_ai's parser must never
see text nesting deeper than `MAX_RAW_DEPTH`.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from . import nesting
from .errors import UnusableInput
from .limits import MAX_RAW_DEPTH, Limits, over

CHUNK = 1 << 20
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
STORED, DEFLATED, ZSTD = 0, 8, 93
"""The compression methods inspect_ai reads."""
DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    """A member name that could point outside an extraction folder, or is not a plain path."""
    parts = name.replace("\\", "/").split("/")
    return (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or bool(DRIVE.match(name))
        or ".." in parts
    )


def _shown(name: str) -> str:
    return repr(name if len(name) <= 100 else name[:99] + "…")


def check_eval(path: Path, limits: Limits) -> dict[str, str]:
    """UnusableInput unless every member of the `.eval` zip at `path` is safe to read.

    Returns the sample members (`samples/…`) that are not, each with the reason: too
    big, inflating past what it declares, damaged, or nesting deeper than
    MAX_RAW_DEPTH. Only their own sample loses them; any other member failing a check
    makes the file unusable, as inspect_ai reads it for every sample.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as exc:  # a crafted zip can raise more than BadZipFile
        raise UnusableInput(path, f"cannot be opened as a zip archive ({exc})") from exc
    refused: dict[str, str] = {}
    _check_declared(path, members, limits, refused)
    try:
        with path.open("rb") as handle:
            for info in members:
                if info.filename not in refused:
                    _check_member(path, handle, info, limits, refused)
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc
    return refused


def _refuse(path: Path, name: str, reason: str, refused: dict[str, str]) -> None:
    """A sample member's failed check costs its sample; any other member's, the file."""
    if not name.startswith("samples/"):
        raise UnusableInput(path, reason)
    refused[name] = reason


def _check_member(
    path: Path, handle: IO[bytes], info: zipfile.ZipInfo, limits: Limits, refused: dict[str, str]
) -> None:
    """Inflate one member (`_check_inflated`); note or raise what is wrong with it."""
    try:
        found = _check_inflated(path, handle, info, limits)
    except UnusableInput as exc:
        _refuse(path, info.filename, exc.reason, refused)
        return
    if found is not None:
        refusal = nesting.refusal(found, MAX_RAW_DEPTH)
        _refuse(path, info.filename, f"member {_shown(info.filename)} {refusal}", refused)


def _check_declared(
    path: Path, members: list[zipfile.ZipInfo], limits: Limits, refused: dict[str, str]
) -> None:
    total = 0
    for info in members:
        name = info.filename
        if unsafe_name(name):
            raise UnusableInput(path, f"holds a member with an unsafe name ({_shown(name)})")
        if info.flag_bits & 0x1:
            raise UnusableInput(path, f"holds an encrypted member ({_shown(name)})")
        if info.compress_type not in (STORED, DEFLATED, ZSTD):
            method = info.compress_type
            raise UnusableInput(path, f"member {_shown(name)} uses compression method {method}")
        if info.file_size > limits.document_bytes:
            what = f"member {_shown(name)} uncompressed"
            reason = over(what, info.file_size, limits.document_bytes, "document_bytes")
            _refuse(path, name, reason, refused)
            continue
        total += info.file_size
    if total > limits.eval_bytes:
        raise UnusableInput(
            path, over("its content uncompressed", total, limits.eval_bytes, "eval_bytes")
        )


def _raw(handle: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's stored (compressed) bytes, in chunks, as inspect_ai would read them."""
    handle.seek(info.header_offset)
    header = handle.read(LOCAL_HEADER.size)
    if len(header) < LOCAL_HEADER.size or not header.startswith(LOCAL_MAGIC):
        raise ValueError("its local header is missing")
    name_len, extra_len = LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(info.header_offset + LOCAL_HEADER.size + name_len + extra_len)
    left = info.compress_size
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            raise ValueError("it is cut short")
        left -= len(chunk)
        yield chunk


def _inflated(handle: IO[bytes], info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """The member's bytes as they inflate, in chunks, stopping once past `cap` bytes."""
    if info.compress_type == STORED:
        return _raw(handle, info)
    if info.compress_type == DEFLATED:
        return _deflated(_raw(handle, info), cap)
    return _zstd(_raw(handle, info), cap)


def _deflated(chunks: Iterator[bytes], cap: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-15)
    total = 0
    for chunk in chunks:
        data = chunk
        while data and total <= cap and not inflater.eof:
            out = inflater.decompress(data, CHUNK)
            total += len(out)
            yield out
            data = inflater.unconsumed_tail
        if total > cap or inflater.eof:
            return
    yield inflater.flush()


class _Chunks(io.RawIOBase):
    """A readable stream over chunks of bytes, for zstandard's stream reader."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.pending:
            self.pending = memoryview(next(self.chunks, b""))
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _zstd(chunks: Iterator[bytes], cap: int) -> Iterator[bytes]:
    import zstandard  # inspect_ai's dependency; only zstd members need it

    reader = zstandard.ZstdDecompressor().stream_reader(
        io.BufferedReader(_Chunks(chunks), CHUNK), read_across_frames=True
    )
    total = 0
    try:
        while total <= cap:
            block = reader.read(CHUNK)
            if not block:
                break
            total += len(block)
            yield block
    except zstandard.ZstdError as exc:
        raise ValueError(str(exc)) from exc


def _check_inflated(
    path: Path, handle: IO[bytes], info: zipfile.ZipInfo, limits: Limits
) -> nesting.Deepest | None:
    """Inflate the member once; its deepest nesting when deeper than MAX_RAW_DEPTH."""
    cap = min(info.file_size, limits.document_bytes)
    meter = nesting.Meter()
    size = 0
    try:
        for piece in _inflated(handle, info, cap):
            size += len(piece)
            if size > cap:
                break
            meter.feed(piece)
    except (ValueError, zlib.error, ImportError) as exc:
        raise UnusableInput(path, f"member {_shown(info.filename)} is damaged ({exc})") from exc
    if size > cap:
        raise UnusableInput(
            path,
            f"member {_shown(info.filename)} inflates past the {info.file_size:,} bytes "
            "it declares: a zip bomb?",
        )
    return meter.found if meter.found.depth > MAX_RAW_DEPTH else None
