"""Helpers the mail tests import by name (conftest.py holds only fixtures: several test folders have one)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nobody listens on (for an SMTP server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_config(port: int, **mail) -> dict:
    """Config overrides that send mail to 127.0.0.1:port, retrying fast."""
    return {"mail": {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 5, **mail}}
