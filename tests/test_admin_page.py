"""The Admin page as a labeling lead uses it: adding people, backing up, restoring from the app."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from labels.store import Store
from tests.factories import build_demo_db
from tests.test_app import ROOT, sign_in


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("admin") / "demo.duckdb")


@pytest.fixture
def admin(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    db = Path(shutil.copy(demo_file, tmp_path / "goldset.duckdb"))
    monkeypatch.setenv("GOLDSET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    sign_in(at, "admin")
    at.switch_page("pages/admin.py").run()
    yield at


def test_add_with_an_empty_id_says_why_nothing_happened(admin: AppTest) -> None:
    before = len(admin.dataframe[0].value) if admin.dataframe else None
    admin.button(key="FormSubmitter:add-rater-Add").click().run()
    assert [w.value for w in admin.warning] == [
        "Nothing was added: type the person's id (an email or a short name)."
    ]
    admin.text_input[0].set_value("  eve@example.org ")
    admin.button(key="FormSubmitter:add-rater-Add").click().run()
    assert [s.value for s in admin.success] == [r"Added eve@example\.org as rater\."]  # escaped
    assert not admin.warning and before is not None


def test_a_listed_backup_restores_into_a_new_file_with_its_counts_and_hashes(
    admin: AppTest, tmp_path: Path
) -> None:
    next(b for b in admin.button if b.label == "Back up now").click().run()
    assert any("Saved to" in s.value for s in admin.success)
    folder = admin.selectbox[-1].value
    assert isinstance(folder, Path) and (folder / "goldset-backup.json").is_file()
    admin.button(key="FormSubmitter:restore-Restore into a new file").click().run()
    assert not admin.error, [e.value for e in admin.error]
    said = " ".join(s.value for s in admin.success)
    assert "every table checked against the backup" in said and "574 labels" in said
    target = tmp_path / "restored" / f"{folder.name}.duckdb"
    assert target.is_file() and f"GOLDSET_DB={target}" in said.replace("\\", "")
    manifest = json.loads((folder / "goldset-backup.json").read_text())["tables"]
    store = Store.open(target)
    assert store.digests() == manifest  # rows and content hash of every table
    store.close()
    # A second restore of the same backup goes to a new name; the first file is untouched.
    size = target.stat().st_size
    admin.button(key="FormSubmitter:restore-Restore into a new file").click().run()
    assert (tmp_path / "restored" / f"{folder.name}-2.duckdb").is_file()
    assert target.stat().st_size == size


def test_saving_an_unchanged_people_table_says_so(
    admin: AppTest,
) -> None:
    save = next(b for b in admin.button if b.label == "Save changes to raters")
    save.click().run()
    assert [i.value for i in admin.info] == ["Nothing to save: the table is as it was."]
    # AppTest cannot edit a data editor; the rules it applies are tested below.


def test_roster_rules() -> None:
    from labels.admin import roster_problem
    from labels.models import Rater

    me = Rater(id="admin", name="Admin", role="admin")
    ana = Rater(id="ana", name="Ana", role="rater")
    assert roster_problem([me, ana], [], "admin") is None
    assert roster_problem([me, ana], [ana.model_copy(update={"role": "admin"})], "admin") is None
    demoted = me.model_copy(update={"role": "rater"})
    assert "no active admin" in str(roster_problem([me, ana], [demoted], "admin"))
    other = Rater(id="bo", name="Bo", role="admin")
    assert "your own admin access" in str(roster_problem([me, other], [demoted], "admin"))
    gone = other.model_copy(update={"active": False})
    assert roster_problem([me, other], [gone], "admin") is None
