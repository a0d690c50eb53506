"""Fixtures of the scale-out tests: they need PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_url(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("多机角色需要 PostgreSQL")
    return db_url
