"""The frame around every page: navigation by role, the refresh tick, and the cue (banner and sound) for new level
1–2 events, for deadlines the viewer holds at 80 % or missed, and for a handover waiting to be acknowledged."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import has_request_context

from dashboard.access import Viewer
from dashboard.auth import current_viewer, yuqing_app
from dashboard.queries.overview import query_alert_events
from dashboard.queries.queue import query_deadline_alerts
from yuqing.app import App
from yuqing.labels import level_short, role_text
from yuqing.timeutil import format_local, utcnow
from yuqing.workflow.shifts import pending_handover

NAV = [
    ("overview", "/", "值班总览"),
    ("inbox", "/inbox", "收件箱"),
    ("queue", "/queue", "待研判"),
    ("review", "/review", "分类复核"),
    ("shift", "/shift", "我的值班"),
    ("events", "/events", "事件"),
    ("trends", "/trends", "趋势"),
    ("sources", "/sources", "来源"),
    ("offices", "/offices", "责任单位"),
    ("reports", "/reports", "报告"),
    ("users", "/users", "用户"),
    ("models", "/models", "模型"),
]


def shell_layout(app: App) -> html.Div:
    """The page frame for the logged-in viewer (built per page load; empty navigation outside a request)."""
    viewer = current_viewer() if has_request_context() else None
    return html.Div(
        [
            dcc.Location(id="nav-url", refresh="callback-nav"),
            dcc.Interval(id="tick", interval=app.settings.dashboard.refresh_seconds * 1000),
            dcc.Store(id="alert-seen", storage_type="session"),
            dcc.Store(id="alert-ping"),
            html.Audio(id="alert-sound", src=dash.get_asset_url("alert.wav"), preload="auto"),
            html.Div(id="alert-dummy", hidden=True),
            html.Header(
                [
                    html.Div(f"{app.settings.general.town}政务舆情", className="brand"),
                    html.Nav(_nav_links(viewer), className="nav"),
                    _user_box(viewer),
                ],
                className="topbar",
            ),
            html.Div(id="alert-banner", className="alert-banner-slot"),
            html.Main(dash.page_container, className="content"),
        ]
    )


def _nav_links(viewer: Viewer | None) -> list:
    if viewer is None:
        return []
    return [
        dcc.Link(label, href=path, id={"type": "nav", "page": page}, className="nav-link")
        for page, path, label in NAV
        if viewer.can_open(page)
    ]


def _user_box(viewer: Viewer | None) -> html.Div:
    if viewer is None:
        return html.Div(className="userbox")
    who = f"{viewer.display_name}({role_text(viewer.role)})"
    return html.Div(
        [
            html.Span(who, className="who", id="current-user"),
            html.Form(
                html.Button("退出", type="submit", className="btn btn-link", id="logout-button"),
                action="/logout",
                method="POST",
                className="logout",
            ),
        ],
        className="userbox",
    )


def alert_items(session, settings, viewer: Viewer, now) -> list[dict]:
    """What the cue may announce to this viewer: open level 1–2 events, deadlines the viewer holds at the last
    warning share or missed, and (for duty officers) a handover waiting for acknowledgement."""
    items = [{**event, "key": f"e{event['id']}", "kind": "event"} for event in query_alert_events(session, viewer)]
    items += [
        {**row, "key": f"d{row['key']}", "kind": "deadline"}
        for row in query_deadline_alerts(session, settings, viewer, now)
    ]
    if viewer.role == "duty":
        waiting = pending_handover(session)
        if waiting is not None and waiting.handed_by != viewer.username:
            items.append(
                {
                    "key": f"h{waiting.id}",
                    "kind": "handover",
                    "text": f"{waiting.handed_by} 于 {format_local(waiting.handed_at, '%H:%M')} 交班,请确认接班",
                }
            )
    return items


def alert_update(items: list[dict], seen: list[str] | None) -> tuple:
    """(banner, seen keys, ping) for the items now due and the keys already announced.

    On the first look, deadlines and a waiting handover are shown at once (without sound); events are only
    remembered: their cue is for events that arrive, or rise to level 1–2, while the officer is watching."""
    keys = [item["key"] for item in items]
    if seen is None:
        standing = [item for item in items if item["kind"] != "event"]
        return (alert_banner(standing) if standing else no_update), keys, no_update
    known = set(seen)
    new = [item for item in items if item["key"] not in known]
    if not new:
        return no_update, (keys if set(keys) != known else no_update), no_update
    return alert_banner(new), keys, {"ids": [item["key"] for item in new]}


def _event_line(e: dict) -> html.Li:
    return html.Li(
        [
            html.Span(level_short(e["urgency"]), className=f"lvl lvl-{e['urgency']}"),
            " ",
            dcc.Link(e["title"], href=f"/events/{e['id']}"),
        ]
    )


def _deadline_line(d: dict) -> html.Li:
    return html.Li(
        [
            html.Span(
                f"{d['stage']}{'超时' if d['missed'] else '时限'}",
                className="tag-overdue" if d["missed"] else "tag-warn",
            ),
            " ",
            dcc.Link(f"#{d['event_id']} {d['title']}", href=f"/events/{d['event_id']}"),
            f":{d['text']}",
        ]
    )


def alert_banner(items: list[dict]) -> html.Div:
    """The flashing notice: newly arrived level 1–2 events, deadlines at 80 % or missed, a handover to confirm."""
    sections = []
    events = [item for item in items if item["kind"] == "event"]
    deadlines = [item for item in items if item["kind"] == "deadline"]
    handovers = [item for item in items if item["kind"] == "handover"]
    if events:
        more = f"等 {len(events)} 起" if len(events) > 5 else ""
        sections += [
            html.Strong(f"新的重大舆情 {more}", className="alert-title"),
            html.Ul([_event_line(e) for e in events[:5]]),
        ]
    if deadlines:
        missed = sum(d["missed"] for d in deadlines)
        title = f"时限提醒:{len(deadlines) - missed} 个已用去 80% 以上,{missed} 个已超时"
        sections += [
            html.Strong(title, className="alert-title", id="alert-deadlines"),
            html.Ul([_deadline_line(d) for d in deadlines[:5]]),
        ]
    if handovers:
        sections += [
            html.Strong("交班待确认", className="alert-title"),
            html.Ul([html.Li(dcc.Link(h["text"], href="/shift")) for h in handovers]),
        ]
    return html.Div(
        [
            html.Div(sections, className="alert-sections"),
            html.Button("知道了", id="alert-dismiss", className="btn btn-small"),
        ],
        className="alert-banner",
        role="alert",
    )


def register_shell_callbacks(dash_app: dash.Dash) -> None:
    """The frame's callbacks: highlight the current page, the new-event cue and its sound."""

    @dash_app.callback(
        Output({"type": "nav", "page": ALL}, "className"),
        Input("_pages_location", "pathname"),
        State({"type": "nav", "page": ALL}, "id"),
    )
    def highlight(pathname, ids):
        path = pathname or "/"
        current = next(
            (page for page, prefix, _ in reversed(NAV) if prefix != "/" and path.startswith(prefix)),
            "overview" if path == "/" else None,
        )
        return ["nav-link active" if i["page"] == current else "nav-link" for i in ids]

    @dash_app.callback(
        Output("alert-banner", "children"),
        Output("alert-seen", "data"),
        Output("alert-ping", "data"),
        Input("tick", "n_intervals"),
        State("alert-seen", "data"),
    )
    def check_alerts(_tick, seen):
        viewer = current_viewer()
        if viewer is None:
            raise PreventUpdate
        app = yuqing_app()
        with app.db.read() as session:
            items = alert_items(session, app.settings, viewer, utcnow())
        return alert_update(items, seen)

    @dash_app.callback(
        Output("alert-banner", "children", allow_duplicate=True),
        Input("alert-dismiss", "n_clicks"),
        prevent_initial_call=True,
    )
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
