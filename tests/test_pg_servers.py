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
from labels.workspace import open_workspace
from tests import pg
from tests.factories import make_transcript

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 6

# Each process waits for the same instant, then opens the database as a server does.
OPEN = """
import sys, time
from labels.workspace import open_workspace
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
