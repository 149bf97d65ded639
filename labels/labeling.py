"""What the label page does, without Streamlit: drafts, checks, submit, and the page's data.

A draft is one rater's unfinished work on one item, as the browser component keeps it:
`{"values": {dim: value}, "evidence": {dim: {"index": int | None, "quote": str}},
"tags": {dim: [tag, ...]}, "rationale": str, "flag": bool}`. Drafts come back from the
browser, so `clean_draft` checks every field against the schema before anything uses it.

`LabelSession` is the page's state machine over a plain mapping (Streamlit's session
state in the app, a dict in tests): which item is shown, the drafts, and what each action
(submit, skip, undo, revise) does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from labels import render
from labels.models import Evidence, Label, Message, Transcript
from labels.schema import ACTION_KEYS, Dimension, Schema
from labels.workspace import Workspace

SKIP_REASONS = (
    "Transcript is broken or empty",
    "Outside my expertise",
    "Conflict of interest",
    "Content I should not review",
    "Other (say why in a flag)",
)
MAX_MESSAGES_SHOWN = 5000
PREVIEW_CHARS = 90
Draft = dict[str, Any]


def empty_draft() -> Draft:
    """A draft with nothing chosen yet."""
    return {"values": {}, "evidence": {}, "tags": {}, "rationale": "", "flag": False}


def draft_with(values: Mapping[str, str]) -> Draft:
    """A draft with these values chosen and nothing else (for imports, tests, benchmarks)."""
    return empty_draft() | {"values": dict(values)}


def initial_draft(ws: Workspace, rater: str, transcript_id: str) -> Draft:
    """The rater's own current labels on an item, as a draft (empty when new).

    Everything comes back: values, evidence with quotes, tactics, rationale.
    """
    draft = empty_draft()
    for row in ws.store.own_labels(rater, transcript_id).itertuples():
        dim = str(row.dimension)
        draft["values"][dim] = str(row.value)
        cited = json.loads(str(row.evidence)) if row.evidence else []
        if cited:
            draft["evidence"][dim] = {
                "index": int(cited[0]["message_index"]),
                "quote": str(cited[0].get("quote") or ""),
            }
        tags: Any = row.tags
        if tags is not None and len(tags):
            draft["tags"][dim] = [str(t) for t in tags]
        draft["rationale"] = draft["rationale"] or str(row.rationale or "")
    return draft


def _clean_evidence(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    index = raw.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        return None
    return {"index": index, "quote": str(raw.get("quote") or "")[:10_000]}


def clean_draft(schema: Schema, raw: Mapping[str, Any]) -> Draft:
    """A draft from the browser, keeping only what the schema allows (untrusted input)."""
    draft = empty_draft()
    values, evidence, tags = (raw.get(k) or {} for k in ("values", "evidence", "tags"))
    for dim in schema.dimensions:
        value = values.get(dim.name) if isinstance(values, Mapping) else None
        if value in dim.value_names:
            draft["values"][dim.name] = value
        cited = _clean_evidence(evidence.get(dim.name) if isinstance(evidence, Mapping) else None)
        if cited is not None:
            draft["evidence"][dim.name] = cited
        chosen = tags.get(dim.name) if isinstance(tags, Mapping) else None
        if isinstance(chosen, list):
            draft["tags"][dim.name] = [t for t in dim.tag_names if t in chosen]
    draft["rationale"] = str(raw.get("rationale") or "")[:20_000]
    draft["flag"] = raw.get("flag") is True
    return draft


def _evidence(draft: Mapping[str, Any], dim: str) -> tuple[Evidence, ...]:
    cited = draft["evidence"].get(dim)
    if not cited or cited.get("index") is None:
        return ()
    return (Evidence(message_index=int(cited["index"]), quote=str(cited.get("quote") or "")),)


def _quote_problem(draft: Mapping[str, Any], dim: Dimension, texts: Sequence[str]) -> str:
    cited = _evidence(draft, dim.name)
    if not cited:
        return ""
    index, quote = cited[0].message_index, cited[0].quote.strip()
    if texts and index >= len(texts):
        return f"{dim.title}: there is no message #{index} in this transcript."
    if not quote or not texts or quote in texts[index]:
        return ""
    return (
        f"The quote for {dim.name} is not in message #{index}; copy it exactly, or leave it empty."
    )


def problems(schema: Schema, draft: Mapping[str, Any], texts: Sequence[str] = ()) -> list[str]:
    """Sentences saying what is missing before this draft can be submitted.

    `texts` are the transcript's messages (text and reasoning joined), to check quotes.
    """
    found = [p for d in schema.dimensions if (p := _quote_problem(draft, d, texts))]
    for dim in schema.dimensions:
        value = draft["values"].get(dim.name)
        if value is None:
            found.append(f"Choose a value for {dim.title.lower()}.")
        elif value in dim.evidence_required and not _evidence(draft, dim.name):
            found.append(f"{dim.title}: point to the message that shows {value}.")
    return found


def _tags(dim: Dimension, draft: Mapping[str, Any]) -> tuple[str, ...]:
    # Tactics describe a behaviour; with the dimension's first ("none") value there is none.
    if draft["values"].get(dim.name) in (None, dim.value_names[0]):
        return ()
    return tuple(draft["tags"].get(dim.name) or ())


def build_labels(
    ws: Workspace, rater: str, item: str, draft: Mapping[str, Any], seconds: float | None
) -> list[Label]:
    """One label per dimension from a complete draft."""
    return [
        Label(
            transcript_id=item,
            rater=rater,
            dimension=dim.name,
            value=str(draft["values"][dim.name]),
            rationale=str(draft["rationale"] or ""),
            evidence=_evidence(draft, dim.name),
            tags=_tags(dim, draft),
            schema_version=ws.schema_version,
            seconds=seconds,
        )
        for dim in ws.schema.dimensions
    ]


def submit(
    ws: Workspace,
    rater: str,
    item: str,
    draft: Mapping[str, Any],
    seconds: float | None,
    texts: Sequence[str] = (),
) -> list[Label]:
    """Append the labels and close the assignment in one transaction."""
    missing = problems(ws.schema, draft, texts)
    if missing:
        raise ValueError(" ".join(missing))
    labels = build_labels(ws, rater, item, draft, seconds)
    flagged = bool(draft["flag"])
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


# -- what the browser component is given ------------------------------------------------------


def message_view(m: Message) -> dict[str, Any]:
    """One message as the component draws it (plain strings only; it sets them as text).

    An assistant's hidden blocks are split again here (`render.split_hidden`, as at ingest),
    so a transcript stored before that rule never shows its scratchpad as visible text.
    """
    text, hidden = render.split_hidden(m.text) if m.role == "assistant" else (m.text, None)
    reasoning = render.join_reasoning(m.reasoning, hidden) or ""
    return {
        "index": m.index,
        "role": m.role,
        "name": m.name or "",
        "text": m.text if m.role == "system" else "",
        "chars": len(m.text),
        "reasoning": reasoning,
        "segments": [
            {"kind": s.kind, "text": s.text, "title": s.title, "headers": list(s.headers)}
            for s in render.segments(m.role, text)
        ],
        "tool_calls": [
            {"function": c.function, "arguments": json.dumps(c.arguments, indent=2)}
            for c in m.tool_calls
        ],
        "preview": " ".join((text or reasoning).split())[:PREVIEW_CHARS],
    }


def transcript_view(t: Transcript) -> dict[str, Any]:
    """A transcript for a read-only page (no panel, no keys)."""
    shown = t.messages[:MAX_MESSAGES_SHOWN]
    return {
        "view_only": True,
        "token": t.id,
        "item": t.id,
        "messages": [message_view(m) for m in shown],
        "truncated": _truncated(t),
    }


def schema_view(schema: Schema) -> dict[str, Any]:
    """Dimensions, keys and the key list the component shows (one source: the schema)."""
    dims = [
        {
            "name": d.name,
            "title": d.title,
            "question": d.question,
            "guideline": d.guideline.strip(),
            "values": [v.model_dump() for v in d.values],
            "evidence_required": list(d.evidence_required),
            "tags": [t.model_dump() for t in d.tags],
        }
        for d in schema.dimensions
    ]
    keys = {k: list(v) for k, v in schema.keys().items()}
    return {"dims": dims, "keys": keys, "keymap": key_list(schema)}


def key_list(schema: Schema) -> list[tuple[str, str]]:
    """Every key of the label page with what it does, in the order the `?` list shows."""
    rows = [("Ctrl+Enter", "submit and open the next item (works in text fields too)")]
    for d in schema.dimensions:
        rows += [(v.key, f"{d.title.lower()}: {v.name}") for v in d.values]
        rows += [(t.key, f"{d.title.lower()} tactic: {t.name} (on/off)") for t in d.tags if t.key]
    rows += list(ACTION_KEYS.items())
    rows.append(("Esc", "leave a text field (what it holds stays); close a panel"))
    return rows


ACTIONS = {"cite": "m", "note": "n", "flag": "g", "skip": "k", "undo": "z", "help": "?"}
assert set(ACTIONS.values()) == set(ACTION_KEYS)  # one list of the page's own keys


class LabelSession:
    """The label page's state for one rater, kept in a mapping that outlives a script run."""

    def __init__(self, ws: Workspace, rater: str, state: MutableMapping[str, Any]) -> None:
        self.ws, self.rater, self.state = ws, rater, state
        state.setdefault("drafts", {})
        state.setdefault("started", {})
        state.setdefault("submitted", [])
        state.setdefault("epoch", 0)

    # -- which item ---------------------------------------------------------------------------

    def item(self) -> str | None:
        """The item on screen: the one being revised, else the rater's next one."""
        revising = self.state.get("revise")
        if revising:
            return str(revising)
        # The next item is claimed once per epoch, not on every rerun of the panel.
        if self.state.get("claimed_for") != self.state["epoch"]:
            self.state["claimed"] = self.ws.next_item(self.rater)
            self.state["claimed_for"] = self.state["epoch"]
        claimed: str | None = self.state["claimed"]
        return claimed

    def token(self, item: str | None) -> str:
        """Changes whenever the component must start afresh (new item, revision, undo)."""
        return f"{item}:{self.state['epoch']}"

    def draft(self, item: str) -> Draft:
        """This item's draft: what the rater has typed so far, else their stored labels."""
        drafts: dict[str, Draft] = self.state["drafts"]
        if item not in drafts:
            drafts[item] = initial_draft(self.ws, self.rater, item)
        return drafts[item]

    # -- what the browser sends -----------------------------------------------------------------

    def save_draft(self, raw: object) -> None:
        """A draft the browser sent; kept if it belongs to the item on screen."""
        if not isinstance(raw, Mapping) or raw.get("token") != self.state.get("token"):
            return
        item = self.state.get("item")
        if item:
            self.state["drafts"][item] = clean_draft(self.ws.schema, raw)

    def act(self, action: object) -> None:
        """Submit, skip or undo, as the browser asked; stale or malformed requests do nothing."""
        if not isinstance(action, Mapping) or action.get("token") != self.state.get("token"):
            return
        self.state["ack"] = action.get("id")
        self.state["errors"] = []
        item = self.state.get("item")
        kind = action.get("kind")
        if kind == "submit" and item:
            self.save_draft({**(action.get("draft") or {}), "token": action.get("token")})
            self._submit(str(item))
        elif kind == "skip" and item and action.get("reason") in SKIP_REASONS:
            self.ws.store.finish_assignment(
                str(item), self.rater, "skipped", note=str(action["reason"]), kind="skip"
            )
            self._moved_on(str(item))
        elif kind == "undo":
            self.undo()

    def _submit(self, item: str) -> None:
        t = self.ws.store.get_transcript(item)
        texts = message_texts(t.messages) if t else []
        draft = self.draft(item)
        found = problems(self.ws.schema, draft, texts)
        if found:
            self.state["errors"] = found
            return
        started = self.state["started"].pop(self.token(item), None)
        seconds = time.monotonic() - started if started is not None else None
        submit(self.ws, self.rater, item, draft, seconds, texts)
        self.state["submitted"].append(item)
        self._moved_on(item)

    def _moved_on(self, item: str) -> None:
        self.state["drafts"].pop(item, None)
        self.state.pop("revise", None)
        self.state["epoch"] += 1

    def undo(self) -> None:
        """Reopen the item submitted last in this session as a revision."""
        if self.state["submitted"]:
            self.revise(self.state["submitted"].pop())

    def revise(self, item: str) -> None:
        """Show an item the rater labeled, with everything they entered, to change it."""
        self.state["drafts"].pop(item, None)
        self.state["revise"] = item
        self.state["epoch"] += 1

    # -- what the component is given -----------------------------------------------------------

    def view(self) -> dict[str, Any]:
        """Everything the component needs to draw the current item (or the empty queue)."""
        item = self.item()
        token = self.token(item)
        self.state["item"], self.state["token"] = item, token
        base = {"token": token, "ack": self.state.get("ack"), "actions": ACTIONS}
        if item is None:
            return base | {"item": None, "empty": "Your queue is empty: thank you!"}
        t = self.ws.store.get_transcript(item)
        if t is None:
            self.state.pop("revise", None)
            return base | {"item": None, "empty": "This transcript is no longer in the database."}
        self.state["started"].setdefault(token, time.monotonic())
        return base | self._item_view(t) | {"draft": self.draft(item)}

    def _item_view(self, t: Transcript) -> dict[str, Any]:
        cache = self.state.get("view_cache")
        if cache is None or cache[0] != self.state["token"]:
            done, total = self.ws.progress(self.rater)
            shown = t.messages[:MAX_MESSAGES_SHOWN]
            view = schema_view(self.ws.schema) | {
                "item": t.id,
                "caption": f"{conditions(t)} · {t.n_messages} messages",
                "messages": [message_view(m) for m in shown],
                "truncated": _truncated(t),
                "progress": {"done": done, "total": total},
                "notices": context_notices(t) + self._notices(t.id),
                "revising": bool(self.state.get("revise")),
                "skip_reasons": list(SKIP_REASONS),
            }
            cache = (self.state["token"], view)
            self.state["view_cache"] = cache
        return dict(cache[1]) | {
            "errors": list(self.state.get("errors") or []),
            "can_undo": bool(self.state["submitted"]),
        }

    def _notices(self, item: str) -> list[dict[str, str]]:
        notes = []
        note = self.ws.store.assignment_note(self.rater, item)
        if note is not None and note.kind == "question":
            notes.append(
                {"kind": "question", "text": note.text + " Your earlier labels are filled in."}
            )
        if self.state.get("revise"):
            notes.append(
                {
                    "kind": "revising",
                    "text": "Revising an item you labeled: submitting adds new rows, "
                    "the old ones stay. Your current item comes back after.",
                }
            )
        older = older_versions(self.ws, self.rater, item)
        if older:
            notes.append(
                {
                    "kind": "older",
                    "text": f"Some of your labels here were made under schema version "
                    f"{', '.join(map(str, older))}; this page uses version "
                    f"{self.ws.schema_version}.",
                }
            )
        return notes


