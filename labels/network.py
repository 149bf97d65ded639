"""Where the app listens, and whether local identity mode may run there.

Local mode lets whoever opens the page pick any name, Admin included; that is
fine on one machine and nowhere else. So the app serves on 127.0.0.1 unless
told otherwise, and local mode refuses to run on any other address unless
`GOLDSET_LOCAL_MODE_ON_NETWORK=1` says the risk is accepted (then every page
says so). `python -m labels.network ADDRESS` makes the same check before
`make run` starts the server.
"""

from __future__ import annotations

import ipaddress
import os
import sys

LOCAL_ON_NETWORK_ENV = "GOLDSET_LOCAL_MODE_ON_NETWORK"
WARNING = (
    "Local mode on the network: identity is not verified, and anyone who can reach this "
    "server can pick any name, Admin included."
)


def is_loopback(address: str | None) -> bool:
    """Whether a listening address is reachable from this machine only.

    No address (Streamlit's default) means every interface; a host name other
    than `localhost` may resolve to anything, so it counts as the network.
    """
    host = (address or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def accepted() -> bool:
    """Whether the person running the server accepted local mode on the network."""
    return os.environ.get(LOCAL_ON_NETWORK_ENV, "").strip() == "1"


def local_mode_refusal(address: str | None) -> str | None:
    """The sentence refusing local mode on `address`, or None when it may run there."""
    if is_loopback(address) or accepted():
        return None
    where = address.strip() if address and address.strip() else "every network interface"
    return (
        f"Goldset is set to serve on {where} in local mode, where anyone who can reach it "
        "may pick any name, Admin included, so it will not start. Serve on 127.0.0.1 "
        "(`make run` does unless HOST is set), or sign people in with OIDC or a trusted "
        "proxy header (README, 'Running for a team'), or set "
        f"{LOCAL_ON_NETWORK_ENV}=1 to accept the risk."
    )


def main(argv: list[str]) -> int:
    """Exit 2 with the sentence when local mode would run on the network address given."""
    from labels.ui.identity import mode  # Streamlit's secrets decide the mode

    address = argv[0] if argv else ""
    refusal = local_mode_refusal(address) if mode() == "local" else None
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    if mode() == "local" and not is_loopback(address):
        print(f"warning: {WARNING}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
