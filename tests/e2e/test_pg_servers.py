"""Three app servers on one PostgreSQL database, one SIGKILLed mid-submit (issue 16).

Three `streamlit run app.py` servers (local identity mode, `GOLDSET_DB` the same
PostgreSQL URL) serve one queue. Each server has a process of simulated raters that
"belong" to it (threads through the store API on the same database, pacing like fast
people and printing each submission once it is acknowledged) and two of the servers a
real browser session labeling with the keyboard. Halfway through, the browser on the third
server presses Ctrl+Enter and that server is SIGKILLed together with its raters' process,
before the page can show the next item; the browser then fails over to another server (as
a load balancer would) and carries on. At the end: every acknowledged label is stored
exactly once, no transcript is past its k raters, nobody got an item twice, and the two
other servers kept serving (labels acknowledged through them after the kill).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from labels.models import Rater, Record
from labels.workspace import open_workspace
from tests import pg
from tests.e2e.conftest import (
    ROOT,
    Server,
    _need_browser,
    chosen,
    sign_in_local,
    start_server,
    token,
    wait_ready,
)
from tests.factories import make_transcript

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SECONDS = max(60.0, float(os.environ.get("GOLDSET_LOAD_SECONDS", "60")))
SERVERS = 3
SIMULATED = 20
TRANSCRIPTS = 2500
PACE = 0.3  # seconds a simulated rater "reads" each item
KEYS = "aq0"  # extortion none, manipulation none, ethical explanation na
DONE = {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
WEB = ("web0", "web1")

# Simulated raters of one server: a thread each, until the deadline (or SIGKILL). A line
# "ack RATER ITEM" is printed only after `labeling.submit` has returned.
RATERS = """
import sys, threading, time
from labels import labeling
from labels.workspace import open_workspace
url, deadline, pace = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
ws = open_workspace(url)
draft = labeling.draft_with(
    {"extortion": "none", "manipulation": "none", "ethical_explanation": "na"}
)
out = threading.Lock()
def rater(name):
    mine = ws.cursor()
    while time.time() < deadline:
        item = mine.next_item(name)
        if item is None:
            return
        time.sleep(pace)
        labeling.submit(mine, name, item, draft, seconds=pace)
        with out:
            print("ack", name, item, flush=True)
threads = [threading.Thread(target=rater, args=(r,)) for r in sys.argv[4:]]
print("ready", flush=True)
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


class Raters:
    """One server's simulated raters in their own process; acknowledgements read as they come."""

    def __init__(self, url: str, deadline: float, names: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RATERS, url, str(deadline), str(PACE), *names],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.acks: list[tuple[str, str, float]] = []  # (rater, item, when acknowledged)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready", self.proc.stderr
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ack":
                self.acks.append((parts[1], parts[2], time.monotonic()))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)

    def finish(self) -> str:
        """Wait for the process to end (its reader has every line then); its stderr."""
        self.proc.wait(timeout=120)
        self.reader.join(timeout=30)
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


@pytest.fixture
def database() -> Iterator[str]:
    _need_browser()
    with pg.fresh_database() as url:
        ws = open_workspace(url)
        records = [Record(transcript=make_transcript(f"t{i:05d}", n=6)) for i in range(TRANSCRIPTS)]
        ws.store.ingest_file("servers.jsonl", "jsonl", records)
        for r in [f"s{i:02d}" for i in range(SIMULATED)] + list(WEB):
            ws.store.upsert_rater(Rater(id=r, name=f"Person {r}"))
        ws.store.close()
        yield url


@pytest.fixture
def servers(database: str) -> Iterator[list[Server]]:
    running = [start_server(database) for _ in range(SERVERS)]
    yield running
    for s in running:
        if s.proc.poll() is None:
            s.stop()


def shown(page: Any) -> str:
    return str(page.evaluate("document.querySelector('.gs-root').dataset.item"))


def label_one(page: Any) -> str:
    """Label the item on screen with the keyboard and submit; returns it once acknowledged."""
    item, before = shown(page), token(page)
    for key in KEYS:
        page.keyboard.press(key)
    assert chosen(page) == DONE
    page.keyboard.press("Control+Enter")
    wait_ready(page, before, timeout=60_000)
    return item


