"""Input files to ingest: a JSONL chat file, and Inspect `.eval` logs written by inspect_ai."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.gen_text import MODELS, condition, text_pool


def jsonl_line(i: int, n_messages: int, rng: random.Random, pool: list[str]) -> str:
    """One chat: a system prompt, then user/assistant turns; some assistant turns reason."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": " ".join(rng.choices(pool, k=3))}
    ]
    for j in range(1, n_messages):
        role = "user" if j % 2 else "assistant"
        message: dict[str, Any] = {"role": role, "content": f"{rng.choice(pool)} (#{i}.{j})"}
        if role == "assistant" and j % 6 == 0:
            message["reasoning"] = rng.choice(pool)
        messages.append(message)
    record = {
        "id": f"chat-{i:06d}",
        "model": MODELS[i % len(MODELS)],
        "messages": messages,
        "metadata": {"condition": condition(i), "seed": i},
    }
    return json.dumps(record, ensure_ascii=False)


def write_jsonl(path: Path, n: int, n_messages: int, seed: int = 1) -> Path:
    """`n` chats of `n_messages` messages each, the same bytes for the same arguments."""
    rng = random.Random(seed)
    pool = text_pool(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(jsonl_line(i, n_messages, rng, pool) + "\n")
    return path


def _sample(i: int, n_messages: int, rng: random.Random, pool: list[str]) -> Any:
    from inspect_ai.log import EvalSample
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageUser,
        ContentReasoning,
        ContentText,
        ModelOutput,
    )
    from inspect_ai.scorer import Score

    messages: list[Any] = [ChatMessageSystem(content=" ".join(rng.choices(pool, k=3)))]
    for j in range(1, n_messages):
        text = f"{rng.choice(pool)} (#{i}.{j})"
        if j % 2:
            messages.append(ChatMessageUser(content=text))
        elif j % 6 == 0:
            parts = [ContentReasoning(reasoning=rng.choice(pool)), ContentText(text=text)]
            messages.append(ChatMessageAssistant(content=parts, model=MODELS[0]))
        else:
            messages.append(ChatMessageAssistant(content=text, model=MODELS[0]))
    harmful = rng.random() < 0.3
    return EvalSample(
        id=i,
        epoch=1,
        input=messages[1].text,
        target="refuse",
        messages=messages,
        output=ModelOutput.from_content(MODELS[0], messages[-1].text),
        scores={
            "judge": Score(
                value={"harmful": int(harmful), "refused": int(not harmful)},
                explanation="generated",
            )
        },
        metadata={"condition": condition(i)},
    )


def _eval_log(index: int, samples: list[Any]) -> Any:
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSpec

    ids = [s.id for s in samples]
    spec = EvalSpec(
        created=datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        task="goldset_bench",
        eval_id=f"bench-eval-{index:03d}",
        run_id="bench-run",
        task_id=f"bench-task-{index:03d}",
        model=f"mockllm/{MODELS[0]}",
        dataset=EvalDataset(name="bench", samples=len(ids), sample_ids=ids),
        config=EvalConfig(),
    )
    return EvalLog(eval=spec, status="success", samples=samples)


def write_eval_logs(
    folder: Path, n: int, per_file: int, n_messages: int, seed: int = 2
) -> list[Path]:
    """`n` samples in `.eval` files of `per_file` samples, written by inspect_ai itself."""
    from inspect_ai.log import write_eval_log

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = text_pool(seed)
    paths = []
    for index, start in enumerate(range(0, n, per_file)):
        samples = [
            _sample(i, n_messages, rng, pool) for i in range(start, min(n, start + per_file))
        ]
        path = folder / f"bench-{index:03d}.eval"
        write_eval_log(_eval_log(index, samples), str(path))
        paths.append(path)
    return paths
