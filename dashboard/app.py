"""The dashboard factory: a Flask server with login, and a multi-page Dash app on it (pages/ holds the views)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import dash
from flask import Flask

from dashboard.auth import init_auth
from dashboard.failures import init_failures
from dashboard.shell import register_shell_callbacks, shell_layout
from yuqing.app import App

HERE = Path(__file__).resolve().parent


def create_app(app: App) -> dash.Dash:
    """The dashboard for this yuqing App; serve `create_app(app).server` (a Flask WSGI app) with waitress."""
    server = Flask(__name__, root_path=str(HERE), static_folder=None)
    # The login guard is registered before Dash's own hooks, so it runs first on every request.
    init_auth(server, app)
    dash_app = dash.Dash(
        "dashboard",
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title=f"{app.settings.general.town}政务舆情监测",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=False,
    )
    dash_app.layout = partial(shell_layout, app)
    register_shell_callbacks(dash_app)
    # Page modules register their callbacks globally when Dash imports them; bind them to this app now rather
    # than on its first request, so that building a second app in the same process (tests) cannot take them.
    dash_app._setup_server()
    init_failures(server, app, dash_app.callback_map)
    return dash_app
