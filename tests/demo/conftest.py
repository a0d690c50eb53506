"""Fixtures for the demo-sites tests: running sites on a fake clock, and a urllib fetch helper."""

from __future__ import annotations

import pytest

from yuqing.demo.sites import start_sites
from yuqing.demo.timeline import FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def sites(clock):
    handle = start_sites(clock=clock)
    clock.advance(600)  # ten minutes into the demo: backlog + live posts, several replies
    yield handle
    handle.stop()
