"""Transcripts into the store: each file in one transaction, all of it or none.

One write path: the fast JSONL reader's Arrow rows and the other readers' records
(turned into the same `Rows`) go through `IngestStore.ingest_rows`; small files read
whole are written together by `ingest_group`, with the same duplicate check and the
same ingest history row per file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from labels import rows as row_shape
from labels.models import Record, Rejection, utcnow
from labels.rows import Rows, to_json

from .errors import StoreError, sentence
from .graders import GraderStore

CHUNK = 2000
"""Records turned into Arrow rows at a time."""
Repeated = tuple[pa.Table, pa.Table, pa.Array]
"""Transcripts whose ids were met before, their messages and those messages' parents."""


def _rows(
    transcripts: pa.Table, messages: pa.Table, parents: pa.Array, keep: pa.Array
) -> tuple[pa.Table, pa.Table, pa.Array]:
    """The transcripts where `keep` is true, with their messages and those messages' parents
    (renumbered: the row of each message's transcript among those kept)."""
    kept = keep.take(parents)
    renumbered = pc.subtract(pc.cumulative_sum(keep.cast(pa.int64())), 1).take(parents)
    return transcripts.filter(keep), messages.filter(kept), renumbered.filter(kept)


def _concat_repeated(parts: list[Repeated]) -> Repeated:
    """Several batches' (transcripts, messages, parents) as one, parents renumbered."""
    if len(parts) == 1:
        return parts[0]
    parents: list[pa.Array] = []
    offset = 0
    for rows, _, theirs in parts:
        parents.append(pc.add(theirs, pa.scalar(offset, pa.int64())))
        offset += rows.num_rows
    return (
        pa.concat_tables([p[0] for p in parts]),
        pa.concat_tables([p[1] for p in parts]),
        pa.chunked_array(parents, pa.int64()).combine_chunks(),
    )


def _with_batch_id(rows: pa.Table, batch_id: str) -> pa.Table:
    """Transcript rows (`Rows.transcripts`, any order of columns) as the table's columns
    in its order, each row with `batch_id`."""
    return pa.table(
        {
            name: pa.repeat(batch_id, rows.num_rows) if name == "batch_id" else rows[name]
            for name in row_shape.TRANSCRIPT_COLUMNS
        }
    )


def as_rows(
    items: Iterable[Record | Rejection],
    rejected: list[Rejection],
    on_record: Callable[[], None] | None = None,
) -> Iterator[Rows]:
    """A line-by-line reader's records as `Rows`, `CHUNK` at a time; its rejections are
    put in `rejected`. `on_record` is called once per item read."""
    chunk: list[Record] = []
    for item in items:
        if on_record:
            on_record()
        if isinstance(item, Rejection):
            rejected.append(item)
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield row_shape.from_records(chunk)
            chunk = []
    if chunk:
        yield row_shape.from_records(chunk)


def _in_line_order(rejections: list[Rejection]) -> list[Rejection]:
    """A file's rejections by line; one that names no line stays after the one before it."""
    keys, last = [], 0
    for rejection in rejections:
        head, _, number = rejection.where.partition(" ")
        last = int(number) if head == "line" and number.isdigit() else last
        keys.append(last)
    order = sorted(range(len(rejections)), key=keys.__getitem__)
    return [rejections[i] for i in order]


def _other_content(file: str, tid: str, incoming: str, stored: str) -> Rejection:
    """The rejection of a transcript whose id is stored with different content."""
    where = incoming.removeprefix(f"{file}, ") if incoming != file else "transcript"
    return Rejection(
        file=file,
        where=where or "transcript",
        reason=(
            f"the id {tid!r} is already stored, from {stored}, with different content; "
            "this version was not stored. Give one of them another id to keep both."
        ),
    )


@dataclass
class FileRows:
    """A small file read whole as Arrow rows (by the fast JSONL reader), to be written in
    one transaction with others (`IngestStore.ingest_group`)."""

    file: str
    source_format: str
    batches: Sequence[Rows]
    started: datetime = field(default_factory=utcnow)
    path: str = ""
    """Where the file was read (rejections name it); `file` is its stored name."""


@dataclass
class FileResult:
    """What ingesting one file did (all of it is committed, or none of it)."""

    file: str
    added: int = 0
    duplicates: int = 0
    grader_verdicts: int = 0
    rejected: list[Rejection] = field(default_factory=list)


