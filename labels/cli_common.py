"""What every command-line module shares: consoles, options, one-line errors, the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:  # imported by the commands that open one (`--help` needs neither)
    from labels.workspace import Workspace

# No rich markup: what is printed holds names people chose ("[admin]" must stay text).
out = Console(soft_wrap=True, markup=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database file (default: $GOLDSET_DB or data/).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr and an exit code; never a traceback."""
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


@contextmanager
def workspace(db: str | None) -> Iterator[Workspace]:
    """Open the workspace, turning store and schema problems into one-line errors."""
    from labels.store import StoreError
    from labels.workspace import open_workspace

    try:
        ws = open_workspace(db)
    except (StoreError, ValueError, OSError) as exc:
        fail(str(exc))
    try:
        yield ws
    finally:
        ws.store.close()
