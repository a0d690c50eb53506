"""Shared fixtures: settings built from dicts, the app on SQLite, and the database URL on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import os
import uuid
from pathlib import Path

import pytest

from yuqing.app import open_app
from yuqing.config import settings_from_dict

PG_ADMIN_URL = os.environ.get("YUQING_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

BASE_CONFIG = {
    "general": {"data_dir": "data"},
    "logging": {"file": ""},
    "mail": {
        "admin_emails": ["admin@example.gov.cn"],
        "leader_emails": ["leader@example.gov.cn"],
        "duty_leader_email": "duty-leader@example.gov.cn",
    },
    "duty": {"email": "zhiban@example.gov.cn", "head_email": "zhiban-head@example.gov.cn"},
    "offices": [
        {
            "code": "dzb",
            "name": "镇党政办",
            "email": "dzb@example.gov.cn",
            "head_email": "dzb-head@example.gov.cn",
            "lead": True,
            "topics": ["governance", "other"],
        },
        {
            "code": "msfw",
            "name": "民生服务中心",
            "email": "msfw@example.gov.cn",
            "head_email": "msfw-head@example.gov.cn",
            "topics": ["medical", "education", "housing", "elderly", "social_security", "employment"],
        },
        {
            "code": "zzwb",
            "name": "综治维稳办公室",
            "email": "zzwb@example.gov.cn",
            "head_email": "zzwb-head@example.gov.cn",
            "topics": ["public_security", "work_safety"],
        },
        {
            "code": "jjfw",
            "name": "经济发展综合服务中心",
            "email": "jjfw@example.gov.cn",
            "topics": ["land", "urban", "commerce", "food_drug", "transport", "environment", "disaster"],
        },
        {"code": "cwh-guotan", "name": "郭滩村村委会", "email": "guotan@example.gov.cn", "villages": ["郭滩村"]},
    ],
    "regions": {"villages": ["东园村", "郭滩村", "金沙村", "柔新村"]},
    "schemes": [{"name": "东园镇", "region": "东园|沙坡头|中卫|郭滩村|金沙村|柔新村|东园村"}],
    # A stricter town than the shipped defaults (which follow the seed: suggestions for major events only): two
    # breaches at any level also give 约谈, so the tests exercise every way rules meet and give way to each other.
    "reports": {
        "rules": [
            {"action": "通报批评", "min_breaches": 1, "max_level": 2, "min_heat": 50},
            {"action": "约谈负责人", "min_breaches": 2, "max_level": 4},
            {"action": "约谈负责人", "min_breaches": 1, "max_level": 1},
        ]
    },
}


def _merge(base: dict, extra: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture
def settings_factory(tmp_path):
    """Build validated settings from BASE_CONFIG merged with overrides; files go under tmp_path."""

    def make(extra: dict | None = None, db_url: str | None = None):
        data = _merge(BASE_CONFIG, extra or {})
        data.setdefault("database", {})["url"] = (
            db_url or data.get("database", {}).get("url") or "sqlite:///data/test.db"
        )
        return settings_from_dict(data, Path(tmp_path) / "config.toml")

    return make


def _postgres_reachable() -> bool:
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _postgres_reachable()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, postgres_available):
    """A fresh, empty database URL: a SQLite file, or a new schema-isolated PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL 127.0.0.1:5432 不可用")
    import sqlalchemy

    name = f"yuqing_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def app(settings_factory):
    """The application on a fresh SQLite database."""
    application = open_app(settings_factory())
    yield application
    application.close()


@pytest.fixture
def any_app(settings_factory, db_url):
    """The application on SQLite and on PostgreSQL (parametrised)."""
    application = open_app(settings_factory(db_url=db_url))
    yield application
    application.close()


@pytest.fixture
def town(settings_factory):
    """A town that retrains on few labels (20, 8 new), with no model kept in this process afterwards."""
    from yuqing.app import open_app
    from yuqing.learning import forget

    application = open_app(settings_factory({"learning": {"min_labels": 20, "min_held_back": 8, "holdout_share": 0.3}}))
    yield application
    forget(application.settings)
    application.close()
