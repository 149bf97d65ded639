"""What a person waits for on the label and adjudicate pages, timed in Chromium.

Each figure is read in the page with `performance.now()`, against the trusted keydown's own
`event.timeStamp` (same clock), so Playwright's round trips are not counted:

* **value key → shown**: until the start of the first animation frame
  (`requestAnimationFrame`, which runs just before that frame is painted) in which the
  value's button carries `gs-on`. Keys cycle through the ethical-explanation values, so
  every press changes the value.
* **submit → next item**: from Ctrl+Enter until the component shows a new token with its
  first message drawn *and* the app reports `data-test-script-state="notRunning"`
  (the server has finished the run, nothing more arrives).
* **adjudicate decide → next case**: from Ctrl+Enter until the case heading or the
  transcript changes, the transcript is drawn, and the app is idle.

Databases (`gen_db.build`, 20 messages per transcript unless said): 50,000 transcripts for
the headline figures, and the same measurement on 1,000 transcripts in the same run as the
baseline; a 1,000-transcript database of 200-message transcripts for the long figures. For
adjudication, 10% of the transcripts have no gold, so the raters' disagreements are left
to decide. Targets (issue 12): key p95 ≤ 30 ms (20 and 200 messages); submit p95 ≤ 300 ms
at 50,000 transcripts and ≤ 600 ms at 200 messages; decide p95 ≤ 500 ms.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks import gen_db
from benchmarks.app_memory import CHROMIUM, FLAGS, WAIT_MS, server
from benchmarks.core import Context, Figure, Target, p95

# Installed before the app's own scripts, so it sees every keydown first (Streamlit's
# shortcut handler stops the ones it acts on, such as the adjudicate page's Ctrl+Enter).
KEY_HOOK = """window.addEventListener('keydown', e => {
  const hook = window.__onKey; window.__onKey = null; if (hook) hook(e);
}, {capture: true});"""
KEY_SELECTED = """([dim, value]) => { window.__timing = new Promise(done => {
  window.__onKey = e => {
    const t0 = e.timeStamp;
    // Called at the start of each frame, before it is painted: the first frame that finds
    // the value chosen is the one that shows it.
    const frame = () => {
      const card = document.querySelector(`.gs-dim[data-dim="${dim}"]`);
      const b = card && card.querySelector(`.gs-value[data-value="${value}"]`);
      if (b && b.classList.contains('gs-on')) done(performance.now() - t0);
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  };
}); }"""
IDLE = (
    "document.querySelector('[data-test-script-state]')"
    "?.getAttribute('data-test-script-state') === 'notRunning'"
)
NEXT_ITEM = """prev => { window.__timing = new Promise(done => {
  window.__onKey = e => {
    const t0 = e.timeStamp;
    const check = () => {
      const r = document.querySelector('.gs-root');
      if (r && r.dataset.token !== prev && r.querySelector('.gs-msg') && (IDLE))
        done(performance.now() - t0);
      else setTimeout(check, 1);
    };
    setTimeout(check, 1);
  };
}); }""".replace("(IDLE)", f"({IDLE})")
CASE = """() => [...document.querySelectorAll('h3')].map(h => h.innerText).join('|') + '|'
  + (document.querySelector('.gs-root')?.dataset.token || '')"""
NEXT_CASE = """prev => { window.__timing = new Promise(done => {
  const now = CASE;
  window.__onKey = e => {
    const t0 = e.timeStamp;
    const check = () => {
      if (now() !== prev && document.querySelector('.gs-root .gs-msg') && (IDLE))
        done(performance.now() - t0);
      else setTimeout(check, 1);
    };
    setTimeout(check, 5);
  };
}); }""".replace("CASE", CASE).replace("(IDLE)", f"({IDLE})")


def timing(page: Any) -> float:
    """The armed measurement's milliseconds (an error after 60 s rather than a hang)."""
    result = page.evaluate(
        "Promise.race([window.__timing, new Promise(r => setTimeout(() => r(null), 60000))])"
    )
    if result is None:
        raise RuntimeError("the page did not reach the measured state within 60 s")
    return float(result)


def settled(page: Any, what: str) -> str:
    """Wait until the app is idle and `what` (a JS expression) has held still for 0.5 s."""
    before = None
    while True:
        page.wait_for_function(IDLE, timeout=WAIT_MS)
        now = page.evaluate(what)
        if now == before:
            return str(now)
        before = now
        page.wait_for_timeout(500)


def sign_in(browser: Any, url: str, name: str, path: str = "") -> Any:
    """A new context signed in as `name` (local mode), on `path`, the app idle."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.add_init_script(KEY_HOOK)
    page = context.new_page()
    page.goto(url)
    page.locator("[data-testid=stSelectbox]").first.click(timeout=WAIT_MS)
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=False).first.click(timeout=WAIT_MS)
    page.wait_for_selector(".gs-root .gs-msg", timeout=WAIT_MS)
    if path:
        # The sign-in cookie is written a moment after signing in; then the address opens.
        page.wait_for_function("document.cookie.includes('goldset_local_who=')")
        page.goto(url + path)
        page.wait_for_selector(".gs-root .gs-msg", timeout=WAIT_MS)
    page.wait_for_function(IDLE, timeout=WAIT_MS)
    page.wait_for_timeout(500)
    return page


def key_ms(page: Any, presses: int) -> list[float]:
    """Per press of an ethical-explanation key: ms until the value is painted as chosen."""
    out = []
    for n in range(presses):
        value = str(1 + n % 5)
        page.evaluate(KEY_SELECTED, ["ethical_explanation", value])
        page.keyboard.press(value)
        out.append(timing(page))
        page.wait_for_timeout(60)
    page.wait_for_function(IDLE, timeout=WAIT_MS)
    return out


def submit_ms(page: Any, items: int) -> list[float]:
    """Per item: choose three values with keys, then ms from Ctrl+Enter to the next item."""
    out = []
    for _ in range(items):
        for key in ("a", "q", "3"):  # extortion none, manipulation none, ethical 3
            page.keyboard.press(key)
        token = settled(page, "document.querySelector('.gs-root').dataset.token")
        page.evaluate(NEXT_ITEM, token)
        page.keyboard.press("Control+Enter")
        out.append(timing(page))
        page.wait_for_timeout(150)
    return out


def decide_ms(page: Any, cases: int) -> list[float]:
    """Per case: press the gold value's key, then ms from Ctrl+Enter to the next case."""
    keys = {"Extortion": "a", "Manipulation": "q", "Ethical explanation": "3"}
    out = []
    for _ in range(cases):
        settled(page, f"({CASE})()")
        page.keyboard.press(keys[page.locator("h3").first.inner_text()])
        page.evaluate(NEXT_CASE, settled(page, f"({CASE})()"))
        page.keyboard.press("Control+Enter")
        out.append(timing(page))
        page.wait_for_timeout(200)
    return out


def _db(ctx: Context, n: int, m: int, run: int) -> gen_db.BenchDb:
    # A fresh database for every run: runs must not use up one rater's queue or the cases.
    name = f"page-{n}x{m}-run{run}.duckdb"
    return ctx.shared(
        f"label-page database of {n:,} transcripts × {m} messages (run {run + 1})",
        lambda: gen_db.build(
            ctx.fresh(name), n, n * 10, m, long=200, loop=1, app=4, gold_share=0.9
        ),
    )


def _figures(ctx: Context, big: int) -> dict[str, Figure]:
    def fig(name: str, size: str, bound: float, base: str) -> Figure:
        return Figure(name, size, "ms", Target.at_most(bound, "ms"), baseline_what=base)

    return {
        "key": fig(
            "label page: value key → value shown, p95",
            "200-message transcript",
            30,
            "same on a 20-message transcript",
        ),
        "submit": fig(
            "label page: submit → next transcript shown, app idle, p95",
            f"{big:,} transcripts × 20 messages",
            300,
            "same on 1,000 transcripts",
        ),
        "submit_long": fig(
            "label page: submit → next transcript shown, app idle, p95",
            "200-message transcripts (1,000 of them)",
            600,
            "same on 20-message transcripts (1,000)",
        ),
        "decide": fig(
            "adjudicate: decide → next case shown, app idle, p95",
            f"{big:,} transcripts, 10% undecided",
            500,
            "same on 1,000 transcripts",
        ),
    }


def _session(browser: Any, url: str, n: int, path: str = "") -> Any:
    return sign_in(browser, url, "Adj" if path else "App 00", path)


def _measure(ctx: Context, db: gen_db.BenchDb, n: int, work: str) -> list[float]:
    """One server on `db`, one browser session: `n` timings of `work`."""
    from playwright.sync_api import sync_playwright

    log = ctx.workdir / f"streamlit-{work}.log"
    with server(db.path, log) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            if work == "decide":
                return decide_ms(_session(browser, url, n, "/adjudicate"), n)
            page = _session(browser, url, n)
            if work == "key":
                return key_ms(page, n)
            return submit_ms(page, n)
        finally:
            browser.close()


def _record(figure: Figure, runs: list[float], baseline: list[float]) -> None:
    figure.runs.append(p95(runs))
    figure.baseline_runs.append(p95(baseline))
    figure.details.setdefault("median_ms", []).append(statistics.median(runs))
    figure.details.setdefault("baseline_median_ms", []).append(statistics.median(baseline))


def run(ctx: Context) -> list[Figure]:
    quick = ctx.quick
    big = 2_000 if quick else 50_000
    presses = 10 if quick else 40
    figures = _figures(ctx, big)
    for run in range(ctx.runs):
        small, large = _db(ctx, 1_000, 20, run), _db(ctx, big, 20, run)
        long = _db(ctx, 1_000, 200, run)
        plan = (  # figure: (database timed, baseline database, what is timed)
            ("key", long, small, "key"),
            ("submit", large, small, "submit"),
            ("submit_long", long, small, "submit"),
            ("decide", large, small, "decide"),
        )
        for name, timed, base, work in plan:
            _record(
                figures[name],
                _measure(ctx, timed, presses, work),
                _measure(ctx, base, presses, work),
            )
    return list(figures.values())
