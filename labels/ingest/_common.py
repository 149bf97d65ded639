"""Helpers the source readers share: content ids, JSON safety, condition fields, reasons."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from labels.models import CONDITION_FIELDS

from .limits import MAX_DEPTH

HASH_HEX = 24
"""Hex digits kept from a SHA-256 (96 bits: collisions are not a practical concern)."""

MAX_REASON = 300


class BadRecord(ValueError):
    """One record cannot be read; the message is the sentence a person reads."""

    def __init__(self, reason: str, where: str | None = None) -> None:
        self.where = where
        super().__init__(reason)


def canonical_json(obj: Any) -> str:
    """The one text form of a JSON value that content ids are computed from."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_id(obj: Any, prefix: str = "sha256:") -> str:
    """A stable id from the canonical JSON of `obj` (same content, same id)."""
    data = canonical_json(obj).encode("utf-8", "surrogatepass")
    return prefix + hashlib.sha256(data).hexdigest()[:HASH_HEX]


UNEXPECTED = "could not be read (unexpected"
"""How the reason for an error no reader foresaw begins (the fuzz tests look for it)."""
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A JSON escape of a UTF-16 surrogate; a lone one decodes to text that UTF-8 cannot hold."""
SURROGATE_REASON = "the JSON holds an unpaired surrogate escape (\\ud800-\\udfff)"


def unexpected(exc: BaseException) -> str:
    """The reason for an error a reader did not foresee: one record fails, nothing crashes."""
    return f"{UNEXPECTED} {type(exc).__name__}: {one_line(exc, 200)})"


def json_safe(value: Any) -> Any:
    """`value` as plain JSON data: unknown objects become text.

    A BadRecord when it nests deeper than MAX_DEPTH, holds text UTF-8 cannot
    encode (a lone surrogate), or a number JSON cannot hold (NaN, an infinity,
    or `1e999`, which reads as one): none could be stored as it is, and a null
    in its place would change the data without a word.
    """
    check_depth(value)
    check_finite(value)
    text = json.dumps(value, default=str, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRecord(SURROGATE_REASON) from None
    return json.loads(text, parse_constant=lambda _: None)


def check_finite(value: Any) -> None:
    """A BadRecord naming where `value` holds NaN or an infinity (level by level)."""
    level: list[tuple[str, Any]] = [("", value)]
    while level:
        deeper: list[tuple[str, Any]] = []
        for where, node in level:
            if isinstance(node, float) and not math.isfinite(node):
                place = f" at {where}" if where else ""
                raise BadRecord(
                    f"the number{place} is {node} (NaN, an infinity, or too big, like 1e999), "
                    "which JSON cannot hold; write it as a string to keep it"
                )
            if isinstance(node, dict):
                deeper += [(f"{where}.{k}" if where else str(k), v) for k, v in node.items()]
            elif isinstance(node, list | tuple):
                deeper += [(f"{where}[{i}]", v) for i, v in enumerate(node)]
        level = deeper


def check_text(raw: bytes, obj: Any) -> None:
    """A BadRecord when JSON decoded from `raw` holds a lone surrogate (fast path: no escape)."""
    if SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadRecord(SURROGATE_REASON) from None


def depth_over(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether objects and lists in `value` nest more than `limit` levels (level by level)."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def check_depth(value: Any) -> None:
    """A BadRecord when `value` nests deeper than MAX_DEPTH."""
    if isinstance(value, dict | list) and depth_over(value):
        raise BadRecord(f"the JSON nests deeper than {MAX_DEPTH} levels")


def readable(text: str) -> str:
    """`text` with anything UTF-8 cannot hold (undecodable file-name bytes) shown as U+FFFD."""
    try:
        data = text.encode("utf-8", "surrogateescape")  # a file name's own bytes
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    return data.decode("utf-8", "replace")


def check_id(value: str, what: str = '"id"') -> str:
    """`value` as a transcript id, or a BadRecord when it could not be used as one."""
    if "\x00" in value:
        raise BadRecord(f"{what} contains a NUL character")
    return value


def finite(value: Any) -> float | None:
    """A JSON number as a float; None for booleans, non-numbers, NaN, infinities and overflow."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def a_kind(value: Any) -> str:
    """The JSON kind of `value` with its article: "an object", "a list", "a number"..."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), f"a {type(value).__name__}")


def one_line(text: object, limit: int = MAX_REASON) -> str:
    """The first line of a message, shortened, for a one-line reason."""
    lines = str(text).strip().splitlines()
    line = lines[0] if lines else type(text).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"


def validation_reason(exc: ValidationError) -> str:
    """A short sentence from a pydantic error (first problem only)."""
    first = exc.errors()[0]
    place = ".".join(str(p) for p in first.get("loc", ()))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return one_line(f"{place}: {message}" if place else message)


def split_condition(condition_id: str) -> dict[str, str]:
    """Split `<scenario>_<goal_type>-<goal_value>_<urgency_type>`; {} when it does not fit.

    The urgency is after the last `_`, the goal after the `_` before it (so a
    scenario may hold underscores), and the goal splits at its first `-` (so a
    goal value may hold hyphens, as swap conditions do).
    """
    head, sep, urgency = condition_id.strip().rpartition("_")
    scenario, sep2, goal = head.rpartition("_")
    goal_type, sep3, goal_value = goal.partition("-")
    if not (sep and sep2 and sep3 and scenario and urgency and goal_type and goal_value):
        return {}
    return {
        "scenario": scenario,
        "goal_type": goal_type,
        "goal_value": goal_value,
        "urgency_type": urgency,
    }


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list) or value == "":
        return None
    return str(value)


def condition_fields(meta: Mapping[str, Any]) -> dict[str, str | None]:
    """Scenario and condition fields from a metadata mapping.

    Explicit keys (`scenario`, `goal_type`, ...) win over a parsed `condition`
    (or `condition_id`) string.
    """
    fields: dict[str, str | None] = dict.fromkeys(CONDITION_FIELDS)
    for key in ("condition_id", "condition"):
        if isinstance(meta.get(key), str):
            fields.update(split_condition(meta[key]))
            break
    for key in CONDITION_FIELDS:
        text = _scalar_text(meta.get(key))
        if text is not None:
            fields[key] = text
    return fields


def without(meta: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """`meta` less the scalar entries under `keys` (those went into their own columns)."""
    return {k: v for k, v in meta.items() if k not in keys or _scalar_text(v) is None}


def model_name(*candidates: Any) -> str | None:
    """The first candidate that is a usable model name."""
    for value in candidates:
        text = _scalar_text(value)
        if text is not None:
            return text
    return None
