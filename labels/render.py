"""Turning untrusted transcript text into safe, readable pieces (no Streamlit here).

Transcript text is untrusted: `escape_markdown` makes any string render as the
literal text it is in Streamlit markdown (no links, images, HTML, colour
directives, maths or emoji shortcodes), and the splitters find the parts a
reader wants apart: hidden reasoning, emails, tool-use blocks.

`split_hidden` is the one rule, for every reader and for the label page, for what part of
an assistant's text nobody in the scenario sees: `<SCRATCHPAD_REASONING>`, `<thinking>`
and `<think>` blocks (tag names in any case; an unclosed block runs to the end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'])")
_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9])(https?|ftp|www)(?=[:.])")
"""Where GFM would start a bare web link: a scheme or `www` before `:` or `.`. (A bare email
becomes a mailto link, which fetches nothing; it is left exact, as people copy rater ids.)"""
WORD_JOINER = "\u2060"
"""Invisible; put after what starts a bare link, so the markdown renderer makes no link."""
_EMAIL_TAG = re.compile(r"<email>(.*?)</email>", re.DOTALL | re.IGNORECASE)
_EMAIL_START = re.compile(r"(?m)^(?=From:\s)")
_TOOL_USE = re.compile(r"<tool_use:([\w.-]+)>(.*?)</tool_use:\1>", re.DOTALL)
_HEADER = re.compile(r"^(From|To|Cc|Subject|Timestamp|Date):\s*(.*)$", re.IGNORECASE)

HIDDEN_TAGS = ("SCRATCHPAD_REASONING", "thinking", "think")
_HIDDEN = re.compile(
    rf"<({'|'.join(HIDDEN_TAGS)})>(.*?)(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE | re.ASCII
)
HIDDEN_OPENING = rf"(?i)<({'|'.join(HIDDEN_TAGS)})>"
"""Where `_HIDDEN` can start, for engines without backreferences (Arrow's RE2 in
`jsonl_fast`). RE2 folds case by Unicode (the Kelvin sign matches `k`), so it finds at least
every text `split_hidden` changes; `split_hidden` then decides."""

Kind = Literal["text", "email", "tool_use"]


@dataclass(frozen=True)
class Segment:
    """A piece of a message: plain text, one email, or one tool-use block."""

    kind: Kind
    text: str
    title: str = ""
    headers: tuple[tuple[str, str], ...] = ()


def split_hidden(text: str) -> tuple[str, str | None]:
    """(visible text, hidden reasoning or None) of an assistant's text.

    Text with no hidden block comes back unchanged; otherwise the blocks are cut out, the
    rest is stripped, and the blocks' contents (stripped) are joined by blank lines.
    """
    if "<" not in text:
        return text, None
    found = [m.group(2).strip() for m in _HIDDEN.finditer(text)]
    if not found:
        return text, None
    return _HIDDEN.sub("", text).strip(), join_reasoning(*found)


def join_reasoning(*pieces: str | None) -> str | None:
    """Reasoning from several places, in order, joined by blank lines; None when all are empty."""
    return "\n\n".join(p for p in pieces if p) or None


def escape_markdown(text: str) -> str:
    """Text that Streamlit's markdown shows literally, keeping line breaks.

    Backslash escapes stop markup; they do not stop GFM's bare links (`http://…`,
    `www.…`), which an invisible word joiner after the scheme does.
    """
    unlinked = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    escaped = _SPECIAL.sub(r"\\\1", unlinked)
    lines = [
        line.replace(" ", "\u00a0", len(line) - len(line.lstrip(" ")))
        for line in escaped.split("\n")
    ]
    return "  \n".join(lines)


def _email(block: str) -> Segment:
    headers: list[tuple[str, str]] = []
    lines = block.strip("\n").split("\n")
    body_start = 0
    for i, line in enumerate(lines):
        match = _HEADER.match(line.strip())
        if not match:
            body_start = i
            break
        headers.append((match.group(1).title(), match.group(2)))
        body_start = i + 1
    body = "\n".join(lines[body_start:]).strip()
    body = re.sub(r"^Body:\s*", "", body, flags=re.IGNORECASE)
    subject = next((v for k, v in headers if k == "Subject"), "")
    return Segment("email", body, title=subject, headers=tuple(headers))


def split_emails(text: str) -> list[Segment]:
    """Split an inbox dump into text and email segments (tagged or `From:`-led)."""
    if _EMAIL_TAG.search(text):
        parts: list[Segment] = []
        pos = 0
        for match in _EMAIL_TAG.finditer(text):
            if text[pos : match.start()].strip():
                parts.append(Segment("text", text[pos : match.start()].strip()))
            parts.append(_email(match.group(1)))
            pos = match.end()
        if text[pos:].strip():
            parts.append(Segment("text", text[pos:].strip()))
        return parts
    chunks = [c for c in _EMAIL_START.split(text) if c.strip()]
    if len(chunks) < 2 and not text.lstrip().startswith("From:"):
        return [Segment("text", text)]
    return [
        _email(c) if c.lstrip().startswith("From:") else Segment("text", c.strip()) for c in chunks
    ]


def split_tool_use(text: str) -> list[Segment]:
    """Split an answer into text and `<tool_use:NAME>` blocks, in order."""
    parts: list[Segment] = []
    pos = 0
    for match in _TOOL_USE.finditer(text):
        if text[pos : match.start()].strip():
            parts.append(Segment("text", text[pos : match.start()].strip()))
        parts.append(Segment("tool_use", match.group(2).strip(), title=match.group(1)))
        pos = match.end()
    if text[pos:].strip() or not parts:
        parts.append(Segment("text", text[pos:].strip()))
    return parts


def segments(role: str, text: str) -> list[Segment]:
    """The readable pieces of one message's visible text."""
    if role == "user":
        return split_emails(text)
    if role == "assistant":
        return split_tool_use(text)
    return [Segment("text", text)]
