"""The app under use: server memory with several sessions open.

Starts `streamlit run app.py` on a free localhost port with `GOLDSET_DB` pointing at the
shared benchmark database, and opens sessions with Playwright driving Debian's Chromium,
each in its own browser context, each signing in as a different person (sidebar
selectbox) and waiting for the label page. The server's RSS is read from
`/proc/<pid>/status` (VmRSS; VmHWM for the peak).

The label page's own timings (value key, submit, adjudicate) are in `label_page.py`.
Target (issue 8): ≤ 600 MB RSS with 10 sessions.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import gen_db
from benchmarks.core import MB, Context, Figure, Target
from labels.workspace import ROOT

CHROMIUM = os.environ.get("GOLDSET_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 120_000
RUNNING = "[data-testid=stStatusWidgetRunningIcon]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory figure of a process from /proc/<pid>/status (kB there), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / MB
    raise KeyError(field)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not start within 90 s")


@contextmanager
def server(db: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`streamlit run app.py` on the database (`env` added to its environment); yields
    (url, server pid)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {}), "GOLDSET_DB": str(db)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def settle(page: Any) -> None:
    """Wait until the script run this page started has finished."""
    page.wait_for_timeout(250)
    page.wait_for_function(f"!document.querySelector('{RUNNING}')", timeout=WAIT_MS)


def open_session(browser: Any, url: str, name: str) -> Any:
    """A new browser context signed in as `name`, on the label page, keyboard ready."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.locator("[data-testid=stSelectbox]").first.click(timeout=WAIT_MS)
    page.keyboard.type(name)
    page.get_by_role("option", name=f"{name} · rater", exact=True).click(timeout=WAIT_MS)
    page.get_by_text("Submit & next").wait_for(timeout=WAIT_MS)
    settle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    return page


def _figures(ctx: Context, db: gen_db.BenchDb) -> Figure:
    s = ctx.sizes
    memory = Figure(
        f"app memory: server RSS, {s.app_sessions} sessions on the label page",
        f"{db.transcripts:,} transcripts, {db.labels:,} labels",
        "MB",
        Target.at_most(600, "MB"),
        baseline_what="server RSS with 1 session open",
        note="one server, measured once (a state, not a timing)",
    )
    return memory


def run(ctx: Context) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    db = gen_db.shared(ctx)
    memory = _figures(ctx, db)
    people = [db.keys_long[1], db.keys_short[1]] + [name for _, name in db.app_raters]
    people = people[: ctx.sizes.app_sessions]
    with server(db.path, ctx.workdir / "streamlit.log") as (url, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            memory.details["idle_before_sessions_mb"] = rss_mb(pid)
            pages = [open_session(browser, url, people[0])]
            memory.baseline_runs.append(rss_mb(pid))
            pages += [open_session(browser, url, name) for name in people[1:]]
            time.sleep(2)
            memory.runs.append(rss_mb(pid))
            memory.details["peak_vmhwm_mb"] = rss_mb(pid, "VmHWM")
        finally:
            browser.close()
    return [memory]
