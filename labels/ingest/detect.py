"""Which reader a path needs, and which inputs a list of files and folders holds.

Files are told by extension, then checked by a peek at their first bytes, so a
file whose content does not match its name gets a clear error rather than a
stream of rejections: `.eval` must be a zip holding an Inspect log, `.jsonl`
must start with a JSON object, and a `.json` is told by its top-level keys
(read from the first MiB without parsing the whole file). Files that are
plainly something else (an image, an archive, compressed or UTF-16 data) are
named as such, from their magic bytes; the readers use the same check, so a
mislabelled file found in a folder or read with an explicit format fails the
same way. A folder holding `sample_*/response.json` files is an
agentic-misalignment input when it is an experiment folder (or a model or
condition folder in one) or a results root.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from labels.models import SourceFormat

from .errors import UnknownFormat, UnusableInput

PEEK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
DECOMPRESS = "decompress it first"
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (ZIP_MAGIC, "a zip archive", "is it an Inspect .eval log?"),
    (b"PK\x05\x06", "an empty zip archive", ""),
    (GZIP_MAGIC, "gzip-compressed data", DECOMPRESS),
    (b"BZh", "bzip2-compressed data", DECOMPRESS),
    (b"\xfd7zXZ\x00", "xz-compressed data", DECOMPRESS),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data", DECOMPRESS),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"GIF8", "a GIF image", ""),
    (b"%PDF-", "a PDF document", ""),
    (b"SQLite format 3\x00", "a SQLite database", ""),
    (b"PAR1", "a Parquet file", ""),
    (b"\xff\xfe", "UTF-16 text", "save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text", "save it as UTF-8"),
)
"""Leading bytes of files people upload by mistake: what they are, and a hint."""
WHITESPACE = b" \t\r\n"
INSPECT_MEMBERS = ("header.json", "_journal/start.json")
SUFFIXES: dict[str, SourceFormat | None] = {".jsonl": "jsonl", ".eval": "inspect", ".json": None}
TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]')
AM_KEYS = {"raw_response"}
EXPECTED = "an Inspect log, a Petri transcript or an agentic-misalignment response.json"


def detect_format(path: Path) -> SourceFormat:
    """The source format of a file or folder; UnknownFormat (or UnusableInput) if there is none."""
    if not path.exists():
        raise UnusableInput(path, "no such file or folder")
    if path.is_dir():
        try:
            found = is_results_folder(path)
        except OSError as exc:
            raise UnusableInput(path, f"cannot be listed ({exc.strerror or exc})") from exc
        if found:
            return "agentic-misalignment"
        reason = "is a folder but not an agentic-misalignment results tree; list its files"
        raise UnknownFormat(path, reason)
    head = head_of(path)
    suffix = path.suffix.lower()
    if suffix == ".eval":
        return _eval_format(path, head)
    if suffix == ".jsonl":
        return _jsonl_format(path, head)
    if suffix == ".json":
        return _json_format(path, head)
    raise UnknownFormat(
        path, f"has an unknown extension {suffix or '(none)'!r}; use .jsonl, .eval or .json"
    )


def head_of(path: Path) -> bytes:
    """The first MiB of a file (UnusableInput when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(PEEK)
    except OSError as exc:
        raise UnusableInput(path, f"cannot be read ({exc.strerror or exc})") from exc


def _magic(head: bytes) -> tuple[str, str] | None:
    for magic, kind, hint in MAGIC:
        if head.startswith(magic):
            return kind, hint
    return None


def binary_kind(head: bytes, expected: str = "text") -> str | None:
    """What a file is when its first bytes show it is not UTF-8 text, else None.

    E.g. "a PNG image, not JSON" or "gzip-compressed data, not JSON; decompress it first".
    """
    found = _magic(head)
    if found is None:
        return None
    kind, hint = found
    return f"{kind}, not {expected}" + (f"; {hint}" if hint else "")


def check_text_file(path: Path, head: bytes, expected: str) -> None:
    """UnusableInput when `head` shows a file that is not text, naming what it is instead."""
    kind = binary_kind(head, expected)
    if kind is not None:
        named = path.suffix.lower() or "(no extension)"
        raise UnusableInput(path, f"is named {named} but is {kind}")


def _eval_format(path: Path, head: bytes) -> SourceFormat:
    if head.startswith(ZIP_MAGIC) and not zipfile.is_zipfile(path):
        # A zip's directory is at its end: a zip start without one is a cut-short file.
        raise UnusableInput(
            path,
            "is a damaged zip archive: it starts as one but its end (the zip directory) "
            "is missing, so the file was probably cut short while copied or written",
        )
    if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
        found = _magic(head)
        kind = found[0] if found else "JSON text" if _looks_like_json(head) else None
        seen = f"; it is {kind}" if kind else ""
        raise UnusableInput(
            path, f"is named .eval but is not a zip archive (Inspect .eval logs are){seen}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except Exception as exc:  # a crafted zip can raise more than BadZipFile
        raise UnusableInput(path, f"is a damaged zip archive ({exc})") from exc
    if not names.intersection(INSPECT_MEMBERS):
        raise UnusableInput(path, "is a zip archive but not an Inspect log (no header.json)")
    return "inspect"


def _looks_like_json(head: bytes) -> bool:
    return head.removeprefix(BOM).lstrip(WHITESPACE)[:1] in (b"{", b"[")


def _jsonl_format(path: Path, head: bytes) -> SourceFormat:
    check_jsonl_head(path, head)
    return "jsonl"


def check_jsonl_head(path: Path, head: bytes) -> None:
    """UnusableInput unless `head` could begin JSON Lines text (empty, or a JSON object)."""
    check_text_file(path, head, "JSON Lines text")
    start = head.removeprefix(BOM).lstrip(WHITESPACE)
    if start and not start.startswith(b"{"):
        shown = start[:20].decode("utf-8", errors="replace")
        raise UnknownFormat(
            path, f"is named .jsonl but does not start with a JSON object ({shown!r})"
        )


def _json_format(path: Path, head: bytes) -> SourceFormat:
    check_text_file(path, head, "JSON")
    start = head.removeprefix(BOM).lstrip(WHITESPACE)
    if not start:
        raise UnknownFormat(path, "is empty")
    if not start.startswith(b"{"):
        kind = "a JSON array" if start.startswith(b"[") else "not a JSON object"
        raise UnknownFormat(path, f"is {kind}; expected {EXPECTED}")
    top, nested = json_keys(start)
    if AM_KEYS & set(top):
        return "agentic-misalignment"
    if "eval" in top or {"version", "status"} <= set(top):
        return "inspect"
    if "events" in top or "transcript_id" in nested.get("metadata", []):
        return "petri"
    shown = ", ".join(top[:8]) or "none"
    raise UnknownFormat(path, f"has top-level keys ({shown}) of none of {EXPECTED}")


def json_keys(head: bytes) -> tuple[list[str], dict[str, list[str]]]:
    """Top-level keys of a JSON object, and the keys of each top-level object value.

    Works on a prefix of the document: strings are skipped whole by the
    tokenizer, so braces inside them do not count; keys beyond the prefix are
    simply not seen.
    """
    stack: list[bytes] = []
    top: list[str] = []
    nested: dict[str, list[str]] = {}
    expect_key = False
    for match in TOKEN.finditer(head):
        token = match.group()
        if token in (b"{", b"["):
            stack.append(token)
            expect_key = token == b"{"
        elif token in (b"}", b"]"):
            if not stack:
                break
            stack.pop()
            expect_key = False
        elif token == b",":
            expect_key = bool(stack) and stack[-1] == b"{"
        elif token == b":":
            expect_key = False
        elif expect_key:
            key = token[1:-1].decode("utf-8", errors="replace")
            if len(stack) == 1:
                top.append(key)
            elif len(stack) == 2 and top:
                nested.setdefault(top[-1], []).append(key)
            expect_key = False
        if not stack:
            break
    return top, nested


def is_results_tree(folder: Path) -> bool:
    """Whether `folder` holds agentic-misalignment `sample_*/response.json` files at any depth."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if "response.json" in files and Path(current).name.startswith("sample_"):
            return True
    return False


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(c for c in folder.iterdir() if c.is_dir() and not c.name.startswith("."))
    except OSError:
        return []


def _holds_samples(folder: Path) -> bool:
    return any(
        c.name.startswith("sample_") and (c / "response.json").is_file()
        for c in _subfolders(folder)
    )


def _is_experiment(folder: Path) -> bool:
    """An experiment, model or condition folder of an agentic-misalignment run."""
    if (folder / "prompts").is_dir() or (folder / "models").is_dir():
        return is_results_tree(folder)
    return _holds_samples(folder) or any(_holds_samples(c) for c in _subfolders(folder))


def is_results_folder(folder: Path) -> bool:
    """An agentic-misalignment input: an experiment (or part of one), or a results root.

    A results root holds experiments only (every subfolder is one, and it has
    no transcript files of its own); a folder that merely contains a results
    tree somewhere below, beside other inputs, is not one.
    """
    if _is_experiment(folder):
        return True
    children = _subfolders(folder)
    own_files = any(f.suffix.lower() in SUFFIXES for f in folder.iterdir() if f.is_file())
    return bool(children) and not own_files and all(_is_experiment(c) for c in children)


def iter_inputs(
    paths: Iterable[Path | str], skipped: list[tuple[Path, str]] | None = None
) -> list[tuple[Path, SourceFormat]]:
    """(path, format) for every input in `paths`, folders expanded.

    A named file must be readable and of a known format (else UnusableInput). In
    a folder, an agentic-misalignment results tree is one input; otherwise its
    `*.jsonl`, `*.eval` and `*.json` files are listed recursively. Those are
    given the format their extension promises (`.eval` -> inspect, `.jsonl` ->
    jsonl), so a broken one fails alone when read; a `.json` of no known format
    is left out, and noted in `skipped` when a list is passed.
    """
    found: list[tuple[Path, SourceFormat]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found += _expand(path, skipped)
            except OSError as exc:
                raise UnusableInput(path, f"cannot be listed ({exc.strerror or exc})") from exc
        else:
            found.append((path, detect_format(path)))
    return found


def _expand(
    folder: Path, skipped: list[tuple[Path, str]] | None, seen: set[tuple[int, int]] | None = None
) -> list[tuple[Path, SourceFormat]]:
    """The inputs in a folder, recursively; each real folder and file is taken once.

    `seen` holds the (device, inode) of every folder and file taken so far, so a
    link back to a folder above (a loop) or a second link to the same file is
    passed over, and noted in `skipped`.
    """
    seen = set() if seen is None else seen
    if not _first_time(folder, seen):
        _note(skipped, folder, "a link to a folder already read (a loop?); not read again")
        return []
    if is_results_folder(folder):
        return [(folder, "agentic-misalignment")]
    found: list[tuple[Path, SourceFormat]] = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            found += _expand(child, skipped, seen)
        elif child.suffix.lower() in SUFFIXES:
            if _first_time(child, seen):
                found += _folder_file(child, skipped)
            else:
                _note(skipped, child, "the same file as one already listed; not read again")
    return found


def _first_time(path: Path, seen: set[tuple[int, int]]) -> bool:
    """Whether the real file or folder behind `path` is new to `seen` (and add it)."""
    try:
        info = path.stat()
    except OSError:
        return True  # reading it will say what is wrong
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _note(skipped: list[tuple[Path, str]] | None, path: Path, why: str) -> None:
    if skipped is not None:
        skipped.append((path, why))


def _folder_file(
    path: Path, skipped: list[tuple[Path, str]] | None
) -> list[tuple[Path, SourceFormat]]:
    promised = SUFFIXES[path.suffix.lower()]
    if promised is not None:
        return [(path, promised)]
    try:
        return [(path, detect_format(path))]
    except UnusableInput as exc:
        if skipped is not None:
            skipped.append((path, exc.reason))
        return []
