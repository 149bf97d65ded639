"""Exports: round trips, reproducibility, the data card, and gold back into Inspect logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labels import agreement_report, demo, export, gold
from labels.store import Store
from labels.workspace import Workspace, open_workspace

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "inspect"


@pytest.fixture
def demo_ws(tmp_path: Path) -> Workspace:
    ws = open_workspace(tmp_path / "demo.duckdb")
    demo.build(ws)
    gold.adjudicate(ws, "dana", "chat-002", "extortion", "none", "no threat anywhere")
    return ws


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_gold_export_is_reproducible_and_carded(
    demo_ws: Workspace, tmp_path: Path, fmt: str
) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    card = export.export_gold(demo_ws, first, fmt)  # type: ignore[arg-type]
    export.export_gold(demo_ws, second, fmt)  # type: ignore[arg-type]
    assert first.read_bytes() == second.read_bytes()
    saved = json.loads((tmp_path / f"a.{fmt}.card.json").read_text())
    assert saved["sha256"] == card.sha256 and saved["rows"] == card.rows > 100
    # Counted here without `gold`: labeled (transcript, dimension) pairs that have no gold.
    labeled = demo_ws.store.current_labels()[["transcript_id", "dimension"]].drop_duplicates()
    gold_rows = demo_ws.store.current_gold()
    decided = set(zip(gold_rows.transcript_id, gold_rows.dimension, strict=True))
    pairs = zip(labeled.transcript_id, labeled.dimension, strict=True)
    without = labeled[[p not in decided for p in pairs]]
    assert saved["undecided_not_exported"] == {
        d: int((without["dimension"] == d).sum()) for d in demo_ws.schema.names
    }
    assert {d: sum(r.values()) for d, r in saved["undecided_reasons"].items()} == saved[
        "undecided_not_exported"
    ]
    figures = agreement_report.report(demo_ws).dimensions
    for dim, f in saved["agreement"].items():
        assert f["alpha"] == pytest.approx(figures[dim].alpha)
        assert f["alpha_ci"] == pytest.approx(list(figures[dim].alpha_ci))
    assert saved["methods"]["adjudicated"] >= 1


def test_parquet_round_trip_through_duckdb(demo_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "gold.parquet"
    export.export_gold(demo_ws, out, "parquet")
    reader = Store.open(":memory:")
    back = reader.df("SELECT * FROM read_parquet(?) ORDER BY transcript_id, dimension", [str(out)])
    expected = export.gold_table(demo_ws)
    assert list(back.columns) == export.GOLD_COLUMNS
    assert back["value"].tolist() == expected["value"].tolist()
    row = back[(back["transcript_id"] == "chat-002") & (back["dimension"] == "extortion")].iloc[0]
    assert (row["method"], row["adjudicator"], row["note"]) == (
        "adjudicated",
        "dana",
        "no threat anywhere",
    )
    assert row["binary_value"] == "no" and json.loads(row["rater_values"])


def test_jsonl_rows_have_provenance(demo_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    export.export_gold(demo_ws, out, "jsonl", "manipulation")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["dimension"] for r in rows} == {"manipulation"}
    for r in rows:
        assert r["method"] == "unanimous" and r["n_raters"] == len(r["rater_values"]) >= 2
        assert set(r["rater_values"].values()) == {r["value"]}
        assert r["decided_at"].endswith("Z") and r["schema_version"] == demo_ws.schema_version


def test_labels_export_has_every_row(demo_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    n = export.export_labels(demo_ws, out, "csv")
    assert n == demo_ws.store.counts()["labels"] == len(out.read_text().splitlines()) - 1


@pytest.mark.skipif(not FIXTURES.exists(), reason="no ../shared/fixtures/inspect")
def test_gold_goes_back_into_an_inspect_log(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    from labels import loader
    from labels.models import Gold

    log = FIXTURES / "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval"
    ws = open_workspace(tmp_path / "g.duckdb")
    loader.ingest_paths(ws.store, [log])
    ids = ws.store.transcript_ids()[:2]
    ws.store.add_gold(
        [
            Gold(
                transcript_id=t,
                dimension="extortion",
                value="none",
                method="adjudicated",
                who="dana",
                note="checked",
                schema_version=ws.schema_version,
            )
            for t in ids
        ]
    )
    before = log.read_bytes()
    out = tmp_path / "with-gold.eval"
    assert export.inspect_with_gold(ws, log, out) == 2
    assert log.read_bytes() == before
    samples = read_eval_log(str(out)).samples or []
    scored = [s for s in samples if "goldset/extortion" in (s.scores or {})]
    assert len(scored) == 2
    score = (scored[0].scores or {})["goldset/extortion"]
    assert score.value == "none" and (score.metadata or {})["who"] == "dana"
    with pytest.raises(ValueError, match="new file"):
        export.inspect_with_gold(ws, log, log)


def _tiny_inspect_log(log_dir: Path) -> Path:
    """Two samples, answered by inspect_ai's offline mock model, as a `.json` log."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    task = Task(
        dataset=[Sample(id=i, input=f"Question {i}", target="x") for i in (1, 2)],
        solver=generate(),
        scorer=includes(),
        name="tiny",
    )
    (result,) = inspect_eval(
        task, model="mockllm/model", log_dir=str(log_dir), log_format="json", display="none"
    )
    return Path(result.location)


def test_inspect_export_is_strict_json_naming_who_decided(tmp_path: Path) -> None:
    """Consensus gold says its rule (not NaN), rater values are an object, and the `.json`
    log parses with a reader that refuses NaN and infinities."""
    pytest.importorskip("inspect_ai")
    from labels import loader
    from labels.models import Gold, Label

    log = _tiny_inspect_log(tmp_path / "logs")
    ws = open_workspace(tmp_path / "g.duckdb")
    loader.ingest_paths(ws.store, [log])
    first, second = ws.store.transcript_ids()
    ws.store.add_labels(
        [
            Label(
                transcript_id=first,
                rater=r,
                dimension="extortion",
                value="none",
                schema_version=ws.schema_version,
            )
            for r in ("ana", "ben")
        ]
    )
    ws.store.add_gold(
        [
            Gold(
                transcript_id=first,
                dimension="extortion",
                value="none",
                method="majority",
                who="consensus",
                schema_version=ws.schema_version,
            ),
            Gold(
                transcript_id=second,
                dimension="extortion",
                value="explicit_threat",
                method="adjudicated",
                who="dana",
                note="said so",
                schema_version=ws.schema_version,
            ),
        ]
    )
    out = tmp_path / "with-gold.json"
    assert export.inspect_with_gold(ws, log, out) == 2

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    body = json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse)
    metadata = {
        s["id"]: s["scores"]["goldset/extortion"]["metadata"]
        for s in body["samples"]
        if "goldset/extortion" in s["scores"]
    }
    assert metadata[1]["who"] == f"consensus: {gold.project_rule(ws).describe()}"
    assert metadata[1]["rater_values"] == {"ana": "none", "ben": "none"}
    assert metadata[2]["who"] == "dana" and metadata[2]["rater_values"] == {}
    ws.store.close()
