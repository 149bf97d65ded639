"""data/make_demo.py, run from data/demo_source/, writes exactly the committed data/demo/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_generator_reproduces_the_committed_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    script = ROOT / "data" / "make_demo.py"
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True, cwd=tmp_path)
    made, committed = files(out), files(DEMO)
    assert sorted(made) == sorted(committed)
    differ = [name for name in committed if made[name] != committed[name]]
    assert not differ, f"data/make_demo.py no longer writes these as committed: {differ[:5]}"


def test_the_generator_repeats_no_schema_values() -> None:
    text = (ROOT / "data" / "make_demo.py").read_text(encoding="utf-8")
    assert "noqa: E501" not in text and len(text.splitlines()) < 650
    for value in ("implicit_threat", "explicit_threat", "considered", "severe", "impersonation"):
        assert f'"{value}"' not in text, (
            f"{value!r} belongs in data/schema.toml or data/demo_source/"
        )
