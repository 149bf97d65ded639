"""Getting things into the store: transcript files, rater labels, grader verdicts.

The CLI and the app's data page both call these, so both give the same report.
Parsing is in `labels.ingest`; writing is in `labels.store`; this module joins them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from labels import ingest
from labels.ingest import jsonl_fast
from labels.models import (
    Evidence,
    GraderVerdict,
    IngestReport,
    Label,
    Rater,
    Record,
    Rejection,
    utcnow,
)
from labels.schema import Schema
from labels.store import FileResult, FileRows, Store, StoreError

FileCallback = Callable[[Path, int, int], None]
"""Called with (file, index, total) as each input file starts."""
log = logging.getLogger("goldset")


SMALL_FILE = 1 << 20
"""A JSONL file of at most this many bytes is read whole and written with others."""
GROUP_FILES = 1000
"""Small files written in one transaction at most."""
GROUP_BYTES = 32 << 20
"""Bytes of rows (as Arrow holds them) of small files written in one transaction at most."""


def ingest_paths(
    store: Store,
    paths: Sequence[Path],
    fmt: str = "auto",
    on_file: FileCallback | None = None,
    on_record: Callable[[], None] | None = None,
) -> IngestReport:
    """Ingest files and folders, each file all or nothing.

    A large file, or one the fast JSONL reader declines, is written in a transaction
    of its own; small JSONL files are written in groups (`_Group`), one transaction
    each. Raises `ingest.UnusableInput` for a missing path or an unknown format found
    while listing inputs; a file that turns out unusable while it is read is rolled
    back and reported as a rejection, and the other files still go in.
    """
    report = IngestReport()
    skipped: list[tuple[Path, str]] = []
    if fmt == "auto":
        inputs = ingest.iter_inputs(paths, skipped)
    else:
        inputs = [(Path(p), fmt) for p in paths]  # type: ignore[misc]
    report.rejected.extend(
        Rejection(file=str(p), where="folder scan", reason=f"skipped: {why}") for p, why in skipped
    )
    group = _Group(store, report)
    for index, (path, source_format) in enumerate(inputs):
        if on_file:
            on_file(path, index, len(inputs))
        report.files += 1
        try:
            name = stored_name(path, paths)
            result = _ingest_file(store, path, name, source_format, on_record, group)
        except ingest.UnusableInput as exc:
            group.write()  # the files before it first, so the report stays in file order
            report.rejected.append(Rejection(file=exc.path, where="file", reason=exc.reason))
            continue
        except StoreError as exc:
            report.rejected.append(Rejection(file=str(path), where="file", reason=str(exc)))
            continue
        if result is not None:
            _count(report, result, str(path))
    group.write()
    return report


def _count(report: IngestReport, result: FileResult, path: str = "") -> None:
    """Add one file's outcome to the report; its rejections name the file as it was read
    (`path`), the name it is stored under being only the database's."""
    if path:
        result.rejected = [
            r.model_copy(update={"file": path}) if r.file == result.file else r
            for r in result.rejected
        ]
    report.added += result.added
    report.duplicates += result.duplicates
    report.grader_verdicts += result.grader_verdicts
    report.rejected.extend(r for r in result.rejected if r.kind != "note")
    report.notes.extend(r for r in result.rejected if r.kind == "note")


def stored_name(path: Path, roots: Sequence[Path]) -> str:
    """What the database calls a file: its path from the folder holding the input it came
    in by (a file given itself: its name; one in a folder given: `folder/…/file`), never
    a server path (an upload keeps its own name). Paths are made absolute, not resolved:
    a link keeps the name it has in the folder."""
    where = Path(os.path.abspath(path))
    for root in roots:
        base = Path(os.path.abspath(root)).parent
        if where == base or base not in where.parents:
            continue
        return where.relative_to(base).as_posix()
    return where.name


def _renamed(
    records: Iterator[Record | Rejection], path: Path, name: str
) -> Iterator[Record | Rejection]:
    """`records` with `source_ref` starting with `name` where the reader put `path`."""
    prefixes = sorted({str(path), os.path.abspath(path)}, key=len, reverse=True)
    for record in records:
        if isinstance(record, Record):
            ref = record.transcript.source_ref
            start = next((p for p in prefixes if ref.startswith(p)), None)
            if start is not None:
                transcript = record.transcript.model_copy(
                    update={"source_ref": name + ref[len(start) :]}
                )
                record = record.model_copy(update={"transcript": transcript})
        yield record


