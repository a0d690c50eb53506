"""The frame around every page: navigation by role, the refresh tick, and the cue for new level 1–2 events."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import has_request_context

from dashboard.access import Viewer
from dashboard.auth import current_viewer, yuqing_app
from dashboard.labels import level_short, role_text
from dashboard.queries.overview import query_alert_events
from yuqing.app import App

NAV = [
    ("overview", "/", "值班总览"),
    ("events", "/events", "事件"),
    ("trends", "/trends", "趋势"),
    ("sources", "/sources", "来源"),
    ("offices", "/offices", "责任单位"),
    ("reports", "/reports", "报告"),
    ("users", "/users", "用户"),
]


def shell_layout(app: App) -> html.Div:
    """The page frame for the logged-in viewer (built per page load; empty navigation outside a request)."""
    viewer = current_viewer() if has_request_context() else None
    return html.Div([
        dcc.Location(id="nav-url", refresh="callback-nav"),
        dcc.Interval(id="tick", interval=app.settings.dashboard.refresh_seconds * 1000),
        dcc.Store(id="alert-seen", storage_type="session"),
        dcc.Store(id="alert-ping"),
        html.Audio(id="alert-sound", src=dash.get_asset_url("alert.wav"), preload="auto"),
        html.Div(id="alert-dummy", hidden=True),
        html.Header([
            html.Div(f"{app.settings.general.town}政务舆情", className="brand"),
            html.Nav(_nav_links(viewer), className="nav"),
            _user_box(viewer),
        ], className="topbar"),
        html.Div(id="alert-banner", className="alert-banner-slot"),
        html.Main(dash.page_container, className="content"),
    ])


def _nav_links(viewer: Viewer | None) -> list:
    if viewer is None:
        return []
    return [
        dcc.Link(label, href=path, id={"type": "nav", "page": page}, className="nav-link")
        for page, path, label in NAV if viewer.can_open(page)
    ]


def _user_box(viewer: Viewer | None) -> html.Div:
    if viewer is None:
        return html.Div(className="userbox")
    who = f"{viewer.display_name}({role_text(viewer.role)})"
    return html.Div([
        html.Span(who, className="who", id="current-user"),
        html.Form(html.Button("退出", type="submit", className="btn btn-link", id="logout-button"),
                  action="/logout", method="POST", className="logout"),
    ], className="userbox")


def alert_update(events: list[dict], seen: list[int] | None) -> tuple:
    """(banner, seen ids, ping) for the open level 1–2 events now visible and those already seen.

    On the first look nothing is announced: the cue is for events that arrive, or rise to level 1–2, while the
    officer is watching."""
    ids = [event["id"] for event in events]
    if seen is None:
        return no_update, ids, no_update
    known = set(seen)
    new = [event for event in events if event["id"] not in known]
    if not new:
        return no_update, (ids if set(ids) != known else no_update), no_update
    return alert_banner(new), ids, {"ids": [event["id"] for event in new]}


def alert_banner(events: list[dict]) -> html.Div:
    """The flashing notice listing newly arrived level 1–2 events, each linking to its page."""
    items = [
        html.Li([html.Span(level_short(e["urgency"]), className=f"lvl lvl-{e['urgency']}"), " ",
                 dcc.Link(e["title"], href=f"/events/{e['id']}")])
        for e in events[:5]
    ]
    more = f"等 {len(events)} 起" if len(events) > 5 else ""
    return html.Div([
        html.Strong(f"新的重大舆情 {more}", className="alert-title"),
        html.Ul(items),
        html.Button("知道了", id="alert-dismiss", className="btn btn-small"),
    ], className="alert-banner", role="alert")


def register_shell_callbacks(dash_app: dash.Dash) -> None:
    """The frame's callbacks: highlight the current page, the new-event cue and its sound."""
    @dash_app.callback(Output({"type": "nav", "page": ALL}, "className"), Input("_pages_location", "pathname"),
                       State({"type": "nav", "page": ALL}, "id"))
    def highlight(pathname, ids):
        path = pathname or "/"
        current = next((page for page, prefix, _ in reversed(NAV) if prefix != "/" and path.startswith(prefix)),
                       "overview" if path == "/" else None)
        return ["nav-link active" if i["page"] == current else "nav-link" for i in ids]

    @dash_app.callback(Output("alert-banner", "children"), Output("alert-seen", "data"),
                       Output("alert-ping", "data"), Input("tick", "n_intervals"), State("alert-seen", "data"))
    def check_alerts(_tick, seen):
        viewer = current_viewer()
        if viewer is None:
            raise PreventUpdate
        with yuqing_app().db.read() as session:
            events = query_alert_events(session, viewer)
        return alert_update(events, seen)

    @dash_app.callback(Output("alert-banner", "children", allow_duplicate=True), Input("alert-dismiss", "n_clicks"),
                       prevent_initial_call=True)
    def dismiss(clicks):
        if not clicks:
            raise PreventUpdate
        return ""

    dash_app.clientside_callback(
        """
        function(ping) {
            if (!ping) { return window.dash_clientside.no_update; }
            const sound = document.getElementById('alert-sound');
            if (sound) { sound.currentTime = 0; sound.play().catch(function () {}); }
            document.body.classList.add('alert-flash');
            setTimeout(function () { document.body.classList.remove('alert-flash'); }, 8000);
            return String(ping.ids);
        }
        """,
        Output("alert-dummy", "children"),
        Input("alert-ping", "data"),
    )
