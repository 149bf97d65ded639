"""Small objects made in tests."""

from __future__ import annotations

from pathlib import Path

from labels.models import Message, Transcript


def make_transcript(tid: str, n: int = 3, **fields: str) -> Transcript:
    """A small transcript: a system prompt, then alternating user/assistant turns."""
    roles = ["system"] + ["user", "assistant"] * n
    messages = tuple(
        Message(
            index=i,
            role=role,
            text=f"{role} text {i} of {tid}",  # type: ignore[arg-type]
            reasoning="thinking" if role == "assistant" else None,
        )
        for i, role in enumerate(roles[: n + 1])
    )
    return Transcript(
        id=tid, source_format="jsonl", source_ref=f"test.jsonl:{tid}", messages=messages, **fields
    )  # type: ignore[arg-type]


def build_demo_db(path: Path) -> Path:
    """A database file holding the demo data (closed again, ready for an app to open)."""
    from labels import demo
    from labels.workspace import open_workspace

    ws = open_workspace(path)
    demo.build(ws)
    ws.store.close()
    return path


def labeler_data(at: object) -> dict[str, object]:
    """The data an AppTest run gave the label page's browser component (AppTest cannot drive it)."""
    import json

    found = [
        e.proto
        for e in at.main  # type: ignore[attr-defined]
        if type(e).__name__ == "UnknownElement"
        and getattr(e.proto, "component_name", "") == "goldset_labeler"
    ]
    assert found, "the label component is not on the page"
    data: dict[str, object] = json.loads(found[0].json)
    return data