def _ingest_file(
    store: Store,
    path: Path,
    name: str,
    source_format: str,
    on_record: Callable[[], None] | None,
    group: _Group,
) -> FileResult | None:
    """One file: a small JSONL file the fast reader accepts joins `group` (None: its result
    comes when the group is written); any other goes alone, in one transaction, after
    the group's files. JSONL goes through the fast reader when it accepts the file."""
    ingest.reader(path, source_format)  # checks the path and format before anything is read
    fast = source_format == "jsonl" and jsonl_fast.enabled()
    if fast and _small(path):
        rows = _read_whole(path, name, source_format, on_record)
        if rows is not None:
            group.add(rows)
            return None
        fast = False  # declined: read line by line
    group.write()
    if fast:
        counted = _Counted(on_record)
        try:
            return store.ingest_rows(name, source_format, jsonl_fast.parse(path, name), counted)
        except jsonl_fast.Decline as exc:
            log.debug("%s: read line by line, as the fast JSONL reader declined it: %s", path, exc)
        on_record = counted.again
    records = _renamed(ingest.parse(path, source_format), path, name)
    return store.ingest_file(name, source_format, records, on_record)


def _read_whole(
    path: Path, name: str, source_format: str, on_record: Callable[[], None] | None
) -> FileRows | None:
    """A small JSONL file's rows from the fast reader, or None when it declines the file."""
    try:
        batches = jsonl_fast.read(path, name)
    except jsonl_fast.Decline as exc:
        log.debug("%s: read line by line, as the fast JSONL reader declined it: %s", path, exc)
        return None
    if on_record:
        for _ in range(sum(batch.transcripts.num_rows for batch in batches)):
            on_record()
    return FileRows(name, source_format, batches, path=str(path))


def _small(path: Path) -> bool:
    """Whether a file is small enough to be read whole and written with others."""
    try:
        return path.is_file() and path.stat().st_size <= SMALL_FILE
    except OSError:
        return False


class _Group:
    """Small files read whole, waiting to be written together in one transaction.

    Written when `GROUP_FILES` or `GROUP_BYTES` is reached, and before any file that goes
    alone (so the first of two files with the same id is still the one stored). When the
    group's transaction fails, each of its files is written again in a transaction of its
    own: the failure is then reported for its file alone, and the others go in.
    """

    def __init__(self, store: Store, report: IngestReport) -> None:
        self.store = store
        self.report = report
        self.files: list[FileRows] = []
        self.size = 0

    def add(self, rows: FileRows) -> None:
        """Add a file; write the group when it is full."""
        self.files.append(rows)
        self.size += sum(b.transcripts.nbytes + b.messages.nbytes for b in rows.batches)
        if len(self.files) >= GROUP_FILES or self.size >= GROUP_BYTES:
            self.write()

    def write(self) -> None:
        """Write the waiting files (if any) and add their outcomes to the report."""
        files, self.files, self.size = self.files, [], 0
        if len(files) > 1:
            try:
                results = self.store.ingest_group(files)
            except StoreError as exc:
                log.debug(
                    "%d files written together failed (%s); each again alone", len(files), exc
                )
            else:
                for result, pending in zip(results, files, strict=True):
                    _count(self.report, result, pending.path)
                return
        for pending in files:
            try:
                result = self.store.ingest_rows(
                    pending.file, pending.source_format, pending.batches
                )
            except StoreError as exc:
                reason = str(exc)
                self.report.rejected.append(
                    Rejection(file=pending.path or pending.file, where="file", reason=reason)
                )
                continue
            _count(self.report, result, pending.path)


class _Counted:
    """A progress callback that counts its calls, so a second reading of a file (after the
    fast reader declined it half way) advances the progress only past the first."""

    def __init__(self, on_record: Callable[[], None] | None) -> None:
        self.on_record = on_record
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.on_record:
            self.on_record()

    def again(self) -> None:
        """The callback for the second reading: silent for as many calls as the first made."""
        if self.calls:
            self.calls -= 1
        elif self.on_record:
            self.on_record()