DIFFERENT_CONTENT = """
    WITH incoming_texts AS (
        SELECT dup_row, md5(string_agg(to_json(struct_pack(
            idx := idx, role := role, text := text, reasoning := reasoning,
            tool_calls := tool_calls::JSON, tool_call_id := tool_call_id, name := name
        ))::VARCHAR, chr(30) ORDER BY idx)) AS texts
        FROM dup_messages GROUP BY dup_row
    ),
    stored_texts AS (
        SELECT transcript_id, md5(string_agg(to_json(struct_pack(
            idx := idx, role := role, text := text, reasoning := reasoning,
            tool_calls := tool_calls::JSON, tool_call_id := tool_call_id, name := name
        ))::VARCHAR, chr(30) ORDER BY idx)) AS texts
        FROM messages WHERE transcript_id IN (SELECT id FROM dup_transcripts)
        GROUP BY transcript_id
    )
    SELECT i.dup_row, i.id, i.source_ref, s.source_ref
    FROM dup_transcripts i
    JOIN transcripts s ON i.id = s.id
    LEFT JOIN incoming_texts it ON it.dup_row = i.dup_row
    LEFT JOIN stored_texts st ON st.transcript_id = s.id
    WHERE (i.model, i.scenario, i.goal_type, i.goal_value, i.urgency_type) IS DISTINCT FROM
            (s.model, s.scenario, s.goal_type, s.goal_value, s.urgency_type)
        OR (i.metadata::JSON, it.texts) IS DISTINCT FROM (s.metadata, st.texts)
    ORDER BY i.dup_row
"""
"""Incoming transcripts (`dup_transcripts`, `dup_messages`, joined on `dup_row`, as one file
may hold an id many times) whose id is stored with other content: the condition fields,
metadata and a digest of every message field, compared with the stored ones."""


