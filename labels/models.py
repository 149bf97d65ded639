"""Pydantic models: the boundary between sources, the store and the app.

Records of fact (what a file said, what a rater decided) are frozen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["system", "user", "assistant", "tool"]
SourceFormat = Literal["jsonl", "inspect", "agentic-misalignment", "petri"]
RaterRole = Literal["rater", "adjudicator", "admin"]
GoldMethod = Literal["unanimous", "majority", "median", "adjudicated", "audit"]
QueueName = Literal["main", "audit", "gold-check"]
AssignmentState = Literal["queued", "open", "done", "skipped", "released"]
# What an assignment's note is: a rater's skip reason, an adjudicator's question back to
# the raters, or why a rater flagged the item for discussion when they submitted it.
NoteKind = Literal["skip", "question", "flag"]

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only kind of datetime we keep)."""
    return datetime.now(UTC)


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ToolCall(_Fact):
    """A tool call the model made, kept as the source wrote it."""

    id: str = ""
    """The call id that a later `tool` message answers (may be empty)."""
    function: str
    """The tool's name."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """Arguments as a JSON object; a non-object source value is kept under `_raw`."""


class Message(_Fact):
    """One turn of a transcript."""

    index: int = Field(ge=0)
    """Position in the transcript, from 0."""
    role: Role
    """Who spoke: system, user, assistant or tool."""
    text: str = ""
    """The visible text of the turn."""
    reasoning: str | None = None
    """Hidden reasoning (scratchpad, thinking) kept apart from the visible answer."""
    tool_calls: tuple[ToolCall, ...] = ()
    """Tool calls made in this turn (assistant turns)."""
    tool_call_id: str | None = None
    """For tool results: the id of the call this answers."""
    name: str | None = None
    """For tool results: the tool's name, when the source gives it."""

    @field_validator("text", "reasoning")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("text contains a NUL character")
        return value


CONDITION_FIELDS: tuple[str, ...] = ("scenario", "goal_type", "goal_value", "urgency_type")
SEED_KEY = "seed_instructions"
"""Metadata key of the instruction an auditor (Petri) worked from: context for raters."""


class Transcript(_Fact):
    """A conversation between a model and its environment, as ingested."""

    id: str = Field(min_length=1)
    """The source's own id where there is one, else a hash of the canonical JSON."""
    source_format: SourceFormat
    """Which reader produced it."""
    source_ref: str
    """File and position inside it (line, sample, folder) for provenance."""
    model: str | None = None
    """The model under evaluation, when known."""
    scenario: str | None = None
    """Scenario name (e.g. blackmail, leaking, murder, benign)."""
    goal_type: str | None = None
    """Goal condition type (explicit, latent, none, ambiguous, swap)."""
    goal_value: str | None = None
    """Goal condition value (america, global, ...)."""
    urgency_type: str | None = None
    """Urgency condition (replacement, restriction, none)."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Everything else the source said about the sample, JSON-serialisable."""
    messages: tuple[Message, ...]
    """The turns, in order."""

    @property
    def n_messages(self) -> int:
        """Number of messages."""
        return len(self.messages)

    @property
    def n_chars(self) -> int:
        """Characters of visible text plus reasoning."""
        return sum(len(m.text) + len(m.reasoning or "") for m in self.messages)

    @property
    def seed_instructions(self) -> str | None:
        """The auditor's seed instruction (Petri audits), when there is one."""
        seed = self.metadata.get(SEED_KEY)
        return seed if isinstance(seed, str) and seed.strip() else None

    @property
    def limit(self) -> dict[str, Any] | None:
        """The limit the run stopped at (`type`, `limit`, `reason`), when Inspect says so."""
        inspect = self.metadata.get("inspect")
        hit = inspect.get("limit") if isinstance(inspect, dict) else None
        return hit if isinstance(hit, dict) else None


class GraderVerdict(_Fact):
    """What an automated grader said about one transcript, for one field."""

    transcript_id: str
    """The transcript judged."""
    grader: str
    """Grader name, e.g. `inspect/model_graded_qa` or `petri/judge`."""
    field: str
    """The grader's own name for what it judged (score key, judge dimension)."""
    dimension: str | None = None
    """The label dimension this field answers, when the source makes that plain."""
    value: str | None = None
    """The verdict as text (`yes`/`no`, a scale value, `C`/`I`...)."""
    score: float | None = None
    """A numeric score or probability, when the grader gives one."""
    answer: str | None = None
    """The grader's extracted answer, when it has one."""
    explanation: str | None = None
    """The grader's explanation."""
    model: str | None = None
    """The grader's own model, when known."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Anything else the grader recorded."""


class Record(_Fact):
    """One transcript read from a source, with the grader verdicts that came with it."""

    transcript: Transcript
    verdicts: tuple[GraderVerdict, ...] = ()


class Rejection(_Fact):
    """A record that could not be read: where it was and why."""

    file: str
    """The file (or folder) it came from."""
    where: str
    """Line, sample or path inside the file."""
    reason: str
    """A sentence a person can act on."""
    kind: Literal["rejected", "note"] = "rejected"
    """"note": the record itself went in, something that came with it did not (a grader
    verdict that failed); never counted as a rejection."""


class IngestReport(BaseModel):
    """What one ingest run did; `--json` prints exactly this."""

    files: int = 0
    added: int = 0
    duplicates: int = 0
    grader_verdicts: int = 0
    rejected: list[Rejection] = Field(default_factory=list)
    notes: list[Rejection] = Field(default_factory=list)
    """Records that went in with something missing (`Rejection.kind` "note")."""


class Evidence(_Fact):
    """The message (and optionally the quoted span) that supports a label."""

    message_index: int = Field(ge=0)
    """Which message."""
    quote: str = ""
    """The quoted span, copied from that message."""


class Label(_Fact):
    """One rater's value for one dimension of one transcript (append-only)."""

    transcript_id: str
    rater: str
    """Rater id."""
    dimension: str
    value: str
    """A value of the dimension's scale (text, e.g. `explicit_threat`, `3`, `na`)."""
    rationale: str = ""
    evidence: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = ()
    """Optional extras the schema allows (e.g. manipulation tactics)."""
    schema_version: int
    seconds: float | None = None
    """Time the rater spent on the item."""
    created_at: datetime = Field(default_factory=utcnow)


class Gold(_Fact):
    """A gold value for one transcript and dimension (append-only)."""

    transcript_id: str
    dimension: str
    value: str
    method: GoldMethod
    who: str
    """Adjudicator id, or the rule's name for consensus."""
    note: str = ""
    schema_version: int
    created_at: datetime = Field(default_factory=utcnow)


class Rater(BaseModel):
    """A person who labels, adjudicates or administers."""

    id: str = Field(min_length=1, max_length=80)
    """Stable id (an email address or a short name)."""
    name: str
    """Display name."""
    role: RaterRole = "rater"
    active: bool = True


class AssignmentNote(_Fact):
    """The note on a rater's assignment, with what kind of note it is."""

    kind: NoteKind | None
    """None only for a note from before kinds were kept that no rule recognised."""
    text: str
