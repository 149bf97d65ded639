"""Safe by default on the network (issue 14, point 3)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from labels import network
from tests.factories import build_demo_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("", False),
        (None, False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("goldset.example.org", False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert network.is_loopback(address) is loopback


def test_local_mode_is_refused_on_the_network_unless_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(network.LOCAL_ON_NETWORK_ENV, raising=False)
    assert network.local_mode_refusal("127.0.0.1") is None
    refusal = network.local_mode_refusal("0.0.0.0")
    assert (
        refusal
        and "so it will not start" in refusal
        and "GOLDSET_LOCAL_MODE_ON_NETWORK=1" in refusal
    )
    assert "every network interface" in (network.local_mode_refusal(None) or "")
    monkeypatch.setenv(network.LOCAL_ON_NETWORK_ENV, "1")
    assert network.local_mode_refusal("0.0.0.0") is None


def make_n(host: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "HOST"}
    if host:
        env["HOST"] = host
    done = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_run_binds_to_loopback_unless_host_is_set() -> None:
    assert "--server.address 127.0.0.1" in make_n(None)
    assert "-m labels.network 127.0.0.1" in make_n(None)
    assert "--server.address 0.0.0.0" in make_n("0.0.0.0")
    assert "-m labels.network 0.0.0.0" in make_n("0.0.0.0")


def test_the_start_check_exits_2_for_local_mode_on_every_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != network.LOCAL_ON_NETWORK_ENV}
    command = [sys.executable, "-m", "labels.network", "0.0.0.0"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "so it will not start" in done.stderr
    env[network.LOCAL_ON_NETWORK_ENV] = "1"
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "Local mode on the network" in done.stderr


@pytest.fixture
def on_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("GOLDSET_DB", str(build_demo_db(tmp_path / "demo.duckdb")))
    monkeypatch.chdir(ROOT)
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    finally:
        config.set_option("server.address", before)


def test_the_app_refuses_local_mode_on_the_network(
    on_network: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(network.LOCAL_ON_NETWORK_ENV, raising=False)
    at = on_network.run()
    assert "so it will not start" in at.error[0].value
    assert not at.sidebar.selectbox  # nobody can pick a name


def test_accepted_local_mode_on_the_network_warns_on_every_page(
    on_network: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app.py draws the warning before `st.navigation` runs any page, so every page has it
    (AppTest drops app.py's own elements after `switch_page`, so the first page is checked
    before and after a person signs in)."""
    monkeypatch.setenv(network.LOCAL_ON_NETWORK_ENV, "1")
    at = on_network.run()
    assert at.warning[0].value == network.WARNING
    assert "Pick your name" in at.info[0].value
    at.sidebar.selectbox(key="identity").set_value("admin").run()
    assert at.warning[0].value == network.WARNING
    assert not at.exception


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_streamlit_run_listens_on_loopback_only_by_default(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    env = {**os.environ, "GOLDSET_DB": str(tmp_path / "g.duckdb")}
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(150):
            if listening_addresses(port):
                break
            time.sleep(0.2)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        server.terminate()
        server.wait(timeout=20)