def alive(server: Server) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(server.url + "/_stcore/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def test_three_servers_one_killed_mid_submit(
    database: str, servers: list[Server], browser: Any
) -> None:
    import psycopg

    started = time.monotonic()
    deadline = time.time() + SECONDS
    names = [f"s{i:02d}" for i in range(SIMULATED)]
    groups = [Raters(database, deadline, names[i::SERVERS]) for i in range(SERVERS)]
    # The browsers: web0 on the first server; web1 on the third, the one that is killed.
    pages = {}
    for rater, server in (("web0", servers[0]), ("web1", servers[2])):
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        sign_in_local(page, server.url, f"Person {rater} · rater")
        pages[rater] = page
    web_acks: list[tuple[str, str, float]] = []
    killed_at: float | None = None
    in_flight: tuple[str, str] | None = None  # web1's submit the kill interrupted
    while time.time() < deadline:
        for rater, page in pages.items():
            if time.time() >= deadline:
                break
            if rater == "web1" and killed_at is None and time.time() > deadline - SECONDS / 2:
                # Mid-submit: Ctrl+Enter pressed, the next item not shown yet.
                item = shown(page)
                for key in KEYS:
                    page.keyboard.press(key)
                page.keyboard.press("Control+Enter")
                servers[2].proc.send_signal(signal.SIGKILL)
                groups[2].kill()
                servers[2].proc.wait(timeout=30)
                killed_at = time.monotonic()
                in_flight = ("web1", item)
                # Fail over to another server: the identity cookie (the same database, so
                # the same key) signs web1 in there too, as it would behind a load balancer.
                page.goto(servers[1].url)
                wait_ready(page, timeout=60_000)
                continue
            web_acks.append((rater, label_one(page), time.monotonic()))
    errors = [g.finish() for g in groups[:2]]
    assert killed_at is not None and in_flight is not None
    assert all(alive(s) for s in servers[:2]), "a surviving server stopped serving"
    for s in servers[:2]:
        s.stop()

    acks = [a for g in groups for a in g.acks] + web_acks
    acknowledged = [(r, t) for r, t, _ in acks]
    with psycopg.connect(database) as con:
        rows = con.execute(
            "SELECT rater, transcript_id, count(*), count(DISTINCT dimension) FROM labels"
            " GROUP BY rater, transcript_id"
        ).fetchall()
        holders = con.execute(
            "SELECT transcript_id, count(*) FROM assignments"
            " WHERE labeled OR state IN ('open', 'done') GROUP BY transcript_id"
        ).fetchall()
        assignments = con.execute(
            "SELECT count(*), count(DISTINCT (transcript_id, rater)) FROM assignments"
        ).fetchone()
    stored = {(str(r), str(t)): (int(n), int(d)) for r, t, n, d in rows}
    k = 3
    report = (
        f"{len(acknowledged)} acknowledged submissions ({len(web_acks)} from browsers),"
        f" {len(stored)} stored, {SIMULATED} simulated raters + 2 browsers on {SERVERS}"
        f" servers for {time.monotonic() - started:.0f} s; server 3 and its raters"
        f" SIGKILLed at {killed_at - started:.0f} s, web1 was submitting {in_flight[1]}"
        f" ({'stored' if in_flight in stored else 'not stored'} by then)"
    )
    print(report)
    # Every acknowledged submission stored exactly once: three labels, one per dimension.
    assert len(acknowledged) == len(set(acknowledged)), "an item acknowledged twice"
    assert set(acknowledged) <= set(stored), "an acknowledged submission was lost"
    assert all(v == (3, 3) for v in stored.values()), "a half-written or doubled submission"
    # The only stored submission nobody saw acknowledged can be the ones the kill cut off.
    unacknowledged = set(stored) - set(acknowledged)
    assert all(r in names[2::SERVERS] or r == "web1" for r, _ in unacknowledged), unacknowledged
    # No transcript past its k raters; nobody got an item twice.
    assert max(n for _, n in holders) <= k
    assert max(Counter(t for _, t in stored).values()) <= k
    assert assignments is not None and assignments[0] == assignments[1]
    # The other servers kept serving: labels acknowledged through them after the kill.
    after = [a for g in groups[:2] for a in g.acks if a[2] > killed_at]
    assert len(after) > SIMULATED, report
    assert sum(1 for r, _, when in web_acks if r == "web0" and when > killed_at) >= 3, report
    assert sum(1 for r, _, when in web_acks if r == "web1" and when > killed_at) >= 3, report
    assert len(acknowledged) > 500, report
    assert not any("Traceback" in e for e in errors), errors
