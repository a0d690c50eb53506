"""Dashboard fixtures: the application on SQLite with seed data, and its Dash app."""

from __future__ import annotations

import pytest
from dash_support import SOURCES, seed

from yuqing.app import open_app


@pytest.fixture
def seeded_app(settings_factory):
    """The application on SQLite with the seeded data; yields (app, Seeded)."""
    application = open_app(settings_factory({"sources": SOURCES, "dashboard": {"secret_key": "test-secret"}}))
    data = seed(application)
    yield application, data
    application.close()


@pytest.fixture
def dash_app(seeded_app):
    """The Dash app for the seeded application."""
    from dashboard.app import create_app

    return create_app(seeded_app[0])


@pytest.fixture
def seeded_any(settings_factory, db_url):
    """The seeded application on SQLite and on PostgreSQL (parametrised); yields (app, Seeded)."""
    application = open_app(
        settings_factory({"sources": SOURCES, "dashboard": {"secret_key": "test-secret"}}, db_url=db_url)
    )
    data = seed(application)
    yield application, data
    application.close()
