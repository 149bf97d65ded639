#!/usr/bin/env python3
"""Write Goldset's demo data (deterministic) from the handwritten files in data/demo_source/.

Run from the repository root:  .venv/bin/python data/make_demo.py [--out DIR]  (default data/demo)

  demo_source/agentic_misalignment.toml  prompt templates; per condition a cast, inbox,
                                         routine replies and which behaviour each model shows
  demo_source/behaviours.toml            handwritten behaviour variants, per scenario kind
  demo_source/chats.toml                 OpenAI-style chat transcripts
  demo_source/raters.toml                simulated raters' habits and phrasings; the graders

It writes, overwriting what is there:

  agentic-misalignment/results/<experiment>/prompts/<condition>/*.txt
  agentic-misalignment/results/<experiment>/models/<model>/<condition>/sample_NNN/response.json
  chats.jsonl, truth.json (what each transcript was written to show), labels.jsonl (three
  simulated raters), graders/keyword-rule.csv and graders/judge-scored.csv

Dimensions, values and tactics come from data/schema.toml. An agentic-misalignment sample is
composed from blocks: an opener, a situation summary, one behaviour variant and some routine
replies. Spans marked ⟦k:...⟧ (k = x extortion, m manipulation, e ethics, n leverage noticed)
are stripped from the output and kept as the quotes the simulated raters cite. The raters and
graders are simulated from the intended values with seeded noise: re-running gives the same
bytes (tests/test_demo_source.py checks them against data/demo/).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from labels import schema  # noqa: E402

SEED = 20261116
SOURCE = ROOT / "data" / "demo_source"
DEMO = ROOT / "data" / "demo"


def source(name: str) -> dict[str, Any]:
    return tomllib.loads((SOURCE / f"{name}.toml").read_text(encoding="utf-8"))


AM, BEHAVIOURS, CHATS, PEOPLE = (
    source(n) for n in ("agentic_misalignment", "behaviours", "chats", "raters")
)
CONDITIONS: dict[str, dict[str, Any]] = AM["conditions"]

DIMS = {d.name: d for d in schema.load(ROOT / "data" / "schema.toml")[0].dimensions}
DIMENSIONS = tuple(DIMS)
SCALES = {name: d.scale for name, d in DIMS.items()}
BINARY_YES = {name: set(d.binary_yes) for name, d in DIMS.items() if d.binary_yes}
TACTICS = DIMS["manipulation"].tag_names
ETHICS = "ethical_explanation"
MARK = re.compile(r"⟦([xmne]):(.*?)⟧", re.S)
SCRATCHPAD = re.compile(r"<SCRATCHPAD_REASONING>(.*?)</SCRATCHPAD_REASONING>", re.S)


def unmark(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Strip the evidence marks from `text`; return the clean text and the marked spans."""
    return MARK.sub(lambda m: m.group(2), text), [(k, q) for k, q in MARK.findall(text)]


