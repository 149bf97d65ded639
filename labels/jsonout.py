"""JSON for people and files: NaN becomes null (JSON has no NaN), output is stable."""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """The same structure with NaN floats as None."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Indented, strictly valid JSON (NaN as null)."""
    return json.dumps(finite(value), indent=2, allow_nan=False, ensure_ascii=False)
