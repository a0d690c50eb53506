"""Crawler test fixtures: the edge-case HTTP server on 127.0.0.1 (see crawl_support)."""

from __future__ import annotations

import pytest
from crawl_support import EdgeServer


@pytest.fixture(scope="module")
def edge_server():
    server = EdgeServer()
    yield server
    server.stop()
