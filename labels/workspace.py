"""Where things are: the database file, the schema file, and the schema version in force."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from labels import schema as schema_mod
from labels.schema import Schema
from labels.store import Store, is_postgres

if TYPE_CHECKING:
    from labels.graders.map import GraderMap

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "goldset.duckdb"


def db_path(explicit: str | Path | None = None) -> Path | str:
    """The database: an explicit path or `postgresql://` URL, else `GOLDSET_DB`, else
    `data/goldset.duckdb`. A URL stays text (a Path would fold its `//`)."""
    chosen = explicit or os.environ.get("GOLDSET_DB") or DEFAULT_DB
    return str(chosen) if is_postgres(chosen) else Path(chosen)


def schema_path(explicit: str | Path | None = None) -> Path:
    """The schema file: an explicit path, else `GOLDSET_SCHEMA`, else `data/schema.toml`."""
    return Path(explicit or os.environ.get("GOLDSET_SCHEMA") or schema_mod.DEFAULT_PATH)


@dataclass(frozen=True)
class Workspace:
    """An open store with the schema it labels under, and the grader map beside them."""

    store: Store
    schema: Schema
    schema_version: int
    grader_map_file: Path | None = None
    """The grader map's file; None: `$GOLDSET_GRADER_MAP`, else `data/grader_map.toml`."""

    @cached_property
    def grader_map(self) -> GraderMap:
        """The grader map (`labels.graders.map.load`), read on first use and kept with this
        workspace; each `cursor()` (one per script run) reads it afresh, so a map saved on
        the graders page counts from the next run. ValueError when the file is not valid."""
        from labels.graders import map as grader_map  # not needed by most commands

        return grader_map.load(self.grader_map_file)

    def next_item(self, rater: str) -> str | None:
        """The transcript `rater` labels now (the queue with this project's k and seed)."""
        project = self.schema.project
        return self.store.claim_next(
            rater, project.raters_per_item, project.seed, project.gold_check_share
        )

    def progress(self, rater: str) -> tuple[int, int]:
        """(done, done + still available) for the rater's progress bar."""
        return self.store.rater_progress(rater, self.schema.project.raters_per_item)

    def cursor(self) -> Workspace:
        """The same workspace on a fresh cursor (one per thread or script run)."""
        return Workspace(
            self.store.cursor(), self.schema, self.schema_version, self.grader_map_file
        )


def open_workspace(
    db: str | Path | None = None, schema_file: str | Path | None = None
) -> Workspace:
    """Open the database (migrating it) and record the schema file's version."""
    schema, text = schema_mod.load(schema_path(schema_file))
    store = Store.open(":memory:" if str(db) == ":memory:" else db_path(db))
    version = store.ensure_schema_version(text, schema_mod.digest(text))
    return Workspace(store, schema, version)
