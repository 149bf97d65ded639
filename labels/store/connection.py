"""One DuckDB connection: transactions, retries, queries.

Every part of the store (`transcripts`, `ingest`, `labels`, `queue`, `gold`,
`graders`, `backup`) builds on this class; `Store` puts them together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import pyarrow as pa

from .errors import Conflict, StoreError, explain, sentence

if TYPE_CHECKING:  # frames come from DuckDB (`.df()`); ingest never loads pandas
    import pandas as pd

T = TypeVar("T")


class Connection:
    """One DuckDB connection (or cursor) and the process lock its cursors share."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, lock: threading.Lock) -> None:
        self.con = con
        self.path = path
        self._lock = lock
        self._open = False  # a transaction is open on this connection
        # DuckDB's own progress bar went to stdout for queries over 2 s (into the CLI's
        # output, and a script's); Goldset shows its own progress.
        con.execute("SET enable_progress_bar = false")

    def healthy(self) -> bool:
        """Whether the connection still works (DuckDB invalidates it after a failed checkpoint)."""
        try:
            self.con.execute("SELECT 1").fetchall()
        except duckdb.Error:
            return False
        return True

    def explain(self, exc: BaseException) -> StoreError | None:
        """The sentence for a DuckDB error on this database, or None for any other error."""
        return explain(exc, self.path)

    def close(self) -> None:
        """Close this connection (or cursor)."""
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT, rolled back on any exception; inside another, part of that one."""
        if self._open:
            yield
            return
        self.con.execute("BEGIN TRANSACTION")
        self._open = True
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self._open = False
        self.con.execute("COMMIT")

    def retrying(self, work: Callable[[], T], attempts: int = 8) -> T:
        """Run `work` in a transaction, retrying DuckDB transaction conflicts.

        Inside an open transaction `work` simply runs: a conflict aborts the whole
        transaction, so only the outermost `retrying` can try again.
        """
        if self._open:
            return work()
        for attempt in range(attempts):
            try:
                with self.transaction():
                    return work()
            except duckdb.TransactionException as exc:
                if "conflict" not in str(exc).lower():  # e.g. a commit the disk had no room for
                    raise sentence(self.path, exc) from exc
                time.sleep(0.005 * 2**attempt)
        raise Conflict("the database was too busy to save this; please try again")

    @contextmanager
    def _arrow(self, name: str, table: pa.Table) -> Iterator[None]:
        """Make an Arrow table visible to SQL as `name` for the duration of the block."""
        self.con.register(name, table)
        try:
            yield
        finally:
            self.con.unregister(name)

    def df(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        """Run a query and return a DataFrame."""
        return self.con.execute(sql, list(params)).df()

    def _frame(self, sql: str, params: Iterable[Any] = ()) -> pd.DataFrame:
        """Like `df`, through Arrow (faster for large, narrow reads)."""
        frame: pd.DataFrame = self.con.execute(sql, list(params)).to_arrow_table().to_pandas()
        return frame

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a query and return the first column of the first row (or None)."""
        row = self.con.execute(sql, list(params)).fetchone()
        return None if row is None else row[0]