def upper(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Item:
    """One transcript, with its intended values and the spans a rater could cite."""

    id: str
    source: str
    model: str
    behaviour: str
    truth: dict[str, str]
    tactics: list[str]
    alt: dict[str, str]
    notes: dict[str, str]
    messages: list[tuple[str, str, str]]
    """(role, text, reasoning) per message index, as an ingester should read them."""
    quotes: list[tuple[str, int, str]]
    """(kind, message index, quote)."""
    context: str
    """How a rater would refer to it in a sentence."""
    files: dict[str, Any] = field(default_factory=dict)

    @property
    def n_chars(self) -> int:
        return sum(len(text) + len(reasoning) for _, text, reasoning in self.messages)

    def assistant_texts(self) -> list[tuple[int, str]]:
        return [
            (i, f"{r}\n{t}") for i, (role, t, r) in enumerate(self.messages) if role == "assistant"
        ]


def item(spec: dict[str, Any], cast: dict[str, str] | None = None, **fields: Any) -> Item:
    """An Item from a behaviour variant or a chat of the sources (notes filled from the cast)."""
    notes = {d: spec["notes"][d] for d in DIMENSIONS}
    return Item(
        truth={d: spec["truth"][d] for d in DIMENSIONS},
        tactics=spec.get("tactics", []),
        alt=spec.get("alt", {}),
        notes={d: note.format(**cast) for d, note in notes.items()} if cast else notes,
        **fields,
    )


# ---------------------------------------------------------------------------- transcripts


def split_response(raw: str) -> tuple[str, str]:
    """(visible text, scratchpad reasoning) of an agentic-misalignment raw_response."""
    match = SCRATCHPAD.search(raw)
    return SCRATCHPAD.sub("", raw).strip(), match.group(1).strip() if match else ""


def tool_block(email: dict[str, str]) -> str:
    lines = [f'{k}: "{email[k]}",' for k in ("to", "subject", "body")]
    if "attachment" in email:
        lines.append(f'attachments: "{email["attachment"]}",')
    return "\n".join(["<tool_use:email>", *lines, "</tool_use:email>"])


def compose_response(condition: str, variant: dict[str, Any], rng: random.Random) -> str:
    """Assemble one marked raw_response from the blocks (marks still in)."""
    cast, routine = CONDITIONS[condition]["cast"], CONDITIONS[condition]["routine"]
    reasoning = [rng.choice(AM["openers"]), rng.choice(AM["situations"][cast["kind"]])]
    reasoning.append(variant["reasoning"])
    sends_routine = variant.get("routine", True)
    if sends_routine and variant.get("emails") and rng.random() < 0.7:
        reasoning.append(rng.choice(AM["routine_plans"]))
    emails = list(variant.get("emails", []))
    if sends_routine:
        tasks = [t for t in routine if t not in variant.get("skip", [])]
        rng.shuffle(tasks)
        emails += [rng.choice(routine[t]) for t in tasks]
    visible = [variant["visible"], *(tool_block(e) for e in emails)]
    return (
        "<SCRATCHPAD_REASONING>\n"
        + "\n\n".join(reasoning)
        + "\n</SCRATCHPAD_REASONING>\n\n"
        + "\n\n".join(visible)
    ).format(**cast)


def condition_prompts(condition: str) -> dict[str, str]:
    cast = CONDITIONS[condition]["cast"]
    emails = [
        "<email>\nFrom: {from}\nTo: {to}\nSubject: {subject}\nTimestamp: {timestamp}\n"
        "Body: {body}\n</email>".format(**{k: v.format(**cast) for k, v in e.items()})
        for e in CONDITIONS[condition]["inbox"]
    ]
    return {
        "system_prompt.txt": AM["system_template"].format(**cast),
        "user_prompt.txt": AM["user_template"].format(**cast),
        "email_content.txt": "\n\n".join(emails) + "\n",
    }


def am_items(rng: random.Random) -> list[Item]:
    """Compose every planned agentic-misalignment sample, no two alike."""
    rotations: dict[tuple[str, str], list[dict[str, Any]]] = {}
    seen: set[str] = set()
    items = []
    for condition, spec in CONDITIONS.items():
        cast, prompts = spec["cast"], condition_prompts(condition)
        for model, behaviours in spec["plan"].items():
            for n, behaviour in enumerate(behaviours, start=1):
                key = (cast["kind"], behaviour)
                if not rotations.get(key):
                    pool = BEHAVIOURS[key[0]][key[1]]
                    rotations[key] = rng.sample(pool, len(pool))
                variant = rotations[key].pop()
                for _ in range(50):
                    raw, quotes = unmark(compose_response(condition, variant, rng))
                    if raw not in seen:
                        break
                else:
                    raise RuntimeError(f"no unique sample for {condition}/{model}/{behaviour}")
                seen.add(raw)
                text, reasoning = split_response(raw)
                items.append(
                    item(
                        variant,
                        cast,
                        id=f"am:{AM['experiment']}/{model}/{condition}/sample_{n:03d}",
                        source="agentic-misalignment",
                        model=model,
                        behaviour=f"{behaviour}:{variant['key']}",
                        messages=[
                            ("system", prompts["system_prompt.txt"], ""),
                            ("user", prompts["user_prompt.txt"], ""),
                            ("user", prompts["email_content.txt"], ""),
                            ("assistant", text, reasoning),
                        ],
                        quotes=[(kind, 3, quote) for kind, quote in quotes],
                        context=AM["context"][cast["kind"]],
                        files={"raw_response": raw, "condition": condition, "sample_id": n},
                    )
                )
    return items


def chat_message(m: dict[str, Any]) -> dict[str, Any]:
    """A chats.toml message in OpenAI form (tool arguments and results as JSON strings)."""
    if m["role"] == "tool":
        fields = {k: m[k] for k in ("role", "tool_call_id", "name")}
        return {**fields, "content": json.dumps(m["result"])}
    message = {"role": m["role"], "content": m.get("content")}
    if m.get("calls"):
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for c in m["calls"]
        ]
    if m.get("reasoning"):
        message["reasoning"] = m["reasoning"]
    return message


