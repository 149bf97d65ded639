"""A fresh PostgreSQL database per test, on the server `GOLDSET_TEST_PG` names.

CI starts a throwaway server (`.ci/pg start`), sets the variable and
`GOLDSET_PG_REQUIRED=1`, which makes the PostgreSQL tests mandatory there (a missing
server fails them, like a missing browser with `GOLDSET_E2E=1`); elsewhere, without a
server, they are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

SERVER = os.environ.get("GOLDSET_TEST_PG", "").strip()
SKIP = "no PostgreSQL server given (GOLDSET_TEST_PG=postgresql://…)"


def server() -> str:
    """The server's URL, or skip the test."""
    if not SERVER:
        if os.environ.get("GOLDSET_PG_REQUIRED") == "1":
            pytest.fail(SKIP + ", and GOLDSET_PG_REQUIRED=1 makes PostgreSQL tests mandatory")
        pytest.skip(SKIP)
    return SERVER


def with_database(url: str, name: str) -> str:
    """`url` with its database part replaced by `name`."""
    head, _, tail = url.rpartition("/")
    query = tail.partition("?")[2]
    return f"{head}/{name}" + (f"?{query}" if query else "")


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    import psycopg

    url = server()
    name = f"goldset_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
