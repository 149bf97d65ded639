"""Several servers on one PostgreSQL database (issue 16), without a browser.

Servers that start together migrate a fresh database once; raters on different servers
(stores with their own connections and process locks) share the queue without
over-assigning an item or giving anyone an item twice. The browser test with real
`streamlit run` servers is `tests/e2e/test_pg_servers.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from labels import labeling
from labels.models import Rater, Record
from labels.store import migrations
from labels.workspace import Workspace, open_workspace
from tests import pg
from tests.factories import make_transcript

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 6

# Each process waits for the same instant, then opens the database as a server does.
OPEN = """
import sys, time
from labels.workspace import Workspace, open_workspace
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
ws = open_workspace(sys.argv[1])
print(ws.schema_version, flush=True)
"""


@pytest.mark.slow
def test_servers_starting_together_apply_each_migration_once() -> None:
    import psycopg

    with pg.fresh_database() as url:
        start = time.time() + 8  # time for every interpreter to import and be waiting
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, url, str(start)],
                cwd=ROOT,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(os.environ),
            )
            for _ in range(PROCESSES)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        for p, (_, err) in zip(procs, results, strict=True):
            assert p.returncode == 0, err
        assert {out.strip() for out, _ in results} == {"1"}  # one schema version, for all
        with psycopg.connect(url) as con:
            recorded = con.execute(
                "SELECT name, count(*) FROM migrations GROUP BY name ORDER BY name"
            ).fetchall()
            versions = con.execute("SELECT count(*) FROM schema_versions").fetchone()
        assert recorded == [(name, 1) for name, _ in migrations.MIGRATIONS]
        assert versions == (1,)


DRAFT = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
)


@pytest.mark.slow
def test_raters_on_four_servers_share_the_queue_exactly() -> None:
    """20 raters on 4 stores (5 threads each) until the queue is empty: k per item, no repeats."""
    with pg.fresh_database() as url:
        first = open_workspace(url)
        records = [Record(transcript=make_transcript(f"t{i:04d}")) for i in range(120)]
        first.store.ingest_file("load.jsonl", "jsonl", records)
        raters = [f"r{i:02d}" for i in range(20)]
        for r in raters:
            first.store.upsert_rater(Rater(id=r, name=r))
        servers = [first] + [open_workspace(url) for _ in range(3)]
        k = first.schema.project.raters_per_item
        acknowledged: list[tuple[str, str]] = []
        lock = threading.Lock()

        def rater_loop(server: int, rater: str) -> None:
            mine = servers[server].cursor()
            while (item := mine.next_item(rater)) is not None:
                labeling.submit(mine, rater, item, DRAFT, seconds=1.0)
                with lock:
                    acknowledged.append((rater, item))

        threads = [
            threading.Thread(target=rater_loop, args=(i % len(servers), r))
            for i, r in enumerate(raters)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        labels = first.store.df(
            "SELECT rater, transcript_id, count(*) AS n FROM labels GROUP BY ALL"
        )
        assert len(acknowledged) == len(set(acknowledged))  # never the same item twice
        assert Counter(item for _, item in acknowledged) == Counter(
            {f"t{i:04d}": k for i in range(120)}
        )  # every item exactly k raters: none past k, none left short
        assert set(zip(labels["rater"], labels["transcript_id"], strict=True)) == set(acknowledged)
        assert set(labels["n"]) == {3}
        held = first.store.df("SELECT transcript_id, count(*) AS n FROM assignments GROUP BY ALL")
        assert held["n"].max() == k
        for ws in servers:
            ws.store.close()


def test_one_rater_asking_on_two_servers_at_once_holds_one_item() -> None:
    with pg.fresh_database() as url:
        servers = [open_workspace(url), open_workspace(url)]
        records = [Record(transcript=make_transcript(f"t{i:02d}")) for i in range(20)]
        servers[0].store.ingest_file("one.jsonl", "jsonl", records)
        servers[0].store.upsert_rater(Rater(id="ana", name="Ana"))
        got: list[str | None] = []
        start = threading.Barrier(12)

        def ask(server: int) -> None:
            mine = servers[server].cursor()
            start.wait()
            got.append(mine.next_item("ana"))

        threads = [threading.Thread(target=ask, args=(i % 2,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(got)) == 1 and got[0] is not None
        open_items = servers[0].store.scalar(
            "SELECT count(*) FROM assignments WHERE rater = 'ana' AND state = 'open'"
        )
        assert open_items == 1
        for ws in servers:
            ws.store.close()


DRAFT = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
)


def _one_rater_database(url: str) -> Workspace:
    ws = open_workspace(url)
    records = [Record(transcript=make_transcript(f"t{i:02d}")) for i in range(6)]
    ws.store.ingest_file("one.jsonl", "jsonl", records)
    ws.store.upsert_rater(Rater(id="ana", name="Ana"))
    return ws


def _terminate_others(url: str) -> int:
    """Close every other server connection to the database, as a restart or an
    administrator would; returns how many."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_connections_closed_by_the_server_are_replaced_and_the_label_is_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every pooled connection killed between two submits: the next claim and submit
    go through on fresh connections, each label stored once."""
    from labels.store import postgres

    monkeypatch.setattr(postgres.Pool, "CHECK_AFTER", 0.0)  # check each idle one
    with pg.fresh_database() as url:
        ws = _one_rater_database(url)
        first = ws.next_item("ana")
        assert first is not None
        labeling.submit(ws, "ana", first, DRAFT, seconds=1.0)
        assert _terminate_others(url) >= 1
        second = ws.next_item("ana")
        assert second is not None and second != first
        labeling.submit(ws, "ana", second, DRAFT, seconds=1.0)
        counts = ws.store.df("SELECT transcript_id, count(*) AS n FROM labels GROUP BY ALL")
        assert dict(zip(counts["transcript_id"], counts["n"], strict=True)) == {first: 3, second: 3}
        ws.store.close()


def test_a_commit_whose_answer_is_lost_is_looked_up_not_written_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The COMMIT reaches the server but its answer does not come back (the connection
    drops): the submit finds its labels by their key and stops; one whose COMMIT did not
    happen is made again. Either way the labels are stored exactly once."""
    import psycopg

    from labels.store import postgres

    with pg.fresh_database() as url:
        ws = _one_rater_database(url)
        real_exit = psycopg.Transaction.__exit__
        plan = {"commit_then_fail": 1}

        def lossy_exit(self: psycopg.Transaction, *exc: object) -> bool | None:
            out = real_exit(self, *exc)  # type: ignore[arg-type]
            if exc[0] is None and plan["commit_then_fail"]:
                plan["commit_then_fail"] -= 1
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            return out

        item = ws.next_item("ana")
        assert item is not None
        monkeypatch.setattr(psycopg.Transaction, "__exit__", lossy_exit)
        labeling.submit(ws, "ana", item, DRAFT, seconds=1.0)  # committed; answer lost
        monkeypatch.undo()
        assert ws.store.scalar("SELECT count(*) FROM labels") == 3

        second = ws.next_item("ana")
        assert second is not None
        killed = {"done": False}
        real_execute = psycopg.Connection.execute

        def dies_before_commit(
            self: psycopg.Connection, query: object, *args: object, **kw: object
        ):  # type: ignore[no-untyped-def]
            out = real_execute(self, query, *args, **kw)  # type: ignore[arg-type]
            if query is postgres.PG_RECOUNT and not killed["done"]:
                killed["done"] = True  # the submit's last statement ran; now the link dies
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", [self.info.backend_pid])
            return out

        monkeypatch.setattr(psycopg.Connection, "execute", dies_before_commit)
        labeling.submit(ws, "ana", second, DRAFT, seconds=1.0)
        monkeypatch.undo()
        assert killed["done"]
        counts = ws.store.df("SELECT transcript_id, count(*) AS n FROM labels GROUP BY ALL")
        assert dict(zip(counts["transcript_id"], counts["n"], strict=True)) == {item: 3, second: 3}
        ws.store.close()
