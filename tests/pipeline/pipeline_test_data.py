"""The development data folder as a fixture (tests using it skip when it is absent); not named conftest.py,
which other test folders import by that name."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The read-only development data folder; skips the test on a fresh clone without it."""
    if not (DATA_DIR / "tipdm2020_labeled_raw_sample.csv").is_file():
        pytest.skip(f"开发数据不存在：{DATA_DIR}")
    return DATA_DIR
