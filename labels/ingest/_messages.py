"""Chat messages given as plain JSON (OpenAI-style chats, Inspect message dumps in Petri).

An assistant's hidden blocks (`render.split_hidden`) leave its visible text and join its
reasoning after any reasoning content parts and before the `reasoning`,
`reasoning_content` and `thinking` fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from labels.models import ROLES, Message, Role, ToolCall
from labels.render import join_reasoning, split_hidden

from ._common import BadRecord, a_kind, json_safe, validation_reason
from .limits import Limits, variable

ROLE_ALIASES: dict[str, Role] = {"developer": "system", "function": "tool"}
TEXT_PARTS = {"text", "input_text", "output_text"}
REASONING_PARTS = {"reasoning", "thinking", "redacted_thinking"}
PLACEHOLDERS = {"image_url": "image", "input_image": "image", "input_audio": "audio"}


def role_of(raw: Any, where: str) -> Role:
    """A known role, or a BadRecord naming the one found."""
    if isinstance(raw, str):
        if raw in ROLES:
            return raw  # type: ignore[return-value]
        if raw in ROLE_ALIASES:
            return ROLE_ALIASES[raw]
    shown = repr(raw) if isinstance(raw, str) else a_kind(raw)
    raise BadRecord(f"{where}: role {shown} is not one of {', '.join(ROLES)}")


def _first_text(part: dict[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = part.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list):  # e.g. OpenAI reasoning summaries: [{"text": ...}]
            texts = [
                p["text"] for p in value if isinstance(p, dict) and isinstance(p.get("text"), str)
            ]
            if texts:
                return "\n".join(texts)
    return None


def _reasoning_part(part: dict[str, Any]) -> str:
    redacted = part.get("redacted") is True or part.get("type") == "redacted_thinking"
    keys = ("summary",) if redacted else ("reasoning", "thinking", "text", "summary")
    return _first_text(part, keys) or ("[redacted reasoning]" if redacted else "")


def _part(part: Any, where: str) -> tuple[str | None, str | None, ToolCall | None]:
    """(text, reasoning, tool call) from one content part."""
    if isinstance(part, str):
        return part, None, None
    if not isinstance(part, dict):
        raise BadRecord(f"{where} is {a_kind(part)}, not a string or an object")
    kind = part.get("type", "text" if "text" in part else None)
    if not isinstance(kind, str):
        raise BadRecord(
            f"{where} has no type" if kind is None else f"{where}: type is {a_kind(kind)}"
        )
    if kind in TEXT_PARTS:
        text = part.get("text", "")
        if not isinstance(text, str):
            raise BadRecord(f"{where}: text is {a_kind(text)}, not a string")
        return text, None, None
    if kind in REASONING_PARTS:
        return None, _reasoning_part(part), None
    if kind == "tool_use":
        return None, None, tool_call({**part, "arguments": part.get("input")}, where)
    if kind == "tool_result":
        text, _, _ = split_content(part.get("content"), where)
        return text, None, None
    return f"[{PLACEHOLDERS.get(kind, kind)}]", None, None


def split_content(content: Any, where: str) -> tuple[str, str | None, list[ToolCall]]:
    """Visible text, reasoning (or None) and embedded tool calls from a message's content."""
    if content is None:
        return "", None, []
    if isinstance(content, str):
        return content, None, []
    if not isinstance(content, list):
        raise BadRecord(f"{where}: content is {a_kind(content)}, not a string or a list")
    texts: list[str] = []
    thoughts: list[str] = []
    calls: list[ToolCall] = []
    for number, raw in enumerate(content):
        text, thought, call = _part(raw, f"{where}, content part {number}")
        texts += [text] if text is not None else []
        thoughts += [thought] if thought else []
        calls += [call] if call is not None else []
    return "\n".join(texts), "\n\n".join(thoughts) or None, calls


