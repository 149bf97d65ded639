"""Labels (append-only), the schema versions they are made under, and the raters."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from labels.models import Label, Rater, utcnow
from labels.rows import to_json

from .current import current
from .errors import StoreError
from .queue import LABELED, SET_ASSIGNMENT, QueueStore

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

_LABEL_COLUMNS = (
    "transcript_id, rater, dimension, value, rationale, evidence, tags, schema_version,"
    " seconds, created_at"
)
INSERT_LABELS = f"INSERT INTO labels ({_LABEL_COLUMNS}) SELECT * FROM l_rows"  # noqa: S608


def insert_label_values(labels: list[Label]) -> tuple[str, list[Any]]:
    """A parameterised INSERT of a few labels (one submit): faster than an Arrow scan."""
    group = "(" + ", ".join("?" * 10) + ")"
    text = f"INSERT INTO labels ({_LABEL_COLUMNS}) VALUES " + ", ".join([group] * len(labels))  # noqa: S608
    params: list[Any] = []
    for x in labels:
        params += [x.transcript_id, x.rater, x.dimension, x.value, x.rationale]
        params += [to_json([e.model_dump() for e in x.evidence]), list(x.tags)]
        params += [x.schema_version, x.seconds, x.created_at]
    return text, params


def label_columns(ls: list[Label]) -> dict[str, Any]:
    return {
        "transcript_id": [x.transcript_id for x in ls],
        "rater": [x.rater for x in ls],
        "dimension": [x.dimension for x in ls],
        "value": [x.value for x in ls],
        "rationale": [x.rationale for x in ls],
        "evidence": [to_json([e.model_dump() for e in x.evidence]) for x in ls],
        "tags": pa.array([list(x.tags) for x in ls], type=pa.list_(pa.string())),
        "schema_version": [x.schema_version for x in ls],
        "seconds": pa.array([x.seconds for x in ls], type=pa.float64()),
        "created_at": pa.array([x.created_at for x in ls], type=pa.timestamp("us", tz="UTC")),
    }


VALUES = "transcript_id, rater, value"
"""The columns of a label that agreement and grader figures read."""


class LabelStore(QueueStore):
    """Labels in and out; a submit also closes the rater's assignment (hence `Queue`)."""

    def add_labels(self, labels: list[Label]) -> int:
        """Append labels (a change is a new row); returns how many were written."""
        if not labels:
            return 0
        rows = pa.table(label_columns(labels))

        def work() -> None:
            self.con.execute(INSERT_LABELS)
            self.con.execute(LABELED)
            self._refresh_queue(sorted({x.transcript_id for x in labels}))

        with self._arrow("l_rows", rows):
            self.retrying(work)
        return len(labels)

    def label_values(self, dimension: str) -> pd.DataFrame:
        """Each rater's current value per transcript for one dimension (no text)."""
        return self._frame(
            f"SELECT * FROM {current('labels', 'WHERE dimension = ?', VALUES)}"  # noqa: S608
            " ORDER BY transcript_id, rater",
            [dimension],
        )

    def submit(self, labels: list[Label], flagged: bool = False, note: str = "") -> None:
        """Append a rater's labels for one item and close their assignment, atomically.

        `note` says why the item is flagged for discussion (a note of kind `flag`).
        """
        if not labels:
            raise ValueError("nothing to submit")
        first = labels[0]
        insert, params = insert_label_values(labels)

        def work() -> None:
            self.con.execute(insert, params)
            now = utcnow()
            self.con.execute(
                SET_ASSIGNMENT,
                [first.transcript_id, first.rater, "main", "done", flagged, note or None]
                + ["flag" if note else None, now, now, True],
            )
            self._refresh_queue([first.transcript_id])

        self.retrying(work)

    def case_labels(self, transcript_id: str, dimension: str) -> pd.DataFrame:
        """Each rater's current label on one transcript and dimension (an adjudicator's case)."""
        return self._current(
            "WHERE transcript_id = ? AND dimension = ?", [transcript_id, dimension]
        )

    def current_labels(self, dimension: str | None = None) -> pd.DataFrame:
        """Each rater's latest label per transcript and dimension."""
        return self._current("WHERE dimension = ? OR ? IS NULL", [dimension, dimension])

    def undecided_labels(self) -> pd.DataFrame:
        """Current labels on the item-dimensions that have no gold yet (what adjudication sees)."""
        return self._current(
            "ANTI JOIN (SELECT DISTINCT transcript_id, dimension FROM gold)"
            " USING (transcript_id, dimension)"
        )

    def _current(self, where: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Current label rows among those `where` selects, by transcript, dimension, rater."""
        return self.df(
            f"SELECT * FROM {current('labels', where)} ORDER BY transcript_id, dimension, rater",  # noqa: S608
            params or [],
        )

    def labels_and_gold_version(self) -> tuple[int, int]:
        """(labels part, gold part), for caches: each changes whenever its table does (both
        are append-only). Here their row counts; PostgreSQL counts the writes instead."""
        row = self.con.execute(
            "SELECT (SELECT count(*) FROM labels), (SELECT count(*) FROM gold)"
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def label_rows(self, dimension: str) -> pd.DataFrame:
        """Every label row of one dimension (all versions), oldest first."""
        return self.df(
            "SELECT transcript_id, rater, dimension, value, created_at FROM labels"
            " WHERE dimension = ? ORDER BY created_at, id",
            [dimension],
        )

    def label_history(self, transcript_id: str, rater: str | None = None) -> pd.DataFrame:
        """Every label row ever written for a transcript (or by one rater), oldest first."""
        return self.df(
            "SELECT created_at, rater, dimension, value, rationale, evidence, tags,"
            " schema_version, seconds FROM labels"
            " WHERE transcript_id = ? AND (rater = ? OR ? IS NULL)"
            " ORDER BY created_at, id",
            [transcript_id, rater, rater],
        )

    def all_labels(self, dimension: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """Every label row (the first `limit`, when given), oldest first."""
        return self.df(
            "SELECT * FROM labels WHERE dimension = ? OR ? IS NULL ORDER BY created_at, id LIMIT ?",
            [dimension, dimension, limit],
        )

    def label_count(self, dimension: str | None = None) -> int:
        """How many label rows there are (revisions included)."""
        return int(
            self.scalar(
                "SELECT count(*) FROM labels WHERE dimension = ? OR ? IS NULL",
                [dimension, dimension],
            )
        )

    def own_labels(self, rater: str, transcript_id: str) -> pd.DataFrame:
        """A rater's current labels on one transcript (their own only: blind labeling)."""
        columns = "dimension, value, rationale, evidence, tags, schema_version, created_at"
        return self.df(
            f"SELECT * FROM {current('labels', 'WHERE rater = ? AND transcript_id = ?', columns)}",  # noqa: S608
            [rater, transcript_id],
        )

    def ensure_schema_version(self, body: str, sha256: str) -> int:
        """The version number of this schema text, adding a new version if it is new."""

        def work() -> int:
            latest = self.con.execute(
                "SELECT version, sha256 FROM schema_versions ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if latest and latest[1] == sha256:
                return int(latest[0])
            version = (int(latest[0]) if latest else 0) + 1
            self.con.execute(
                "INSERT INTO schema_versions VALUES (?, ?, ?, ?)", [version, sha256, body, utcnow()]
            )
            return version

        with self._lock:
            return self.retrying(work)

    def schema_body(self, version: int) -> str | None:
        """The schema text of a version."""
        value = self.scalar("SELECT body FROM schema_versions WHERE version = ?", [version])
        return None if value is None else str(value)

    def schema_versions(self) -> pd.DataFrame:
        """Schema versions with how many labels each has."""
        return self.df(
            "SELECT s.version, s.created_at, left(s.sha256, 12) AS sha256,"
            " count(l.id) AS labels FROM schema_versions s"
            " LEFT JOIN labels l ON l.schema_version = s.version GROUP BY ALL ORDER BY s.version"
        )

    def secret(self, name: str) -> str:
        """A random secret (64 hex digits) kept in the database, made on first use: the same
        for every server and cursor of this database."""

        def work() -> str:
            self.con.execute(
                "INSERT INTO secrets VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                [name, secrets.token_hex(32)],
            )
            return str(self.scalar("SELECT value FROM secrets WHERE name = ?", [name]))

        query = "SELECT value FROM secrets WHERE name = ?"
        for _ in range(3):
            if (found := self.con.execute(query, [name]).fetchone()) is not None:
                return str(found[0])
            try:
                return self.retrying(work)
            except (duckdb.Error, StoreError):  # made at this moment by another cursor: read it
                continue
        raise StoreError(f"the database's secret {name!r} could not be made")

    def upsert_rater(self, rater: Rater) -> None:
        """Add a rater, or update name, role and active flag of an existing one."""
        self.retrying(
            lambda: self.con.execute(
                "INSERT INTO raters VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " name = excluded.name, role = excluded.role, active = excluded.active",
                [rater.id, rater.name, rater.role, rater.active, utcnow()],
            )
        )

    def raters(self, active_only: bool = False) -> list[Rater]:
        """All raters (or only active ones), by id."""
        rows = self.con.execute(
            "SELECT id, name, role, active FROM raters WHERE active OR NOT ? ORDER BY id",
            [active_only],
        ).fetchall()
        return [Rater(id=r[0], name=r[1], role=r[2], active=r[3]) for r in rows]

    def rater(self, rater_id: str) -> Rater | None:
        """One rater by id."""
        return next((r for r in self.raters() if r.id == rater_id), None)