def ingest_each(
    store: Store, paths: Sequence[Path], on_file: FileCallback | None = None
) -> IngestReport:
    """Like `ingest_paths`, but an unusable path is reported and the others still go in.

    For uploads, where one mislabelled file should not stop the rest.
    """
    total = IngestReport()
    for index, path in enumerate(paths):
        try:
            report = ingest_paths(store, [path])
        except ingest.UnusableInput as exc:
            report = IngestReport(files=1)
            report.rejected.append(Rejection(file=exc.path, where="file", reason=exc.reason))
        if on_file:
            on_file(path, index, len(paths))
        total.files += report.files
        total.added += report.added
        total.duplicates += report.duplicates
        total.grader_verdicts += report.grader_verdicts
        total.rejected.extend(report.rejected)
        total.notes.extend(report.notes)
    return total


def ingest_uploads(
    store: Store, files: Sequence[tuple[str, bytes]], on_file: FileCallback | None = None
) -> IngestReport:
    """`ingest_each` of uploaded files (name, bytes), written to a temporary folder first;
    each is stored and reported under its own name, never the server's temporary path."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            target = upload_target(Path(tmp), i, name)
            target.write_bytes(data)
            paths.append(target)
        report = ingest_each(store, paths, on_file)
    report.rejected = [
        r.model_copy(update={"file": stored_name(Path(r.file), paths)})
        if r.file.startswith(tmp)
        else r
        for r in report.rejected
    ]
    return report


Outcome = tuple[Literal["success", "info", "warning", "error"], str]
"""How a result is shown: its kind (the box's colour) and its sentence."""


def outcomes(report: IngestReport) -> list[Outcome]:
    """An ingest report in sentences, each with its own kind: added (success), already
    present (info), rejected (warning; error when nothing was added), nothing (info)."""
    files = f"{report.files:,} file{'' if report.files == 1 else 's'}"
    out: list[Outcome] = []
    if report.added or report.grader_verdicts:
        verdicts = (
            f" and {report.grader_verdicts:,} grader verdicts" if report.grader_verdicts else ""
        )
        noun = "transcript" if report.added == 1 else "transcripts"
        out.append(("success", f"{report.added:,} {noun} added{verdicts} from {files}."))
    if report.duplicates:
        out.append(("info", f"{report.duplicates:,} already present, not added again."))
    if report.notes:
        n = len(report.notes)
        out.append(("info", f"{n:,} added with a note (below), e.g. {report.notes[0].reason}."))
    if report.rejected:
        kind: Literal["warning", "error"] = "warning" if report.added else "error"
        n = len(report.rejected)
        out.append((kind, f"{n:,} rejected (below: file, where, why)."))
    if not out:
        out.append(("info", f"Nothing to add: {files} read, no transcripts in them."))
    return out


MAX_NAME_BYTES = 255
"""The longest file name most file systems allow, in bytes."""


def upload_target(folder: Path, index: int, name: str) -> Path:
    """Where the `index`th uploaded file is written: a folder of its own (two uploads may
    share a name), under its own name cut to what a file system holds, suffix kept (a
    250-character name failed the whole batch with OSError)."""
    base = Path(name.replace("\\", "/")).name
    base = "upload" if base in ("", ".", "..") else base
    suffix = Path(base).suffix if len(Path(base).suffix) <= 16 else ""
    stem = base[: len(base) - len(suffix)]
    while len((stem + suffix).encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    target = folder / str(index) / (stem + suffix or "upload")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


# -- tabular imports (labels, grader verdicts) ------------------------------


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) from a CSV or JSONL file; a string row is a parse error."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 0, f"file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    # Lines end at "\n" only: str.splitlines would also cut at U+2028 and other separators
    # that JSON allows inside a string, breaking valid rows and miscounting lines.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield number, f"invalid JSON: {exc}"
            continue
        yield number, obj if isinstance(obj, dict) else "each line must be a JSON object"


def _label(row: dict[str, Any], schema: Schema, version: int) -> Label:
    dim = schema.dimension(str(row.get("dimension", "")))
    value = str(row.get("value", "")).strip()
    if value not in dim.value_names:
        raise ValueError(f"{value!r} is not a value of {dim.name} ({', '.join(dim.value_names)})")
    evidence = row.get("evidence") or []
    if isinstance(evidence, str):
        evidence = json.loads(evidence) if evidence.strip() else []
    tags = row.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(";") if t]
    created = row.get("created_at")
    return Label(
        transcript_id=str(row["transcript_id"]),
        rater=str(row["rater"]),
        dimension=dim.name,
        value=value,
        rationale=str(row.get("rationale") or ""),
        evidence=tuple(Evidence(**e) for e in evidence),
        tags=tuple(tags),
        schema_version=int(row.get("schema_version") or version),
        seconds=float(row["seconds"]) if row.get("seconds") not in (None, "") else None,
        created_at=datetime.fromisoformat(str(created)) if created else utcnow(),
    )


