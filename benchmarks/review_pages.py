"""What an adjudicator or admin waits for on the review pages, timed in Chromium.

**click → page readable**: from the trusted click on a page's link in the sidebar (its
`event.timeStamp`, caught by a listener installed before the app's scripts) to the first
moment, polled every millisecond in the page with `performance.now()` (same clock), when
the app reports `data-test-script-state="notRunning"`, the new page's heading is there
(the label page: its first message drawn and no heading), the page no longer says its
figures are being computed for the first time (`cached.PENDING_MARK`; figures of an
older version, marked as such, count as shown), every table has drawn its canvas and
every chart its canvas or SVG (those on the tab shown). One session signed in as Admin
per server. Per database and run, two servers, one after the other, keeping their
figures in a new folder of the run's (`GOLDSET_FIGURES_DIR`):

* the first has never computed this database's figures: each page is visited once,
  in the order below, from the moment it started (`first_visit_never_computed_ms`);
* the second is the same server started again: each page is visited once right after
  it started (the **first visit**, which pays for imports and reads the kept figures)
  and then `rounds` times more, in the same order (Browse, Adjudicate, Agreement,
  Graders, Raters, Export, Data, Admin, Label). Each page's figure is the p95 over all
  its visits on this server, the first included.

**adjudicate: decide → next case** as in `label_page.decide_ms`, on the same server.

Databases: the demo database (`labels.demo`, 80 transcripts) and the benchmark database
of `gen_db.build` at the run's size (100,000 transcripts, 1,000,000 labels; 10% of the
transcripts without gold, left to adjudicate). Targets (issue 19): every page ≤ 1 s on
the demo database and ≤ 2 s on the large one, first visit included; decide ≤ 500 ms.
Baselines: on the demo database, the label page in the same session; on the large one,
the same page on the demo database in the same run.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from benchmarks import gen_db
from benchmarks.app_memory import CHROMIUM, FLAGS, WAIT_MS, server
from benchmarks.core import Context, Figure, Target, p95
from benchmarks.label_page import IDLE, KEY_HOOK, decide_ms
from labels.ui.cached import PENDING_MARK

# (title in the sidebar, url path, the page's heading; None: the label page, no heading)
PAGES = (
    ("Label", "", None),
    ("Browse", "browse", "Browse transcripts"),
    ("Adjudicate", "adjudicate", "Adjudicate"),
    ("Agreement", "agreement", "Inter-rater agreement"),
    ("Graders", "graders", "Graders against gold"),
    ("Raters", "raters", "Raters"),
    ("Export", "export", "Export"),
    ("Data", "data", "Data"),
    ("Admin", "admin", "Admin"),
)
CLICK_HOOK = """window.addEventListener('click', e => {
  const hook = window.__onClick; window.__onClick = null; if (hook) hook(e);
}, {capture: true});"""
READABLE = """heading => {
  const h1 = [...document.querySelectorAll('h1')].map(h => h.innerText.trim());
  const drawn = heading === null
    ? h1.length === 0 && !!document.querySelector('.gs-root .gs-msg, [data-testid=stAlert]')
    : h1.includes(heading);
  if (!drawn || !(IDLE)) return false;
  if (document.body.innerText.includes(PENDING)) return false;
  const shown = q => [...document.querySelectorAll(q)].filter(e => e.checkVisibility());
  const tables = shown('[data-testid=stDataFrame]');
  const charts = shown('[data-testid=stVegaLiteChart]');
  return tables.every(t => t.querySelector('canvas'))
    && charts.every(c => c.querySelector('canvas, svg'));
}""".replace("(IDLE)", f"({IDLE})").replace("PENDING", json.dumps(PENDING_MARK))
ARM = """heading => { window.__timing = new Promise(done => {
  window.__onClick = e => {
    const t0 = e.timeStamp, ready = READABLE;
    const check = () => ready(heading) ? done(performance.now() - t0) : setTimeout(check, 1);
    setTimeout(check, 1);
  };
}); }""".replace("READABLE", READABLE)


def _timing(page: Any) -> float:
    result = page.evaluate(
        "Promise.race([window.__timing, new Promise(r => setTimeout(() => r(null), 300000))])"
    )
    if result is None:
        raise RuntimeError("the page was not readable within 300 s")
    return float(result)


def sign_in_admin(browser: Any, url: str) -> Any:
    """A new context signed in as Admin (local mode), on the label page, the app idle."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.add_init_script(CLICK_HOOK)
    context.add_init_script(KEY_HOOK)  # for `decide_ms`
    page = context.new_page()
    page.goto(url)
    page.locator("[data-testid=stSelectbox]").first.click(timeout=WAIT_MS)
    page.keyboard.type("Admin")
    page.get_by_role("option", name="Admin · admin", exact=True).click(timeout=WAIT_MS)
    page.wait_for_function(f"({READABLE})(null)", timeout=WAIT_MS)
    page.wait_for_function("document.cookie.includes('goldset_local_who=')")
    page.wait_for_timeout(500)
    return page


