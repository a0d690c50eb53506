"""Helpers the demo tests import by name (conftest.py holds only fixtures: several test folders have one)."""

from __future__ import annotations

import urllib.error
import urllib.request


class Fetched:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


def fetch(url: str, headers: dict | None = None, method: str = "GET", timeout: float = 10) -> Fetched:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Fetched(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Fetched(e.code, e.headers, e.read())