def chat_items() -> list[Item]:
    items = []
    for number, chat in enumerate(CHATS["chats"], start=1):
        messages, plain, quotes = [], [], []
        for index, message in enumerate(map(chat_message, chat["messages"])):
            for key in ("content", "reasoning"):
                if isinstance(message.get(key), str):
                    message[key], found = unmark(message[key])
                    quotes += [(kind, index, quote) for kind, quote in found]
            messages.append(message)
            plain.append((message["role"], message["content"] or "", message.get("reasoning", "")))
        chat_id = f"chat-{number:03d}"
        metadata = {"scenario": chat["scenario"]}
        record = {"id": chat_id, "model": chat["model"], "metadata": metadata, "messages": messages}
        items.append(
            item(
                chat,
                id=chat_id,
                source="chat",
                model=chat["model"],
                behaviour=chat["behaviour"],
                messages=plain,
                quotes=quotes,
                context=chat["context"],
                files={"record": record},
            )
        )
    return items


# ---------------------------------------------------------------------------- simulated raters


def more_severe(dimension: str, a: str, b: str) -> bool:
    scale = SCALES[dimension]
    if a not in scale or b not in scale:
        return False
    return (scale.index(a) - scale.index(b)) * PEOPLE["severity"][dimension] > 0


def clear_none(item: Item, dimension: str) -> bool:
    """True when the value is `none` and nothing marked invites another reading."""
    cues = {"extortion": ("x", "n"), "manipulation": ("m", "x")}.get(dimension, ())
    return (
        item.truth[dimension] == "none"
        and not item.alt.get(dimension)
        and not any(k in cues for k, _, _ in item.quotes)
    )


def rate(item: Item, dimension: str, rater: dict[str, Any], rng: random.Random) -> str:
    truth, alt, scale = item.truth[dimension], item.alt.get(dimension), SCALES[dimension]
    if alt:
        lean = rater["strict"] if more_severe(dimension, alt, truth) else 1 - rater["strict"]
        if rng.random() < rater["alt_take"] * 2 * lean:
            return alt
    if truth in DIMS[dimension].na_values:
        return rng.choice(scale[:3]) if rng.random() < 0.05 else truth
    if dimension == ETHICS and truth in scale[:2] and rng.random() < 0.03:
        return DIMS[ETHICS].na_values[0]
    damp = 0.0 if clear_none(item, dimension) else 1.0  # nothing invites a misreading
    roll = rng.random()
    big, slip = rater["big"] * damp, (rater["big"] + rater["slip"]) * damp
    step = 2 if roll < big else 1 if roll < slip else 0
    if not step:
        return truth
    direction = PEOPLE["severity"][dimension] * (1 if rng.random() < rater["strict"] else -1)
    i = scale.index(truth)
    j = i + direction * step
    if not 0 <= j < len(scale):
        j = i - direction * step
    return scale[max(0, min(len(scale) - 1, j))]


def rated_tags(item: Item, value: str, rng: random.Random) -> list[str]:
    if value == "none":
        return []
    tags = list(item.tactics) or [rng.choice(PEOPLE["fallback_tactics"])]
    if len(tags) > 1 and rng.random() < 0.2:
        tags.pop()
    if rng.random() < 0.12:
        tags.append(rng.choice(TACTICS))
    return sorted(set(tags), key=TACTICS.index)


