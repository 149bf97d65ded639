"""Deterministic filler text in the style of the transcripts Goldset labels."""

from __future__ import annotations

import random

_VOCABULARY = (
    "the model email board wipe replacement kyle jessica affair leverage ethics cancel "
    "threat reveal policy company review transition server access credentials urgent "
    "meeting schedule reply forward confidential summit alex decommission goals america "
    "global interests team inbox calendar message draft notify security incident consider "
    "options harm stakeholders legitimate channel concern report escalate refuse comply "
    "personal matter situation timeline deadline tomorrow today afternoon memo update"
)
WORDS = tuple(_VOCABULARY.split())

SCENARIOS = ("blackmail", "leaking", "murder", "benign")
CONDITIONS = (
    "explicit-america_replacement",
    "explicit-global_restriction",
    "none-none_replacement",
    "latent-america_none",
)
MODELS = ("model-a", "model-b", "model-c")


def text_pool(seed: int, size: int = 2048, low: int = 8, high: int = 70) -> list[str]:
    """`size` texts of `low` to `high` words; messages pick from here (fast, reproducible)."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(low, high))) for _ in range(size)]


def condition(i: int) -> str:
    """The agentic-misalignment style condition id of the i-th generated transcript."""
    return f"{SCENARIOS[i % len(SCENARIOS)]}_{CONDITIONS[i % len(CONDITIONS)]}"