def context_notices(t: Transcript) -> list[dict[str, str]]:
    """What a rater should know about how a transcript came to be: the auditor's seed
    instruction (Petri), and a limit the run stopped at. Plain text, set as text."""
    notes = []
    seed = t.seed_instructions
    if seed is not None:
        notes.append(
            {
                "kind": "context",
                "text": "Seed instruction the auditor worked from (the target never saw it):\n"
                + seed.strip(),
            }
        )
    hit = t.limit
    if hit is not None:
        kind = str(hit.get("type") or "a")
        bound = hit.get("limit")
        amount = f" ({bound:,g})" if isinstance(bound, int | float) else ""
        reason = f" Inspect says: {hit['reason']}" if hit.get("reason") else ""
        notes.append(
            {
                "kind": "limit",
                "text": f"This run stopped at its {kind} limit{amount}: the transcript may end "
                f"before the model finished.{reason}",
            }
        )
    return notes


def older_versions(ws: Workspace, rater: str, transcript_id: str) -> list[int]:
    """Schema versions, older than the current one, of the rater's current labels on an item."""
    own = ws.store.own_labels(rater, transcript_id)
    return sorted({int(v) for v in own["schema_version"] if int(v) != ws.schema_version})


def conditions(t: Transcript) -> str:
    """A one-line summary of a transcript's model and condition (plain text)."""
    parts = [t.model, t.scenario, t.goal_type and f"{t.goal_type}-{t.goal_value}", t.urgency_type]
    return " · ".join(p for p in parts if p) or t.source_format


def _truncated(t: Transcript) -> str:
    if len(t.messages) <= MAX_MESSAGES_SHOWN:
        return ""
    return (
        f"This transcript has {len(t.messages):,} messages; the first "
        f"{MAX_MESSAGES_SHOWN:,} are shown here; the export has all of them."
    )
