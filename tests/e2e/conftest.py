"""Browser tests: Playwright driving Debian's Chromium against `streamlit run` on localhost.

`GOLDSET_E2E=1` (set by CI) makes a missing browser a failure; elsewhere it is a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GOLDSET_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_browser() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}"
    if os.environ.get("GOLDSET_E2E") == "1":
        pytest.fail(message + " and GOLDSET_E2E=1 makes browser tests mandatory")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    db: Path | str  # a DuckDB file or a postgresql:// URL
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a loaded machine: shutting down took longer
                self.proc.kill()
                self.proc.wait(timeout=20)


def start_server(db: Path | str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={**os.environ, "GOLDSET_DB": str(db), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return Server(url, db, proc)
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    _need_browser()
    db = build_demo_db(tmp_path / "e2e.duckdb")
    server = start_server(db)
    yield server
    server.stop()


@pytest.fixture
def browser() -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


# -- identity: a local OpenID Connect provider ------------------------------------


@dataclass
class OidcProvider:
    """oidc-provider-mock serving on localhost: its form signs in any `sub`, used as email."""

    url: str
    proc: subprocess.Popen[bytes]

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def set_user(self, sub: str, claims: dict[str, object]) -> None:
        """Give the person who types `sub` in the provider's form these claims."""
        import json
        import urllib.parse

        request = urllib.request.Request(
            f"{self.url}/users/{urllib.parse.quote(sub)}",
            data=json.dumps(claims).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 204, r.status

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a loaded machine: shutting down took longer
                self.proc.kill()
                self.proc.wait(timeout=20)


def start_oidc_provider() -> OidcProvider:
    """Run oidc-provider-mock's CLI (it allows plain http itself) on a free localhost port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    provider = OidcProvider(f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(provider.metadata_url, timeout=2) as r:
                if r.status == 200:
                    return provider
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("oidc-provider-mock did not start within 30 s")


def write_auth_secrets(path: Path, provider: OidcProvider) -> dict[str, str]:
    """A secrets.toml with an `[auth]` section for `provider`; returns the server's env.

    Streamlit fills `{port}` in redirect_uri with its own port, and reads the file named
    by STREAMLIT_SECRETS_FILES instead of `.streamlit/secrets.toml` in the repository.
    """
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "goldset-e2e-cookie-secret-0123456789abcdef"\n'
        'client_id = "goldset-e2e"\n'
        'client_secret = "goldset-e2e-secret"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    return {"STREAMLIT_SECRETS_FILES": str(path)}


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    _need_browser()
    provider = start_oidc_provider()
    yield provider
    provider.stop()


def watch_outside(page: Any, server: Server) -> list[str]:
    """Every request the page makes outside the server (filled in as they happen).

    `blob:` URLs of the server's origin are the label component's own script.
    """
    outside: list[str] = []

    def seen(request: Any) -> None:
        url = str(request.url)
        if not url.removeprefix("blob:").startswith(server.url) and not url.startswith("data:"):
            outside.append(url)

    page.on("request", seen)
    return outside


# -- the label page's browser component ---------------------------------------------------


def sign_in_local(page: Any, url: str, who: str) -> None:
    """Local mode: pick `who` ("Name · role") in the sidebar and wait for the label panel."""
    page.goto(url)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=who, exact=True).click()
    wait_ready(page)


def token(page: Any) -> str:
    """The component's token: it changes whenever a new item (or revision) is shown."""
    return str(page.evaluate("(document.querySelector('.gs-root') || {dataset: {}}).dataset.token"))


def wait_ready(page: Any, previous: str | None = None, timeout: int = 30_000) -> None:
    """A new item is shown (token differs from `previous`) and the panel takes keys."""
    page.wait_for_function(
        """prev => { const r = document.querySelector('.gs-root');
          const m = r && r.querySelector('.gs-mode');
          return r && r.dataset.token && r.dataset.token !== prev && m
            && m.dataset.mode !== 'busy'; }""",
        arg=previous,
        timeout=timeout,
    )


def chosen(page: Any) -> dict[str, str | None]:
    """What the panel shows as chosen, per dimension (None: nothing chosen)."""
    result: dict[str, str | None] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.gs-dim')].map(d =>
            [d.dataset.dim, (d.querySelector('.gs-value.gs-on') || {dataset: {}}).dataset.value
              || null]))"""
    )
    return result


def mode(page: Any) -> str:
    """`keys`, `typing`, `panel` or `busy`, as the mode bar shows it."""
    return str(page.evaluate("document.querySelector('.gs-mode').dataset.mode"))


def submit_and_wait(page: Any) -> None:
    """Ctrl+Enter, then wait for the next item."""
    before = token(page)
    page.keyboard.press("Control+Enter")
    wait_ready(page, before)
