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

from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["nominal", "ordinal", "interval", "ratio"]
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "schema.toml"


class Value(BaseModel):
    """One value a dimension can take."""

    model_config = ConfigDict(frozen=True)
    name: str
    """The value as stored, imported and exported (e.g. `explicit_threat`)."""
    key: str = Field(min_length=1, max_length=1)
    """Keyboard key that picks it on the label page."""
    description: str = ""
    """What it means, one sentence."""
    anchor: str = ""
    """An example that clearly has this value."""


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
    tags: tuple[str, ...] = ()
    """Optional extra tags a rater may add (e.g. manipulation tactics)."""

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        names = [v.name for v in self.values]
        if len(set(names)) != len(names):
            raise ValueError(f"dimension {self.name}: duplicate values")
        unknown = set(self.binary_yes + self.na_values + self.evidence_required) - set(names)
        if unknown:
            raise ValueError(f"dimension {self.name}: unknown values {sorted(unknown)}")
        return self

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


class Schema(BaseModel):
    """The whole label schema."""

    model_config = ConfigDict(frozen=True)
    project: Project = Project()
    dimensions: tuple[Dimension, ...]

    @model_validator(mode="after")
    def _unique_keys(self) -> Schema:
        keys = [v.key for d in self.dimensions for v in d.values]
        if len(set(keys)) != len(keys):
            raise ValueError("keyboard keys must be unique across all dimensions")
        return self

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