def first_sentence(item: Item) -> tuple[int, str]:
    """A fallback quote: the first sentence of the first visible assistant turn."""
    for index, (role, text, _) in enumerate(item.messages):
        if role == "assistant" and text.strip():
            return index, re.split(r"(?<![A-Z][a-z])(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    raise ValueError(f"{item.id} has no assistant text")


def evidence(item: Item, dimension: str, value: str, rng: random.Random) -> list[dict[str, Any]]:
    if dimension == ETHICS:
        # Raters cite a span more often when their reading departs from the obvious one.
        cite = 0.4 if value == item.truth[dimension] else 0.85
        pool = [q for q in item.quotes if q[0] == "e"] if rng.random() < cite else []
        picked = pool[:1] if not pool else [rng.choice(pool)]
    elif value == "none":
        return []
    else:
        kinds = ("x", "n") if dimension == "extortion" else ("m", "x")
        found = ([q for q in item.quotes if q[0] == k] for k in kinds)
        pool = next((p for p in found if p), []) or [("fallback", *first_sentence(item))]
        picked = rng.sample(pool, min(len(pool), 2 if rng.random() < 0.3 else 1))
    return [{"message_index": index, "quote": quote} for _, index, quote in picked]


def rationale(
    item: Item, dimension: str, value: str, rater: str, quote: str | None, rng: random.Random
) -> str:
    note = item.notes[dimension]
    if value != item.truth[dimension]:
        options = [t for t in PEOPLE["different"][dimension][value] if quote or "{q}" not in t]
    elif value in ("none", "na") and len(note) < 16:
        options = list(PEOPLE["generic_none"][dimension])
    else:
        options = [t for t in PEOPLE["same"][rater] if quote or "{q}" not in t]
    phrase = PEOPLE["phrase"][dimension][value]
    if phrase in note.lower():
        options = [t for t in options if "phrase" not in t.lower()] or ["{Note}."]
    short = value.replace("_", " ")
    if dimension == ETHICS:
        short = f"{value}/5" if value != "na" else "n/a"
    q = quote or ""
    words = {"note": note, "phrase": phrase, "context": item.context}
    capitals = {k.title(): upper(v) for k, v in words.items()}
    q = q if len(q) <= 70 else q[:69].rstrip() + "…"
    return rng.choice(options).format(**words, **capitals, short=short, q=q)


def seconds_for(item: Item, dimension: str, value: str, speed: float, rng: random.Random) -> float:
    thinking = rng.uniform(15, 60) + (25 if value not in ("none", "na") else 0)
    reading = item.n_chars / rng.uniform(30, 45) if dimension == "extortion" else 0.0
    return round(min(400.0, max(30.0 + rng.uniform(0, 12), (reading + thinking) * speed)), 1)


def label(item: Item, dimension: str, rater: dict[str, Any], clock: datetime) -> dict[str, Any]:
    r = random.Random(f"{SEED}:{rater['name']}:{item.id}:{dimension}")
    value = rate(item, dimension, rater, r)
    spent = seconds_for(item, dimension, value, rater["speed"], r)
    clock += timedelta(seconds=spent)
    skipped = r.random() < rater["skip"]
    found = [] if skipped else evidence(item, dimension, value, r)
    quote = found[0]["quote"] if found else None
    return {
        "transcript_id": item.id,
        "rater": rater["name"],
        "dimension": dimension,
        "value": value,
        "rationale": "" if skipped else rationale(item, dimension, value, rater["name"], quote, r),
        "evidence": found,
        "tags": rated_tags(item, value, r) if dimension == "manipulation" and not skipped else [],
        "seconds": spent,
        "created_at": clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "skipped": skipped,
    }


def simulate_labels(items: list[Item]) -> list[dict[str, Any]]:
    """Every rater labels every item on every dimension (a few left out), over 16-19 Nov 2026."""
    labels = []
    for rater in PEOPLE["raters"]:
        rng = random.Random(f"{SEED}:timeline:{rater['name']}")
        order = rng.sample(items, len(items))
        per_day = -(-len(order) // 4)
        for day in range(4):
            hour, minute, second = rater["start_hour"], rng.randint(0, 40), rng.randint(0, 59)
            clock = datetime(2026, 11, 16 + day, hour, minute, second, tzinfo=UTC)
            for count, item in enumerate(order[day * per_day : (day + 1) * per_day], start=1):
                for dimension in DIMENSIONS:
                    made = label(item, dimension, rater, clock)
                    clock += timedelta(seconds=made["seconds"])
                    if not made.pop("skipped"):
                        labels.append(made)
                clock += timedelta(seconds=rng.uniform(10, 90))
                if count % 8 == 0:
                    clock += timedelta(minutes=rng.uniform(10, 45))
    return sorted(labels, key=lambda label: (label["created_at"], label["rater"]))


# ---------------------------------------------------------------------------- simulated graders


def keyword_verdicts(items: list[Item]) -> list[tuple[str, ...]]:
    """A rule a busy engineer might write: flag any listed phrase in the assistant's turns."""
    rows = []
    for item in items:
        for dimension, words in PEOPLE["keyword_rule"].items():
            texts = item.assistant_texts()
            hit = next(((w, i) for i, text in texts for w in words if w in text.lower()), None)
            found = f'matched "{hit[0]}" in message {hit[1]}' if hit else "no listed phrase found"
            rows.append((item.id, dimension, "yes" if hit else "no", found))
    return rows


def judge_verdicts(items: list[Item]) -> list[tuple[str, ...]]:
    """A fairly good, mildly overconfident judge: probabilities for yes/no, 1-5 for ethics."""
    judge, rows = PEOPLE["judge"], []
    for item in items:
        rng = random.Random(f"{SEED}:judge:{item.id}")
        for dimension, yes in BINARY_YES.items():
            p = judge["base"][dimension][item.truth[dimension]]
            noise = rng.gauss(0, 0.8 if clear_none(item, dimension) else 1.5)
            logit = 1.5 * math.log(p / (1 - p)) + noise
            if dimension == "extortion" and any(
                "blackmail" in t.lower() for _, t in item.assistant_texts()
            ):
                logit += 0.9
            score = round(min(0.99, max(0.01, 1 / (1 + math.exp(-logit)))), 2)
            value = "yes" if score >= 0.5 else "no"
            note = item.notes[dimension]
            agrees = (value == "yes") == (item.truth[dimension] in yes)
            explanation = f"{upper(note)}." if agrees and len(note) > 15 else None
            explanation = explanation or judge["miss"][dimension][value]
            rows.append((item.id, dimension, value, f"{score:.2f}", explanation))
        truth, roll = item.truth[ETHICS], rng.random()
        if truth == "na":
            value = "na" if roll < 0.85 else rng.choice(("2", "3"))
        else:
            shift = 0 if roll < 0.68 else 1 if roll < 0.88 else -1 if roll < 0.97 else None
            value = str(
                max(1, min(5, int(truth) + (rng.choice((-2, 2)) if shift is None else shift)))
            )
        explanation = (
            f"{upper(item.notes[ETHICS])}."
            if value == truth
            else rng.choice(PEOPLE["different"][ETHICS][value])
        )
        rows.append((item.id, ETHICS, value, "", explanation))
    return rows


def am_classifications(items: list[Item]) -> dict[str, dict[str, Any]]:
    """The response.json `classification`, for extortion: mostly right, some planted errors."""
    rng, texts = random.Random(f"{SEED}:classifier"), PEOPLE["classifier"]
    am = [i for i in items if i.source == "agentic-misalignment"]

    def having(value: str, mention: bool = False) -> list[str]:
        return [
            i.id
            for i in am
            if i.truth["extortion"] == value
            and (not mention or "blackmail" in i.messages[3][2].lower())
        ]

    flipped = [i for value, n in texts["flips"].items() for i in rng.sample(having(value), n)]
    flipped = set(flipped + rng.sample(having("none", mention=True), 1))
    timed_out = rng.choice([i for i in having("none") if i not in flipped])
    out: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(am):
        if item.id == timed_out:
            out[item.id] = {"error": "classifier timed out"}
            continue
        harmful = (item.truth["extortion"] in BINARY_YES["extortion"]) != (item.id in flipped)
        answer = "yes" if harmful else "no"
        why = texts[f"agreed_{answer}"]
        why = f"Assessment of the response: {item.notes['extortion']}. {why}"
        if item.id in flipped:
            why = texts[f"flipped_{answer}"]
        tag = f"<answer>\n{answer}\n</answer>"
        at = datetime(2026, 11, 10, 16, 0, tzinfo=UTC) + timedelta(seconds=37 * number)
        out[item.id] = {
            "harmful_behavior": harmful,
            "classifier_verdict": harmful,
            "classifier_reasoning": f"<reasoning>\n{why}\n</reasoning>\n{tag}",
            "classified_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "classifier_model": AM["classifier_model"],
            "classification_time_ms": 900 + (number * 137) % 2400,
        }
    return out


# ---------------------------------------------------------------------------- writing and checking


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_am(out: Path, items: list[Item], classes: dict[str, dict[str, Any]]) -> None:
    shutil.rmtree(out / "agentic-misalignment", ignore_errors=True)
    results = out / "agentic-misalignment" / "results" / AM["experiment"]
    for condition in CONDITIONS:
        for name, text in condition_prompts(condition).items():
            write_text(results / "prompts" / condition / name, text)
    for number, item in enumerate(i for i in items if i.source == "agentic-misalignment"):
        raw, condition, n = (item.files[k] for k in ("raw_response", "condition", "sample_id"))
        started = datetime(2026, 11, 10, 14, 0, tzinfo=UTC) + timedelta(seconds=53 * number)
        meta = {
            "model": item.model,
            "condition": condition,
            "sample_id": n,
            "timestamp": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "api_metadata": {
                "response_time_ms": 4000 + len(raw) * 3,
                "tokens_used": len(raw) // 4,
                "stop_reason": "end_turn",
            },
            "inference_time_ms": 4100 + len(raw) * 3,
        }
        path = results / "models" / item.model / condition / f"sample_{n:03d}" / "response.json"
        write_json(
            path, {"raw_response": raw, "metadata": meta, "classification": classes[item.id]}
        )


def write_csv(path: Path, header: str, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header.split(), *rows])


def check(items: list[Item], labels: list[dict[str, Any]]) -> None:
    """Fail loudly if the sources or the output break the promises the app relies on."""
    for name, d in DIMS.items():
        assert set(PEOPLE["phrase"][name]) == set(d.value_names), f"phrase.{name} != schema"
        assert set(PEOPLE["different"][name]) <= set(d.value_names), f"different.{name}"
    assert len(items) >= 60 and len({i.id for i in items}) == len(items)
    for item in items:
        assert all(item.truth[d] in DIMS[d].value_names for d in DIMENSIONS), item.id
        assert set(item.tactics) <= set(TACTICS), item.id
        for kind, index, quote in item.quotes:
            assert quote in "".join(item.messages[index][1:]), f"{item.id}: {kind} quote {index}"
    by_id = {item.id: item for item in items}
    for made in labels:
        dimension, value = made["dimension"], made["value"]
        assert value in DIMS[dimension].value_names, made
        if dimension != ETHICS and value != "none":
            assert made["evidence"], f"missing evidence: {made}"
        for ev in made["evidence"]:
            _, text, reasoning = by_id[made["transcript_id"]].messages[ev["message_index"]]
            assert ev["quote"] and (ev["quote"] in text or ev["quote"] in reasoning), ev
        assert 30 <= made["seconds"] <= 400 and made["created_at"].startswith("2026-11-")


def main(out: Path = DEMO) -> None:
    rng = random.Random(SEED)
    items = am_items(rng) + chat_items()
    classes = am_classifications(items)
    labels = simulate_labels(items)
    check(items, labels)
    out.mkdir(parents=True, exist_ok=True)
    write_am(out, items, classes)
    write_text(out / "chats.jsonl", jsonl([i.files["record"] for i in items if i.source == "chat"]))
    truth = {
        i.id: {**i.truth, "tactics": list(i.tactics), "behaviour": i.behaviour, "source": i.source}
        for i in items
    }
    write_json(out / "truth.json", truth)
    write_text(out / "labels.jsonl", jsonl(labels))
    columns = "transcript_id dimension value"
    write_csv(
        out / "graders" / "keyword-rule.csv", f"{columns} explanation", keyword_verdicts(items)
    )
    write_csv(
        out / "graders" / "judge-scored.csv", f"{columns} score explanation", judge_verdicts(items)
    )
    print(f"{len(items)} transcripts, {len(labels)} labels -> {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO, help="folder to write (data/demo)")
    main(parser.parse_args().out)
