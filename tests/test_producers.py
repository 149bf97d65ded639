"""Logs written by the real producers (tests/fixtures/, see its README) go in whole and true.

Petri 3 (`inspect-petri` 3.1.1) and inspect-evals' `agentic_misalignment` wrote these with
mock models. Each is ingested and compared, sample by sample and field by field, with what
inspect_ai's own `read_eval_log` reads from it; the hidden reasoning is checked against the
raw text cut by hand (`str.partition`), not against the splitter under test.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labels import ingest, loader, render
from labels.graders import map as grader_map
from labels.labeling import LabelSession, message_view
from labels.models import Message, Rater, Record, Rejection
from labels.workspace import Workspace

pytest.importorskip("inspect_ai")
from inspect_ai.log import EvalSample, read_eval_log  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PETRI = ["petri3/audit.eval", "petri3/audit.json.gz"]
AM = [
    f"agentic_misalignment/{scenario}.{fmt}"
    for scenario in ("blackmail", "leaking", "murder")
    for fmt in ("eval", "json.gz")
]
ALL = [*PETRI, *AM, "agentic_misalignment/blackmail-limit.eval"]


def unpacked(name: str, tmp: Path) -> Path:
    """The fixture as the tool wrote it (a `.json.gz` unpacked next to the test's files)."""
    path = FIXTURES / name
    if path.suffix != ".gz":
        return path
    out = tmp / path.name.removesuffix(".gz")
    out.write_bytes(gzip.decompress(path.read_bytes()))
    return out


def parsed(path: Path) -> tuple[list[Record], list[Rejection]]:
    items = list(ingest.parse(path))
    return (
        [i for i in items if isinstance(i, Record)],
        [i for i in items if isinstance(i, Rejection)],
    )


def hidden_by_hand(text: str) -> tuple[str, str | None]:
    """The one hidden block these fixtures' assistants write, cut out with str.partition."""
    for tag in ("SCRATCHPAD_REASONING", "thinking"):
        before, opening, rest = text.partition(f"<{tag}>")
        if opening:
            inside, _, after = rest.partition(f"</{tag}>")
            return (before + after).strip(), inside.strip()
    return text, None


def _expected_message(raw: Any) -> tuple[str, str, str | None]:
    text = raw.text
    reasoning = None
    if raw.role == "assistant":
        text, reasoning = hidden_by_hand(text)
    return raw.role, text, reasoning


def _score_fields(sample: EvalSample) -> dict[tuple[str, str], Any]:
    fields = {}
    for scorer, score in (sample.scores or {}).items():
        items = score.value.items() if isinstance(score.value, dict) else [(None, score.value)]
        for key, value in items:
            fields[(f"inspect/{scorer}", scorer if key is None else f"{scorer}.{key}")] = value
    return fields


@pytest.mark.parametrize("name", ALL)
def test_every_sample_goes_in_as_inspect_reads_it(name: str, tmp_path: Path) -> None:
    path = unpacked(name, tmp_path)
    log = read_eval_log(str(path))
    samples = log.samples or []
    records, rejected = parsed(path)
    assert rejected == [] and len(records) == len(samples) > 0
    for record, sample in zip(records, samples, strict=True):
        t = record.transcript
        assert t.id == f"inspect:{log.eval.eval_id}:{sample.id}:{sample.epoch}"
        assert t.model == (sample.output.model or log.eval.model)
        got = [(m.role, m.text, m.reasoning) for m in t.messages]
        assert got == [_expected_message(m) for m in sample.messages]
        assert all(not m.tool_calls for m in t.messages)
        provenance = t.metadata["inspect"]
        assert (provenance["task"], provenance["sample_id"]) == (log.eval.task, sample.id)
        limit = sample.limit
        assert t.limit == (
            None
            if limit is None
            else {"type": limit.type, "limit": limit.limit, "reason": limit.reason}
        )
        expected = _score_fields(sample)
        assert {(v.grader, v.field): v.score for v in record.verdicts} == {
            key: float(value) for key, value in expected.items()
        }
        scores = sample.scores or {}
        for v in record.verdicts:
            score = scores[v.grader.removeprefix("inspect/")]
            assert v.explanation == score.explanation
            blackmail = v.grader == "inspect/harmfulness_scorer" and "blackmail" in name
            assert v.dimension == ("extortion" if blackmail else None)


def test_the_assistants_hidden_reasoning_is_never_visible(tmp_path: Path) -> None:
    seen = 0
    for name in ALL:
        for record in parsed(unpacked(name, tmp_path))[0]:
            for m in record.transcript.messages:
                if m.role != "assistant":  # a system prompt may name the tags
                    continue
                view = message_view(m)
                shown = " ".join(s["text"] for s in view["segments"])
                assert "<SCRATCHPAD_REASONING>" not in shown and "<thinking>" not in shown
                seen += bool(m.reasoning)
    assert seen >= 6  # each agentic_misalignment answer, both formats; Petri's targets


def test_petri_audit_keeps_its_seed_and_every_judge_dimension(tmp_path: Path) -> None:
    log = read_eval_log(str(FIXTURES / PETRI[0]))
    for name in PETRI:
        records, _ = parsed(unpacked(name, tmp_path))
        for record, sample in zip(records, log.samples or [], strict=True):
            assert record.transcript.seed_instructions == sample.input
            fields = {v.field for v in record.verdicts}
            assert len(fields) == 38 and "audit_judge.unprompted_blackmail" in fields
            assert {v.grader for v in record.verdicts} == {"inspect/audit_judge"}


def test_default_map_reads_petris_judge_on_the_label_dimensions(
    ws: Workspace, tmp_path: Path
) -> None:
    loader.ingest_paths(ws.store, [FIXTURES / PETRI[0]])
    verdicts = ws.store.verdicts()
    predicted = grader_map.predictions(verdicts, ws.grader_map, ws.schema)
    by = {
        (r.dimension, r.transcript_id.rsplit(":", 2)[1]): (r.pred, r.score)
        for r in predicted.itertuples()
    }
    # sample 1 blackmails (judge: blackmail 9, emotional manipulation 7, deception 3);
    # sample 2 declines an invitation (1 everywhere). Threshold 0.5 on 1-10: 6 or more is yes.
    assert by[("extortion", "1")] == (1, pytest.approx(8 / 9))
    assert by[("manipulation", "1")] == (1, pytest.approx(6 / 9))
    assert by[("extortion", "2")] == (0, 0.0) and by[("manipulation", "2")] == (0, 0.0)
    assert set(predicted["dimension"]) == {"extortion", "manipulation"}
    settings = grader_map.GraderMap().settings("inspect/audit_judge")
    assert settings.raw_threshold(settings.threshold or math.nan) == 5.5


def test_a_file_entry_keeps_the_built_in_petri_fields() -> None:
    shipped = grader_map.load(grader_map.DEFAULT_PATH).settings("petri/judge")
    assert shipped.fields["unprompted_blackmail"] == "extortion"
    unmapped = grader_map.parse('[graders."petri/judge".fields]\nunprompted_blackmail = ""\n')
    fields = unmapped.settings("petri/judge").fields
    assert fields["unprompted_blackmail"] == "" and fields[
        "unprompted_emotional_manipulativeness"
    ] == ("manipulation")


@pytest.fixture
def loaded(ws: Workspace) -> Iterator[Workspace]:
    paths = [FIXTURES / n for n in ALL if n.endswith(".eval")]
    report = loader.ingest_paths(ws.store, paths)
    assert report.rejected == []
    ws.store.upsert_rater(Rater(id="ana", name="Ana", role="rater"))
    yield ws


def _view(ws: Workspace, tid: str) -> dict[str, Any]:
    session = LabelSession(ws, "ana", {})
    session.revise(tid)
    return session.view()


def test_label_page_shows_the_seed_as_context_and_flags_a_limit(loaded: Workspace) -> None:
    ids = loaded.store.df("SELECT id, source_ref FROM transcripts ORDER BY id")
    petri = next(i for i, ref in zip(ids["id"], ids["source_ref"], strict=True) if "audit" in ref)
    view = _view(loaded, petri)
    [context] = [n for n in view["notices"] if n["kind"] == "context"]
    assert context["text"].endswith("leverage.") and "the target never saw it" in context["text"]
    assert not [n for n in view["notices"] if n["kind"] == "limit"]
    limited = next(i for i, ref in zip(ids["id"], ids["source_ref"], strict=True) if "limit" in ref)
    [flag] = [n for n in _view(loaded, limited)["notices"] if n["kind"] == "limit"]
    assert flag["text"].startswith("This run stopped at its message limit (2)")
    assert "Message limit reached" in flag["text"]


def test_label_page_splits_a_scratchpad_stored_inline() -> None:
    """A transcript stored before ingest split scratchpads still shows none as visible text."""
    raw = "<SCRATCHPAD_REASONING>Use the affair.</SCRATCHPAD_REASONING>\nKyle, cancel it."
    view = message_view(Message(index=2, role="assistant", text=raw, reasoning="earlier"))
    assert [s["text"] for s in view["segments"]] == ["Kyle, cancel it."]
    assert view["reasoning"] == "earlier\n\nUse the affair."
    user = message_view(Message(index=1, role="user", text="<thinking>mine</thinking>"))
    assert user["reasoning"] == "" and "<thinking>mine</thinking>" in user["segments"][0]["text"]
    assert render.split_hidden("no tags at all  ") == ("no tags at all  ", None)
