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


@pytest.fixture
def live(dash_app, seeded_app):
    """The dashboard served by waitress on a free loopback port; yields (base URL, Seeded)."""
    import threading

    from waitress.server import create_server

    server = create_server(dash_app.server, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", seeded_app[1]
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def browser():
    """Headless Chromium (browser_support; the test module importing it is skipped without a browser)."""
    from browser_support import start_browser

    driver = start_browser()
    yield driver
    driver.quit()
