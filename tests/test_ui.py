"""The UI layer: only `app.py`, `pages/` and `labels/ui/` import streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports_streamlit(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
            return True
    return False


def test_only_the_ui_layer_imports_streamlit() -> None:
    library = ROOT / "labels"
    outside = [
        str(p.relative_to(ROOT))
        for p in sorted(library.rglob("*.py"))
        if not p.is_relative_to(library / "ui") and _imports_streamlit(p)
    ]
    assert outside == []
    assert _imports_streamlit(library / "ui" / "identity.py")  # the check sees imports


def test_case_keys_name_one_case_each() -> None:
    from labels.ui import CaseKeys

    a, b = CaseKeys("t1", "extortion"), CaseKeys("t2", "extortion")
    assert len({a.pick, a.note, a.question, b.pick, b.note, b.question}) == 6
    assert a.value("none") == b.value("none")  # the same value buttons on every case
    assert a.value("none") != CaseKeys("t1", "manipulation").value("none")
