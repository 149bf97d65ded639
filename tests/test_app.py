"""AppTest: every page renders real content from the demo data; the main flows work."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from labels.models import Rater
from tests.factories import build_demo_db, labeler_data

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    *("label", "browse", "adjudicate", "agreement", "graders", "raters", "export", "data"),
    "admin",
]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("GOLDSET_DB", str(demo_db))
    monkeypatch.chdir(ROOT)
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def sign_in(at: AppTest, who: str) -> AppTest:
    at.run()
    at.sidebar.selectbox(key="identity").set_value(who).run()
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def test_without_identity_the_app_asks_who_you_are(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert any("Pick your name" in i.value for i in app.info)
    assert any("not verified" in w.value for w in app.sidebar.warning)


def first_table(at: AppTest) -> pd.DataFrame:
    assert at.dataframe, "no table on the page"
    return at.dataframe[0].value


def one_grader_tab(at: AppTest) -> bool:
    """Open the graders page's "One grader" tab (only the tab shown runs)."""
    at.session_state["graders-tab"] = "One grader"
    at.run()
    return not at.exception


CHECKS: dict[str, Callable[[AppTest], None]] = {
    "label": lambda at: (
        (
            len(labeler_data(at)["messages"]) > 0  # type: ignore[arg-type]
            and "explicit_threat" in str(labeler_data(at)["keys"])
        )
        or pytest.fail("no transcript or label buttons")
    ),
    "browse": lambda at: len(first_table(at)) == 80 or pytest.fail("not 80 transcripts"),
    "adjudicate": lambda at: len(first_table(at)) > 0 or pytest.fail("no disagreements"),
    "agreement": lambda at: (
        (set(first_table(at)["dimension"]) == {"extortion", "manipulation", "ethical_explanation"})
        or pytest.fail("dimensions missing")
    ),
    "graders": lambda at: (
        (
            len(first_table(at)) >= 6
            and {"precision low", "recall high", "F1 low"} <= set(first_table(at).columns)
            and one_grader_tab(at)
            and any(c.value.startswith(("95% CI", "no interval")) for c in at.caption)
        )
        or pytest.fail("grader rows or their intervals missing")
    ),
    "raters": lambda at: (
        (
            list(first_table(at)["items"]) == [64, 64, 64]
            and "[" in str(at.dataframe[1].value["extortion"][0])  # kappa with its interval
        )
        or pytest.fail("no raters or no kappa interval")
    ),
    "export": lambda at: len(first_table(at)) > 100 or pytest.fail("no gold rows"),
    "data": lambda at: any(m.value == "80" for m in at.metric) or pytest.fail("no counts"),
    "admin": lambda at: (
        any("schema version" in c.value for c in at.caption) or pytest.fail("no schema info")
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_demo_content_to_an_admin(app: AppTest, page: str) -> None:
    sign_in(app, "admin")
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    CHECKS[page](app)


def test_rater_sees_only_rater_pages_and_is_refused_elsewhere(app: AppTest) -> None:
    sign_in(app, "ana")
    for page in ("adjudicate", "admin", "graders", "agreement", "raters", "export", "data"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/{page}.py")


@pytest.mark.parametrize(
    "page", ["adjudicate", "admin", "graders", "agreement", "raters", "export", "data"]
)
def test_restricted_pages_refuse_a_rater_even_when_opened_directly(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("GOLDSET_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["rater"] = Rater(id="ana", name="Ana Costa", role="rater")
    at.session_state["_run"] = {}  # as app.py starts every run
    at.run()
    role = "admin" if page in ("admin", "data") else "adjudicator"
    assert [e.value for e in at.error] == [
        f"This page is for {role}s. Ask an admin if you need access."
    ]
    assert not at.dataframe


def test_label_page_is_blind(app: AppTest) -> None:
    sign_in(app, "ana")
    data = labeler_data(app)
    page = texts(app) + "\n" + json.dumps(data)
    assert data["item"] and data["messages"]
    # No other rater's name or any grader name appears anywhere on the label page.
    for other in ("ben", "chen", "Ben Okafor", "Chen Wei", "demo/", "agentic-misalignment/"):
        assert other not in page
    for df in app.dataframe:
        assert "ben" not in df.value.to_string() and "chen" not in df.value.to_string()


def test_graders_rates_tab_shows_corrected_rates_and_draws_more_labels(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "rates.duckdb"
    db.write_bytes(demo_db.read_bytes())  # the draw writes: not on the shared database
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "admin")
    at.session_state["graders-tab"] = "Rates"  # the tab a click opens (only it runs)
    at.switch_page("pages/graders.py").run()
    at.selectbox(key="rates-grader").set_value("demo/keyword-rule").run()
    table = next(d.value for d in at.dataframe if "corrected" in d.value.columns)
    assert set(table["grader"]) == {"demo/keyword-rule"} and len(table) >= 6
    chats = table[table["group"].str.endswith("(none)")]
    assert (chats["grader rate"] - chats["corrected"]).abs().max() >= 0.1  # visibly corrected
    assert table["reading"].str.startswith(("between", "at most", "at least", "no human")).all()
    at.selectbox(key="rates-pick").set_value(int(chats.index[0])).run()
    at.button(key="FormSubmitter:rates-draw-Send to the audit queue").click().run()
    assert any("unreviewed transcripts (draw" in s.value for s in at.success), [
        w.value for w in at.warning
    ]
