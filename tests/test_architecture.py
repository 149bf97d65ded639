"""The rules the README's Architecture section states, checked on the code itself."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "labels").rglob("*.py"))
PAGES = sorted((ROOT / "pages").glob("*.py"))
APP = [ROOT / "app.py"]


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def importers(module: str, files: list[Path]) -> list[str]:
    """The files that import `module` (or anything under it)."""
    return [
        rel(f) for f in files if any(n == module or n.startswith(module + ".") for n in imports(f))
    ]


def test_only_the_store_imports_duckdb() -> None:
    outside = [f for f in LIBRARY + PAGES + APP if "labels/store/" not in rel(f)]
    assert importers("duckdb", outside) == []
    assert importers("duckdb_extensions", outside) == []


def test_only_the_ui_layer_imports_streamlit() -> None:
    ui = re.compile(r"^labels/ui(/|\.py$)")
    library = [f for f in LIBRARY if not ui.match(rel(f))]
    assert importers("streamlit", library) == []


def test_no_page_imports_store_internals() -> None:
    """Pages use `labels.store` (the package's public names), never its modules."""
    for page in PAGES + APP:
        inner = [n for n in imports(page) if n.startswith("labels.store.")]
        public = {f"labels.store.{name}" for name in _store_exports()}
        assert set(inner) <= public, f"{rel(page)} imports {sorted(set(inner) - public)}"


def _store_exports() -> list[str]:
    tree = ast.parse((ROOT / "labels" / "store" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError("labels/store/__init__.py has no __all__")


def _architecture_rows() -> list[tuple[str, str]]:
    """(first cell, whole row) of each row of the README's Architecture table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Architecture", 1)[1].split("\n## ", 1)[0]
    return [(line.split("|")[1], line) for line in section.splitlines() if line.startswith("| `")]


def test_every_module_is_in_the_readme_table() -> None:
    """Each module has a row of its own, or is named in its package's row."""
    rows = _architecture_rows()
    missing = []
    for path in LIBRARY:
        name = rel(path)
        if path.name == "__init__.py" and path.parent.name != "labels":
            name = rel(path.parent) + "/"
        elif path.name == "__init__.py":
            continue
        own = any(f"`{name}`" in cell for cell, _ in rows)
        package = rel(path.parent) + "/"
        stem = path.stem
        in_package = any(
            f"`{package}`" in cell and re.search(rf"`{re.escape(stem)}(\.py)?`", row)
            for cell, row in rows
        )
        if not (own or in_package):
            missing.append(name)
    assert missing == []


def test_mypy_covers_pages_and_app() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    files = set(config["tool"]["mypy"]["files"])
    assert {"labels", "pages", "app.py"} <= files


def test_the_checks_see_imports() -> None:
    """The import reader finds what these rules look for (else every rule passes vacuously)."""
    assert "duckdb" in imports(ROOT / "labels" / "store" / "connection.py")
    assert "streamlit" in imports(ROOT / "app.py")
    assert any(
        n.startswith("labels.store.") for n in imports(ROOT / "labels" / "store" / "__init__.py")
    )


def test_every_package_is_installed() -> None:
    """`pip install .` copies only the packages pyproject names: each one under labels/."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "labels").rglob("__init__.py")
    }
    assert found == listed