class IngestStore(GraderStore):
    """Files of transcripts, with the grader verdicts that came with them, in."""

    ROW_GROUP = 122_880
    """DuckDB's rows per row group."""
    FLUSH_ROWS = 2 * ROW_GROUP
    """Rows `ingest_rows` gathers before it inserts them. DuckDB inserts an Arrow table of
    whole row groups, a chunk each, on all its threads, compressing each row once; a
    smaller or unaligned insert is compressed, merged and compressed again, on one core."""
    FLUSH_BYTES = 256 << 20
    """Bytes of rows `ingest_rows` gathers at most (rows of long messages go in sooner)."""

    def ingest_file(
        self,
        file: str,
        source_format: str,
        items: Iterable[Record | Rejection],
        on_record: Callable[[], None] | None = None,
    ) -> FileResult:
        """Write a line-by-line reader's records and rejections: all of them, or none."""
        rejected: list[Rejection] = []
        return self.ingest_rows(
            file, source_format, as_rows(items, rejected, on_record), rejected=rejected
        )

    def ingest_rows(
        self,
        file: str,
        source_format: str,
        batches: Iterable[Rows],
        on_record: Callable[[], None] | None = None,
        *,
        rejected: Sequence[Rejection] = (),
    ) -> FileResult:
        """Write one file's rows in one transaction: all of it, or (raising StoreError) none.

        Ids stored before, or earlier in the file, are duplicates when the content is the
        same, else rejections naming both places. `rejected` are the reader's own
        rejections (read by the time `batches` ends); `on_record` is called per transcript.
        Anything `batches` raises (the fast reader declining the file, say) rolls the
        whole file back and is raised again.
        """
        result = FileResult(file=file)
        batch_id = uuid.uuid4().hex
        started = utcnow()
        try:
            with self.transaction():
                self._write_rows(result, batch_id, batches, on_record)
                result.rejected[:] = _in_line_order([*rejected, *result.rejected])
                self._record_batches([(batch_id, file, source_format, started)], [result])
        except duckdb.Error as exc:
            failure = sentence(self.path, exc)
            message = f"could not store this file, nothing of it was kept. {failure}"
            raise type(failure)(message) from exc
        return result

    def _write_rows(
        self,
        result: FileResult,
        batch_id: str,
        batches: Iterable[Rows],
        on_record: Callable[[], None] | None,
    ) -> None:
        """`ingest_rows` inside its transaction."""
        seen: set[str] = set()
        stored = bool(self.scalar("SELECT count(*) FROM transcripts"))
        rows: pa.Table | None = None  # new transcripts not inserted yet
        texts: pa.Table | None = None  # their messages
        again: list[Repeated] = []  # ids seen earlier in the file: compare once inserted
        before: list[Repeated] = []  # ids stored before the file: compare in bulk

        def insert_transcripts(table: pa.Table) -> None:
            self._insert_table(_with_batch_id(table, batch_id))

        for batch in batches:
            ids = batch.transcripts.column("id").to_pylist()
            existing = self._stored_ids(ids) if stored else set()
            fresh, theirs = self._fresh(batch, existing, seen, result, again, before)
            if sum(p[0].nbytes + p[1].nbytes for p in before) >= self.FLUSH_BYTES:
                self._compare(before, result)
            rows = self._flush(self._gather(rows, fresh), insert_transcripts)
            texts = self._flush(self._gather(texts, theirs), self._insert_texts)
            result.grader_verdicts += self.add_verdicts(list(batch.verdicts), batch_id=batch_id)
            if on_record:
                for _ in range(batch.transcripts.num_rows):
                    on_record()
        self._flush(rows, insert_transcripts, last=True)
        self._flush(texts, self._insert_texts, last=True)
        self._compare(before, result)
        self._compare(again, result)

    def ingest_group(self, files: Sequence[FileRows]) -> list[FileResult]:
        """Write small files in one transaction: all of them, or (raising StoreError) none.

        Each file gets what `ingest_rows` would give it, written alone in this order:
        its own batch id, counts and `ingest_batches` row; an id met in an earlier file
        of the group is a duplicate in the later one, or a rejection naming both. The
        group's rows go in with one insert per table, one queue refresh and one commit.
        After a failure the caller writes each file again alone, so a fault stays
        with the file that has it.
        """
        try:
            with self.transaction():
                return self._write_group(files)
        except duckdb.Error as exc:
            raise sentence(self.path, exc) from exc
        except pa.ArrowException as exc:  # rows of files that cannot be put together
            raise StoreError(f"the files could not be written together: {exc}") from exc

    def _write_group(self, files: Sequence[FileRows]) -> list[FileResult]:
        """`ingest_group` inside its transaction."""
        ids = [
            tid for f in files for batch in f.batches for tid in batch.transcripts["id"].to_pylist()
        ]
        existing = self._stored_ids(ids)
        seen: set[str] = set()
        results: list[FileResult] = []
        rows: list[pa.Table] = []  # new transcripts, with their batch ids
        texts: list[pa.Table] = []  # their messages
        later: list[tuple[FileResult, list[Repeated]]] = []  # ids met before in the group
        batch_ids = [uuid.uuid4().hex for _ in files]
        for pending, batch_id in zip(files, batch_ids, strict=True):
            result = FileResult(file=pending.file)
            again: list[Repeated] = []
            for batch in pending.batches:
                fresh, theirs = self._fresh(batch, existing, seen, result, again, again)
                rows.append(_with_batch_id(fresh, batch_id))
                texts.append(theirs)
            results.append(result)
            later.append((result, again))
        if rows:
            # one chunk each: DuckDB inserts a table of a thousand tiny chunks far slower
            self._insert_table(pa.concat_tables(rows).combine_chunks())
            self._insert_texts(pa.concat_tables(texts).combine_chunks())
        self._compare_files(later)  # one query for the whole group
        for result in results:
            result.rejected[:] = _in_line_order(result.rejected)
        self._record_batches(
            [
                (b, f.file, f.source_format, f.started)
                for b, f in zip(batch_ids, files, strict=True)
            ],
            results,
        )
        return results

    def _record_batches(
        self, files: Sequence[tuple[str, str, str, datetime]], results: Sequence[FileResult]
    ) -> None:
        """The `ingest_batches` rows of written files ((batch id, file, format, started)
        each, with its result), inserted at once."""
        when = pa.timestamp("us", tz="UTC")
        rows = pa.table(
            {
                "id": [f[0] for f in files],
                "file": [f[1] for f in files],
                "source_format": [f[2] for f in files],
                "started_at": pa.array([f[3] for f in files], when),
                "finished_at": pa.array([utcnow()] * len(files), when),
                "added": pa.array([r.added for r in results], pa.int32()),
                "duplicates": pa.array([r.duplicates for r in results], pa.int32()),
                "grader_verdicts": pa.array([r.grader_verdicts for r in results], pa.int32()),
                "rejected": [to_json([x.model_dump() for x in r.rejected]) for r in results],
            }
        )
        with self._arrow("b_rows", rows):
            self.con.execute("INSERT INTO ingest_batches SELECT * FROM b_rows")

    def _fresh(
        self,
        batch: Rows,
        existing: set[str],
        seen: set[str],
        result: FileResult,
        later: list[Repeated],
        stored: list[Repeated],
    ) -> tuple[pa.Table, pa.Table]:
        """The transcripts new to the database and to the file, with their messages.

        `existing`: those of their ids the database held before the file; they go to
        `stored`, to be compared with the stored ones (`_compare_files`, many at once:
        each comparison reads the stored messages). The ids met earlier in the file (or
        its group) are in `seen`; they go to `later`, to be compared once the rows are
        all inserted.
        """
        transcripts, messages, parents = batch[:3]
        ids = transcripts.column("id").to_pylist()
        fresh: list[bool] = []
        for tid in ids:
            fresh.append(tid not in existing and tid not in seen)
            seen.add(tid)
        added = sum(fresh)
        result.added += added
        if added == len(ids):
            return transcripts, messages
        keep = pa.array(fresh, pa.bool_())
        before = pa.array([tid in existing for tid in ids], pa.bool_())  # stored before
        if pc.any(before).as_py():
            stored.append(_rows(transcripts, messages, parents, before))
        within = pc.and_(pc.invert(keep), pc.invert(before))  # first seen in this file
        if pc.any(within).as_py():
            later.append(_rows(transcripts, messages, parents, within))
        return _rows(transcripts, messages, parents, keep)[:2]

    def _compare(self, parts: list[Repeated], result: FileResult) -> None:
        """`_compare_files` for one file's batches, then forget them."""
        self._compare_files([(result, parts)])
        parts.clear()

    def _compare_files(self, files: Sequence[tuple[FileResult, list[Repeated]]]) -> None:
        """Count transcripts whose id is already stored, for many files' batches in one
        query: a duplicate when the content is the same, else a Rejection naming both
        places (never a silent drop). Each file's result gets its own."""
        owners: list[FileResult] = []
        parts: list[Repeated] = []
        for result, repeated in files:
            for part in repeated:
                parts.append(part)
                owners.extend([result] * part[0].num_rows)
        if not owners:
            return
        rows, texts, parents = _concat_repeated(parts)
        rows = rows.append_column("dup_row", pa.array(range(rows.num_rows), pa.int64()))
        texts = texts.append_column("dup_row", parents)
        with self._arrow("dup_transcripts", rows), self._arrow("dup_messages", texts):
            differ = self.con.execute(DIFFERENT_CONTENT).fetchall()
        for owner in owners:
            owner.duplicates += 1
        for dup_row, tid, incoming, stored in differ:
            owner = owners[dup_row]
            owner.duplicates -= 1
            owner.rejected.append(_other_content(owner.file, tid, incoming, stored))

    @staticmethod
    def _gather(pending: pa.Table | None, more: pa.Table) -> pa.Table:
        """Rows waiting to be inserted, with `more` after them (no copy)."""
        return more if pending is None else pa.concat_tables([pending, more])

    def _flush(
        self, pending: pa.Table | None, insert: Callable[[pa.Table], None], *, last: bool = False
    ) -> pa.Table | None:
        """Insert waiting rows when there are enough (all if `last`); returns the rest."""
        if pending is None:
            return None
        if last or pending.nbytes >= self.FLUSH_BYTES:
            count = pending.num_rows
        elif pending.num_rows >= self.FLUSH_ROWS:
            count = pending.num_rows // self.ROW_GROUP * self.ROW_GROUP
        else:
            return pending
        if count:
            rows = pending.slice(0, count).combine_chunks()
            insert(pa.Table.from_batches(rows.to_batches(max_chunksize=self.ROW_GROUP)))
        return pending.slice(count)

    def _stored_ids(self, ids: list[str]) -> set[str]:
        """Those of `ids` the database holds."""
        if not ids:
            return set()
        found = self.con.execute(
            "SELECT id FROM transcripts WHERE id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        return {row[0] for row in found}

    def _insert_table(self, table: pa.Table) -> None:
        """Insert whole transcript rows (`_with_batch_id`) and put them in the queue."""
        self.con.from_arrow(table).insert_into("transcripts")
        self._refresh_queue(table.column("id").to_pylist(), new=True)

    def _insert_texts(self, rows: pa.Table) -> None:
        """Insert message rows."""
        self.con.from_arrow(rows.select(list(row_shape.MESSAGE_COLUMNS))).insert_into("messages")
