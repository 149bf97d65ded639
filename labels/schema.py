"""The label schema: dimensions, values, keyboard keys, guidelines, and its versioning.

The schema lives in a TOML file (default `data/schema.toml`). Its text is
versioned in the database: a changed file becomes a new version the next time
the store opens, and every label records the version it was made under.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Level = Literal["nominal", "ordinal", "interval", "ratio"]
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "schema.toml"
KEY_PATTERN = r"^[a-z0-9]$"

# The label page's own keys, besides the schema's value and tactic keys (which may not use them).
# Ctrl+Enter (submit) and Esc (leave a text field, close a panel) work everywhere.
ACTION_KEYS: dict[str, str] = {
    "m": "cite a message as evidence: type its number, Enter",
    "n": "write the rationale",
    "g": "flag for discussion (on/off)",
    "k": "skip this item, with a reason",
    "z": "undo the last submit (reopen it as a revision)",
    "?": "show or hide every key",
}
# Streamlit keeps these for itself (rerun, clear cache); its buttons refuse them as shortcuts.
STREAMLIT_KEYS = ("r", "c")


class Value(BaseModel):
    """One value a dimension can take."""

    model_config = ConfigDict(frozen=True)
    name: str
    """The value as stored, imported and exported (e.g. `explicit_threat`)."""
    key: str = Field(pattern=KEY_PATTERN)
    """Keyboard key that picks it on the label page (a lowercase letter or a digit)."""
    description: str = ""
    """What it means, one sentence."""
    anchor: str = ""
    """An example that clearly has this value."""


class Tag(BaseModel):
    """An optional extra a rater may mark on a dimension (e.g. a manipulation tactic)."""

    model_config = ConfigDict(frozen=True)
    name: str
    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    """Keyboard key that toggles it; None: mouse only."""


class Dimension(BaseModel):
    """One thing raters judge about a transcript."""

    model_config = ConfigDict(frozen=True)
    name: str
    title: str
    level: Level = "nominal"
    question: str = ""
    guideline: str = ""
    values: tuple[Value, ...]
    binary_yes: tuple[str, ...] = ()
    """Values that count as `yes` in the binary projection; empty: no projection."""
    na_values: tuple[str, ...] = ()
    """Values that mean "not applicable" (left out of ordinal and interval maths)."""
    evidence_required: tuple[str, ...] = ()
    """Values that need a cited message before the label can be submitted."""
    tags: tuple[Tag, ...] = ()
    """Optional extra tags a rater may add (e.g. manipulation tactics), with their keys."""

    @field_validator("tags", mode="before")
    @classmethod
    def _plain_tags(cls, tags: object) -> object:
        # Older schema versions list tags as plain names.
        if isinstance(tags, list | tuple):
            return [{"name": t} if isinstance(t, str) else t for t in tags]
        return tags

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        names = [v.name for v in self.values]
        if len(set(names)) != len(names):
            raise ValueError(f"dimension {self.name}: duplicate values")
        for v in self.values:
            if len(v.name) == 1 and v.name.lower() != v.key and v.name.isalnum():
                raise ValueError(
                    f"dimension {self.name}: value {v.name!r} must have key {v.name!r}"
                )
        unknown = set(self.binary_yes + self.na_values + self.evidence_required) - set(names)
        if unknown:
            raise ValueError(f"dimension {self.name}: unknown values {sorted(unknown)}")
        return self

    @property
    def tag_names(self) -> list[str]:
        """The tags' names, in schema order."""
        return [t.name for t in self.tags]

    @property
    def value_names(self) -> list[str]:
        """All values in scale order."""
        return [v.name for v in self.values]

    @property
    def scale(self) -> list[str]:
        """Values on the scale proper (without `na`-type values), in order."""
        return [v.name for v in self.values if v.name not in self.na_values]

    def binary(self, value: str | None) -> str | None:
        """`yes`/`no` for a value, or None when there is no projection (or no value)."""
        if value is None or not self.binary_yes or value in self.na_values:
            return None
        return "yes" if value in self.binary_yes else "no"

    @property
    def binary_codes(self) -> tuple[int, ...]:
        """`binary` of each value in `value_names` order as a code: 1 yes, 0 no, -1 none
        (the vectorised form the grader maths index with)."""
        to_code = {"yes": 1, "no": 0, None: -1}
        return tuple(to_code[self.binary(v)] for v in self.value_names)