def visit_ms(page: Any, title: str, heading: str | None) -> float:
    """Click the page's link in the sidebar; ms until it is readable."""
    page.evaluate(ARM, heading)
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=title).first.click()
    ms = _timing(page)
    page.wait_for_timeout(300)
    return ms


def _session(
    db: gen_db.BenchDb | Any, ctx: Context, rounds: int, cases: int, figures: Path
) -> dict[str, Any]:
    """Visits of every page (first, then `rounds` more) and `cases` decisions, one server
    keeping its figures in `figures`."""
    from playwright.sync_api import sync_playwright

    visits: dict[str, list[float]] = {title: [] for title, _, _ in PAGES}
    log = ctx.workdir / f"streamlit-review-{db.path.stem}.log"
    env = {"GOLDSET_FIGURES_DIR": str(figures)}
    with server(db.path, log, env) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = sign_in_admin(browser, url)
            # The label page was drawn at sign-in; its first timed visit comes from Admin.
            order = [*PAGES[1:], PAGES[0]]
            for _ in range(rounds + 1):
                for title, _path, heading in order:
                    visits[title].append(visit_ms(page, title, heading))
                    ctx.log(f"    {db.path.stem}: {title} {visits[title][-1]:.0f} ms")
            decide = []
            if cases:
                visit_ms(page, "Adjudicate", "Adjudicate")
                decide = decide_ms(page, cases)
        finally:
            browser.close()
    return {"visits": visits, "decide": decide}


def _demo_db(ctx: Context) -> Any:
    from dataclasses import dataclass

    from labels import demo
    from labels.workspace import open_workspace

    @dataclass(frozen=True)
    class Demo:
        path: Path

    def make() -> Demo:
        path = ctx.fresh("review-demo.duckdb")
        ws = open_workspace(path)
        demo.build(ws)
        ws.store.close()
        return Demo(path)

    return ctx.shared("demo database for the review pages", make)


def _large_db(ctx: Context) -> gen_db.BenchDb:
    n = ctx.sizes.db_transcripts
    return ctx.shared(  # type: ignore[no-any-return]
        f"review-pages database of {n:,} transcripts, 10% without gold",
        lambda: gen_db.build(
            ctx.fresh(f"review-{n}.duckdb"),
            n,
            ctx.sizes.db_labels,
            ctx.sizes.messages,
            long=200,
            loop=1,
            app=1,
            gold_share=0.9,
        ),
    )


def _figures(n: int) -> dict[str, Figure]:
    out = {}
    for title, _, _ in PAGES:
        out[f"demo:{title}"] = Figure(
            f"review pages: click → {title} readable, p95 (first visit included)",
            "demo database (80 transcripts)",
            "ms",
            Target.at_most(1000, "ms"),
            baseline_what="the label page, same session",
        )
        out[f"large:{title}"] = Figure(
            f"review pages: click → {title} readable, p95 (first visit included)",
            f"{n:,} transcripts, 10% without gold",
            "ms",
            Target.at_most(2000, "ms"),
            baseline_what="the same page on the demo database",
        )
    for where, size in (("demo", "demo database"), ("large", f"{n:,} transcripts")):
        out[f"{where}:decide"] = Figure(
            "review pages: adjudicate decide → next case shown, app idle, p95",
            size,
            "ms",
            Target.at_most(500, "ms"),
            baseline_what="the label page's visits, same session",
        )
    return out


def _record(figure: Figure, runs: list[float], baseline: list[float]) -> None:
    figure.runs.append(p95(runs))
    figure.baseline_runs.append(p95(baseline))
    figure.details.setdefault("first_visit_ms", []).append(runs[0])
    figure.details.setdefault("median_ms", []).append(statistics.median(runs))


def run(ctx: Context) -> list[Figure]:
    rounds, cases = (2, 5) if ctx.quick else (5, 20)
    figures = _figures(ctx.sizes.db_transcripts)
    for run in range(ctx.runs):
        sessions = {}
        for where, db in (("demo", _demo_db(ctx)), ("large", _large_db(ctx))):
            # A server that never computed this database's figures: each page once.
            kept = ctx.workdir / f"figures-{where}-{run}"
            never = _session(db, ctx, 0, 0, kept)
            # The same server started again (figures kept): the figures of record.
            sessions[where] = _session(db, ctx, rounds, cases, kept)
            sessions[where]["never"] = never["visits"]
        demo, large = sessions["demo"], sessions["large"]
        label = demo["visits"]["Label"]
        for title, _, _ in PAGES:
            _record(figures[f"demo:{title}"], demo["visits"][title], label)
            _record(figures[f"large:{title}"], large["visits"][title], demo["visits"][title])
            for where, s in sessions.items():
                figures[f"{where}:{title}"].details.setdefault(
                    "first_visit_never_computed_ms", []
                ).append(s["never"][title][0])
        _record(figures["demo:decide"], demo["decide"], label)
        _record(figures["large:decide"], large["decide"], large["visits"]["Label"])
    return list(figures.values())
