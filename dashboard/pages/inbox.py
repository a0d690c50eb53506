"""收件箱: what was sent to me (alerts, deadline warnings, breaches, reports), unread first; mark read."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import select

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, level_badge, result_message
from dashboard.user_actions import mark_inbox_read
from yuqing.db.models import User
from yuqing.inbox import KIND_NAMES, inbox
from yuqing.timeutil import format_local

dash.register_page(__name__, path="/inbox", name="收件箱", title="收件箱", order=1)


def layout(**_query):
    """The inbox frame; the list is filled by `refresh`."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("inbox"):
        return denied_page()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("收件箱"),
                    html.Span(id="ib-count", className="meta"),
                    html.Button("全部标记已读", id="ib-read-all", className="btn"),
                    html.Div(id="ib-msg"),
                ],
                className="toolbar",
            ),
            html.Div(id="ib-list"),
            dcc.Store(id="ib-changed", data=0),
        ]
    )


def _items(viewer):
    app = yuqing_app()
    with app.db.read() as session:
        user = session.scalar(select(User).where(User.username == viewer.username))
        return inbox(session, app.settings, user) if user is not None else []


@callback(
    Output("ib-list", "children"),
    Output("ib-count", "children"),
    Input("ib-changed", "data"),
    Input("tick", "n_intervals"),
)
def refresh(_changed, _tick):
    """The viewer's messages: unread first, each with its time, kind, subject, event and text."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("inbox"):
        raise PreventUpdate
    items = _items(viewer)
    unread = sum(not item.read for item in items)
    if not items:
        return html.Div("近 30 天没有发给您的提醒", className="empty"), "未读 0 条"
    rows = []
    for item in items:
        head = [
            html.Span("未读" if not item.read else "已读", className="tag-unread" if not item.read else "meta"),
            " ",
            level_badge(item.level) if item.level else "",
            html.Span(format_local(item.at), className="time"),
            html.Span(KIND_NAMES.get(item.kind, item.kind), className="src"),
            html.B(item.subject, className="inbox-subject"),
        ]
        body = [html.Div(head)]
        extra = []
        if item.event_id:
            extra.append(dcc.Link(f"事件 #{item.event_id}", href=f"/events/{item.event_id}"))
        if not item.read:
            extra.append(html.Button("标记已读", id={"type": "ib-read", "id": item.id}, className="btn btn-small"))
        body.append(html.Div(extra, className="actions-inline"))
        body.append(html.Details([html.Summary("查看内容"), html.Pre(item.body, className="evidence-text")]))
        rows.append(html.Li(body, className="inbox-item unread" if not item.read else "inbox-item", key=str(item.id)))
    return html.Ul(rows, className="timeline", id="ib-items"), f"未读 {unread} 条 / 共 {len(items)} 条"


@callback(
    Output("ib-msg", "children"),
    Output("ib-changed", "data", allow_duplicate=True),
    Input({"type": "ib-read", "id": ALL}, "n_clicks"),
    Input("ib-read-all", "n_clicks"),
    State("ib-changed", "data"),
    prevent_initial_call=True,
)
def read(_one, _all, changed):
    """Mark one message (its button) or every unread one as read."""
    viewer = current_viewer()
    if viewer is None or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        ids = [int(trigger["id"])]
    else:
        ids = [item.id for item in _items(viewer) if not item.read]
    result = mark_inbox_read(yuqing_app(), viewer, ids)
    return result_message(result), (changed or 0) + 1