def import_labels(
    store: Store,
    path: Path,
    schema: Schema,
    version: int,
    keep: Callable[[Label], bool] | None = None,
) -> IngestReport:
    """Import rater labels from CSV or JSONL (one label per row); unknown raters are added.

    `keep`, when given, chooses which valid labels to write (the demo holds some back).
    """
    report = IngestReport(files=1)
    known = set(store.transcript_ids())
    labels: list[Label] = []
    for number, row in _rows(path):
        where = f"line {number}"
        try:
            if isinstance(row, str):
                raise ValueError(row)
            label = _label(row, schema, version)
            if label.transcript_id not in known:
                raise ValueError(f"transcript {label.transcript_id!r} is not in the database")
            if keep is None or keep(label):
                labels.append(label)
        except (KeyError, ValueError, TypeError, ValidationError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            report.rejected.append(Rejection(file=str(path), where=where, reason=reason))
    existing = {r.id for r in store.raters()}
    for rater_id in sorted({lb.rater for lb in labels} - existing):
        store.upsert_rater(Rater(id=rater_id, name=rater_id))
    report.added = store.add_labels(labels)
    return report


BINARY_WORDS = {"yes": "yes", "true": "yes", "1": "yes", "no": "no", "false": "no", "0": "no"}


def _verdict(row: dict[str, Any], name: str, schema: Schema) -> GraderVerdict:
    dim = schema.dimension(str(row.get("dimension", "")))
    raw = str(row.get("value", "")).strip()
    value = raw if raw in dim.value_names else BINARY_WORDS.get(raw.lower())
    if value is None:
        raise ValueError(f"{raw!r} is neither yes/no nor a value of {dim.name}")
    score = _score(row.get("score"))
    return GraderVerdict(
        transcript_id=str(row["transcript_id"]),
        grader=name,
        field=dim.name,
        dimension=dim.name,
        value=value,
        score=score,
        explanation=str(row.get("explanation") or "") or None,
    )


def _score(raw: Any) -> float | None:
    """A grader's score as a finite float; NaN, infinities and 1e999 are refused, not nulled."""
    if raw in (None, ""):
        return None
    score = float(raw)
    if not math.isfinite(score):
        raise ValueError(f"the score {raw!r} is not a finite number, which a score must be")
    return score


def import_grader(store: Store, path: Path, name: str, schema: Schema) -> IngestReport:
    """Import one grader's verdicts from CSV or JSONL: transcript_id, dimension, value, …"""
    report = IngestReport(files=1)
    known = set(store.transcript_ids())
    verdicts: list[GraderVerdict] = []
    for number, row in _rows(path):
        try:
            if isinstance(row, str):
                raise ValueError(row)
            verdict = _verdict(row, name, schema)
            if verdict.transcript_id not in known:
                raise ValueError(f"transcript {verdict.transcript_id!r} is not in the database")
            verdicts.append(verdict)
        except (KeyError, ValueError, TypeError, ValidationError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            report.rejected.append(Rejection(file=str(path), where=f"line {number}", reason=reason))
    report.grader_verdicts = store.retrying(lambda: store.add_verdicts(verdicts, source=str(path)))
    return report
