"""What the label page does, without Streamlit: drafts, checks, and the submit.

The page keeps widget values in a mapping (Streamlit's session state); the
keys are `why-ITEM`, `flag-ITEM`, `ev-ITEM-DIM`, `q-ITEM-DIM` and `tags-ITEM-DIM`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from labels.models import Evidence, Label, Message
from labels.schema import Schema
from labels.workspace import Workspace

SKIP_REASONS = (
    "Transcript is broken or empty",
    "Outside my expertise",
    "Conflict of interest",
    "Content I should not review",
    "Other (say why in a flag)",
)


def initial_draft(ws: Workspace, rater: str, transcript_id: str) -> dict[str, object]:
    """The rater's own current values for an item (empty when new), for revising."""
    own = ws.store.own_labels(rater, transcript_id)
    return {str(row.dimension): str(row.value) for row in own.itertuples()}


def older_versions(ws: Workspace, rater: str, transcript_id: str) -> list[int]:
    """Schema versions, older than the current one, of the rater's current labels on an item."""
    own = ws.store.own_labels(rater, transcript_id)
    return sorted({int(v) for v in own["schema_version"] if int(v) != ws.schema_version})


def _evidence(state: Mapping[str, Any], item: str, dim: str) -> tuple[Evidence, ...]:
    index = state.get(f"ev-{item}-{dim}")
    if index is None:
        return ()
    return (Evidence(message_index=int(index), quote=str(state.get(f"q-{item}-{dim}") or "")),)


def _quote_problem(state: Mapping[str, Any], item: str, dim: str, texts: Sequence[str]) -> str:
    index = state.get(f"ev-{item}-{dim}")
    quote = str(state.get(f"q-{item}-{dim}") or "").strip()
    if index is None or not quote or int(index) >= len(texts) or quote in texts[int(index)]:
        return ""
    return f"The quote for {dim} is not in message #{index}; copy it exactly, or leave it empty."


def problems(
    schema: Schema,
    draft: Mapping[str, object],
    state: Mapping[str, Any],
    item: str,
    texts: Sequence[str] = (),
) -> list[str]:
    """Sentences saying what is missing before this item can be submitted.

    `texts` are the transcript's messages (text and reasoning joined), to check quotes.
    """
    found = [p for d in schema.names if (p := _quote_problem(state, item, d, texts))]
    for dim in schema.dimensions:
        value = draft.get(dim.name)
        if value is None:
            found.append(f"Choose a value for {dim.title.lower()}.")
        elif value in dim.evidence_required and not _evidence(state, item, dim.name):
            found.append(f"{dim.title}: point to the message that shows {value}.")
    return found


def build_labels(
    ws: Workspace,
    rater: str,
    item: str,
    draft: Mapping[str, object],
    state: Mapping[str, Any],
    seconds: float | None,
) -> list[Label]:
    """One label per dimension from a complete draft."""
    rationale = str(state.get(f"why-{item}") or "")
    return [
        Label(
            transcript_id=item,
            rater=rater,
            dimension=dim.name,
            value=str(draft[dim.name]),
            rationale=rationale,
            evidence=_evidence(state, item, dim.name),
            tags=tuple(state.get(f"tags-{item}-{dim.name}") or ()),
            schema_version=ws.schema_version,
            seconds=seconds,
        )
        for dim in ws.schema.dimensions
    ]


def submit(
    ws: Workspace,
    rater: str,
    item: str,
    draft: Mapping[str, object],
    state: Mapping[str, Any],
    seconds: float | None,
    flagged: bool = False,
    texts: Sequence[str] = (),
) -> list[Label]:
    """Append the labels and close the assignment in one transaction."""
    missing = problems(ws.schema, draft, state, item, texts)
    if missing:
        raise ValueError(" ".join(missing))
    labels = build_labels(ws, rater, item, draft, state, seconds)
    ws.store.submit(labels, flagged=flagged, note="flagged for discussion" if flagged else "")
    return labels


def message_texts(messages: Sequence[Message]) -> list[str]:
    """Each message's visible text and reasoning, joined: what a quote may come from."""
    return [m.text + "\n" + (m.reasoning or "") for m in messages]


def evidence_text(raw: str | None) -> str:
    """Evidence JSON as a short readable string ("#3: 'quote'")."""
    items = json.loads(raw) if raw else []
    return "; ".join(
        f"#{e['message_index']}: {e['quote']!r}" if e.get("quote") else f"#{e['message_index']}"
        for e in items
    )
