"""The command line: reports, exit codes, errors as one line, and the label/grader imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "id": "c1",
    "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
}


def cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labels", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def chats(tmp_path: Path) -> Path:
    path = tmp_path / "chats.jsonl"
    bad = '{"messages": [{"role": "wizard", "content": "x"}]}'
    path.write_text(json.dumps(GOOD) + "\n" + '{"messages": [' + "\n" + bad + "\n")
    return path


def test_ingest_json_report_and_idempotency(tmp_path: Path, chats: Path) -> None:
    db = tmp_path / "g.duckdb"
    first = cli("ingest", str(chats), "--json", db=db)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["files"], report["added"], report["duplicates"]) == (1, 1, 0)
    assert [r["where"] for r in report["rejected"]] == ["line 2", "line 3"]
    assert all(r["file"].endswith("chats.jsonl") and r["reason"] for r in report["rejected"])
    again = json.loads(cli("ingest", str(chats), "--json", db=db).stdout)
    assert (again["added"], again["duplicates"]) == (0, 1)


def test_strict_exits_1_on_rejections(tmp_path: Path, chats: Path) -> None:
    assert cli("ingest", str(chats), "--strict", db=tmp_path / "g.duckdb").returncode == 1


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("missing.jsonl", None, "no such file"),
        ("notes.txt", b"hello", "notes.txt"),
        ("fake.eval", b"this is not a zip", "fake.eval"),
    ],
)
def test_unusable_input_exits_2_with_one_line(
    tmp_path: Path, name: str, content: bytes | None, fragment: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = cli("ingest", str(path), db=tmp_path / "g.duckdb")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]
    assert "Traceback" not in out.stderr


def test_an_unusable_file_stops_the_run_before_anything_is_written(
    tmp_path: Path, chats: Path
) -> None:
    broken = tmp_path / "broken.eval"
    broken.write_bytes(b"PK\x03\x04 truncated zip")
    db = tmp_path / "g.duckdb"
    out = cli("ingest", str(chats), str(broken), "--json", db=db)
    assert out.returncode == 2 and "broken.eval" in out.stderr
    assert json.loads(cli("stats", "--json", db=db).stdout)["transcripts"] == 0


def test_import_labels_and_grader_report_bad_rows(tmp_path: Path, chats: Path) -> None:
    db = tmp_path / "g.duckdb"
    cli("ingest", str(chats), db=db)
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "transcript_id,rater,dimension,value,rationale\n"
        "c1,zoe,extortion,none,fine\n"
        "c1,zoe,extortion,sometimes,?\n"
        "nope,zoe,manipulation,none,\n"
    )
    out = json.loads(cli("import-labels", str(labels), "--json", db=db).stdout)
    assert out["added"] == 1
    assert [
        (r["where"], "sometimes" in r["reason"] or "nope" in r["reason"]) for r in out["rejected"]
    ] == [("line 3", True), ("line 4", True)]
    grader = tmp_path / "g.csv"
    grader.write_text(
        "transcript_id,dimension,value,score\nc1,extortion,TRUE,0.9\nc1,extortion,maybe,\n"
    )
    out = json.loads(cli("import-grader", str(grader), "--name", "judge", "--json", db=db).stdout)
    assert out["grader_verdicts"] == 1 and out["rejected"][0]["where"] == "line 3"
    raters = json.loads(cli("raters", "list", "--json", db=db).stdout)
    assert [r["id"] for r in raters] == ["zoe"]


def test_raters_add_and_role_check(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    assert cli("raters", "add", "kim@example.org", "--role", "adjudicator", db=db).returncode == 0
    bad = cli("raters", "add", "kim@example.org", "--role", "boss", db=db)
    assert bad.returncode == 2 and "unknown role" in bad.stderr
    roles = {r["id"]: r["role"] for r in json.loads(cli("raters", "list", "--json", db=db).stdout)}
    assert roles == {"kim@example.org": "adjudicator"}


def test_agreement_json_shape(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    assert cli("demo", db=db).returncode == 0
    out = cli("agreement", "--json", db=db)
    assert out.returncode == 0, out.stderr
    dims = json.loads(out.stdout)["dimensions"]
    assert set(dims) == {"extortion", "manipulation", "ethical_explanation"}
    keys = {
        "items",
        "raters",
        "alpha",
        "alpha_ci",
        "percent_agreement",
        "fleiss_kappa",
        "fleiss_kappa_ci",
        "gwet_ac1",
        "mean_cohen_kappa",
        "mean_cohen_kappa_ci",
        "ci_note",
    }
    for figures in dims.values():
        assert set(figures) == keys
        low, high = figures["alpha_ci"]
        assert low <= figures["alpha"] <= high and figures["raters"] == 3


def test_second_writer_gets_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    from labels.store import Store

    db = tmp_path / "held.duckdb"
    holder = Store.open(db)  # this process plays the running app
    try:
        out = cli("stats", db=db)
    finally:
        holder.close()
    assert out.returncode == 2
    assert "open in another Goldset process" in out.stderr and "Traceback" not in out.stderr


def test_backup_command(tmp_path: Path, chats: Path) -> None:
    db = tmp_path / "g.duckdb"
    cli("ingest", str(chats), db=db)
    out = cli("backup", "--out", str(tmp_path / "bk"), db=db)
    assert out.returncode == 0 and "1 transcripts" in out.stdout
    again = cli("backup", "--out", str(tmp_path / "bk"), db=db)
    assert again.returncode == 2 and "not empty" in again.stderr


PROBE = """import sys, runpy
sys.argv = ["labels"] + sys.argv[1:]
try:
    runpy.run_module("labels", run_name="__main__")
except SystemExit:
    pass
heavy = ("sklearn", "scipy", "pandas", "duckdb", "labels.store", "labels.calibration")
print("loaded:", *(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def loaded(*args: str) -> set[str]:
    """The heavy modules a `python -m labels ARGS` process had imported when it ended."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT
    )
    [line] = [x for x in done.stderr.splitlines() if x.startswith("loaded:")]
    return set(line.split()[1:])


def test_each_command_imports_what_it_uses(tmp_path: Path) -> None:
    """`--help` loads neither the store nor the statistics; `ingest` no scikit-learn or
    scipy (issue 15: `--help` took 3.4 s, 1.6 s of it importing scikit-learn)."""
    assert loaded("--help") == set()
    assert loaded("graders", "--help") == set()
    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "a", "messages": [{"role": "user", "content": "hi"}]}\n')
    used = loaded("ingest", str(one), "--db", str(tmp_path / "g.duckdb"))
    assert "duckdb" in used and not used & {"sklearn", "scipy", "labels.calibration"}