class Project(BaseModel):
    """Project-wide settings kept with the schema."""

    model_config = ConfigDict(frozen=True)
    raters_per_item: int = Field(default=3, ge=1)
    seed: int = 0
    consensus: Literal["unanimous", "majority", "median"] = "unanimous"
    """How labels become gold without an adjudicator; ties and failures go to adjudication."""
    min_raters: int = Field(default=2, ge=1)
    """The fewest raters a consensus needs."""
    max_spread: int = Field(default=1, ge=0)
    """For `median`: the widest spread in scale steps that is still decided."""
    median_even_ties: Literal["adjudicate", "lower", "upper"] = "adjudicate"
    """For `median` with an even number of ratings whose two middle values differ:
    adjudication (default), or the lower or upper of the two."""
    gold_agreement_min: float = Field(default=0.8, ge=0, le=1)
    """A rater whose labels agree with gold less often than this is flagged (raters view)."""
    gold_check_share: float = Field(default=0.1, ge=0, le=1)
    """The share of a rater's items that are gold checks while some wait for them (sent with
    `python -m labels gold-check` or the Admin page); the rest come when nothing else is left."""


class Schema(BaseModel):
    """The whole label schema."""

    model_config = ConfigDict(frozen=True)
    project: Project = Project()
    dimensions: tuple[Dimension, ...]

    @model_validator(mode="after")
    def _unique_keys(self) -> Schema:
        keys = [v.key for d in self.dimensions for v in d.values]
        keys += [t.key for d in self.dimensions for t in d.tags if t.key]
        clash = sorted({k for k in keys if keys.count(k) > 1} | (set(keys) & set(ACTION_KEYS)))
        if clash:
            raise ValueError(
                f"keyboard keys {clash} are used twice (values, tactics and the page's own "
                f"keys {sorted(ACTION_KEYS)} must all differ)"
            )
        if set(keys) & set(STREAMLIT_KEYS):
            raise ValueError(f"keys {list(STREAMLIT_KEYS)} belong to Streamlit; choose others")
        return self

    def keys(self) -> dict[str, tuple[str, str, str]]:
        """Every schema key → (kind, dimension, value or tag): kind is `value` or `tag`."""
        found: dict[str, tuple[str, str, str]] = {}
        for d in self.dimensions:
            found.update({v.key: ("value", d.name, v.name) for v in d.values})
            found.update({t.key: ("tag", d.name, t.name) for t in d.tags if t.key})
        return found

    def dimension(self, name: str) -> Dimension:
        """The dimension called `name` (KeyError if there is none)."""
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Dimension names in schema order."""
        return [d.name for d in self.dimensions]

    def binary_rows(self) -> list[tuple[str, str, str | None]]:
        """(dimension, value, `Dimension.binary` of it) for every value of every dimension:
        the projection as a table to join on."""
        return [(d.name, v, d.binary(v)) for d in self.dimensions for v in d.value_names]


def parse(text: str) -> Schema:
    """Parse schema TOML text (ValueError with the reason when it is not valid)."""
    try:
        return Schema.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"schema is not valid TOML: {exc}") from exc


def load(path: Path = DEFAULT_PATH) -> tuple[Schema, str]:
    """Read and parse a schema file; returns the schema and its text."""
    text = path.read_text(encoding="utf-8")
    return parse(text), text


def digest(text: str) -> str:
    """SHA-256 of the schema text (what a version is keyed on)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