def arguments_of(raw: Any) -> dict[str, Any]:
    """Tool-call arguments as an object; a JSON string is decoded, anything else kept as `_raw`."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return {"_raw": raw}
    value = json_safe(raw)
    return value if isinstance(value, dict) else {"_raw": value}


def tool_call(raw: Any, where: str) -> ToolCall:
    """OpenAI `{id, type, function: {name, arguments}}` or flat `{id, function, arguments}`."""
    if not isinstance(raw, dict):
        raise BadRecord(f"{where}: a tool call is {a_kind(raw)}, not an object")
    function = raw.get("function")
    if isinstance(function, dict):
        name, arguments = function.get("name"), function.get("arguments")
    else:
        name = function if isinstance(function, str) else raw.get("name")
        arguments = raw.get("arguments")
    if not isinstance(name, str) or not name:
        raise BadRecord(f"{where}: a tool call has no function name")
    call_id = raw.get("id")
    return ToolCall(
        id=str(call_id) if call_id is not None else "",
        function=name,
        arguments=arguments_of(arguments),
    )


def _opt_str(raw: Any, what: str, where: str) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw or None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise BadRecord(f"{where}: {what} is {a_kind(raw)}, not a string")


REASONING_KEYS = ("reasoning", "reasoning_content", "thinking")


def _message_reasoning(raw: dict[str, Any], first: list[str | None], where: str) -> str | None:
    """`first` (reasoning content parts, then hidden blocks of the text), then the message's
    reasoning fields, joined."""
    fields = [_opt_str(raw.get(key), key, where) for key in REASONING_KEYS]
    return join_reasoning(*first, *fields)


def _tool_error(raw: Any) -> str | None:
    if isinstance(raw, dict):
        message = raw.get("message")
        kind = raw.get("type")
        return f"Error ({kind}): {message}" if kind else f"Error: {message}"
    return f"Error: {raw}" if isinstance(raw, str) and raw else None


def _tool_calls(raw: dict[str, Any], where: str) -> list[ToolCall]:
    listed = raw.get("tool_calls")
    if listed is None:
        return []
    if not isinstance(listed, list):
        raise BadRecord(f"{where}: tool_calls is {a_kind(listed)}, not a list")
    return [tool_call(c, f"{where}, tool call {n}") for n, c in enumerate(listed)]


def _fields(raw: dict[str, Any], where: str) -> dict[str, Any]:
    role = role_of(raw.get("role"), where)
    text, reasoning, embedded = split_content(raw.get("content"), where)
    text, hidden = split_hidden(text) if role == "assistant" else (text, None)
    error = _tool_error(raw.get("error")) if role == "tool" else None
    name = raw.get("name") if isinstance(raw.get("name"), str) else raw.get("function")
    return {
        "role": role,
        "text": "\n".join(t for t in (text, error) if t),
        "reasoning": _message_reasoning(raw, [reasoning, hidden], where),
        "tool_calls": tuple(_tool_calls(raw, where) + embedded),
        "tool_call_id": _opt_str(raw.get("tool_call_id"), "tool_call_id", where),
        "name": _opt_str(name, "name", where) if role == "tool" else None,
    }


def message_from_dict(raw: Any, index: int) -> Message:
    """One message from its JSON form, or a BadRecord saying what is wrong with it."""
    where = f"message {index}"
    if not isinstance(raw, dict):
        raise BadRecord(f"{where} is {a_kind(raw)}, not an object")
    try:
        return Message(index=index, **_fields(raw, where))
    except ValidationError as exc:
        raise BadRecord(f"{where}: {validation_reason(exc)}") from None


def messages_from_list(raw: Any, limit: int = Limits.messages) -> tuple[Message, ...]:
    """All messages of a transcript; the list must exist and hold 1 to `limit` of them."""
    if raw is None:
        raise BadRecord('"messages" is missing')
    if not isinstance(raw, list):
        raise BadRecord(f'"messages" is {a_kind(raw)}, not a list')
    if not raw:
        raise BadRecord('"messages" is empty')
    if len(raw) > limit:
        raise BadRecord(
            f"{len(raw):,} messages, over the limit of {limit:,} "
            f"(raise it with {variable('messages')})"
        )
    return tuple(message_from_dict(m, i) for i, m in enumerate(raw))
