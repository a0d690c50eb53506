"""我的值班: this shift, what I did in it, the handover to acknowledge, and the handover to the next shift."""

from __future__ import annotations

from datetime import datetime

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.actions import shift_action
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, form_field, result_message
from dashboard.queries.queue import query_my_shift
from yuqing.labels import level_short
from yuqing.timeutil import format_local, utcnow
from yuqing.workflow.shifts import handover_summary

dash.register_page(__name__, path="/shift", name="我的值班", title="我的值班", order=2)


def layout(**_query):
    """The shift panel (refreshed), and the handover form."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("shift"):
        return denied_page()
    return html.Div(
        [
            html.H2("我的值班"),
            html.Div(id="sh-panel"),
            html.Div(id="sh-ack-msg"),
            html.Section(
                [
                    html.H3("交班"),
                    html.P(
                        "交班时系统自动记录当前待研判、待回应和已超时的事件,以及下一班内到期的时限;请补充需要接班人注意的情况。",
                        className="meta",
                    ),
                    html.Div(id="sh-preview"),
                    form_field("交班说明", dcc.Textarea(id="sh-note", className="textarea")),
                    html.Button("交班", id="sh-handover", className="btn btn-primary"),
                    html.Div(id="sh-msg"),
                ],
                className="panel",
            ),
            dcc.Store(id="sh-changed", data=0),
        ]
    )


def _at(iso: str | None, fmt: str = "%m-%d %H:%M") -> str:
    """A time stored as ISO text in a handover summary, in local time."""
    return format_local(datetime.fromisoformat(iso), fmt) if iso else "—"


def _due_list(items: list[dict]) -> html.Ul | html.Div:
    if not items:
        return html.Div("无", className="empty")
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(level_short(item["level"]), className=f"lvl lvl-{item['level']}"),
                    " ",
                    dcc.Link(f"#{item['event_id']} {item['title']}", href=f"/events/{item['event_id']}"),
                    f" · {item['stage']}{'(值班室)' if item['duty'] else ''} 截止 {_at(item['due_at'])}",
                ]
            )
            for item in items
        ]
    )


def render_summary(summary: dict) -> html.Div:
    """Open work at the handover: counts, what is overdue, what falls due in the next shift."""
    start, end = summary.get("next_shift") or ("", "")
    return html.Div(
        [
            html.Div(
                f"待研判 {summary.get('awaiting_assessment', 0)} 起 · 待回应 {summary.get('awaiting_response', 0)} 起 · "
                f"已回应待办结 {summary.get('responded', 0)} 起 · 已超时时限 {summary.get('overdue_count', 0)} 个",
                className="meta",
            ),
            html.B("已超时:"),
            _due_list(summary.get("overdue", [])),
            html.B(f"下一班({_at(start)}—{_at(end, '%H:%M')})内到期 {summary.get('due_next_count', 0)} 个:"),
            _due_list(summary.get("due_next", [])),
        ]
    )


def render_handover(item: dict, viewer_name: str) -> html.Div:
    """One handover: who, when, the note, what was open, and its acknowledgement (or the button)."""
    pending = not item["acknowledged_by"]
    state = (
        f"{item['acknowledged_by']} 于 {item['acknowledged_at']} 确认接班"
        if not pending
        else "待接班确认" + (" (本人交班,须由接班人确认)" if item["mine"] else "")
    )
    parts = [
        html.H4(f"{item['by']} {item['at']} 交班 · {state}"),
        html.Div(item["note"] or "(无交班说明)", className="summary"),
        render_summary(item["summary"]),
    ]
    if pending and not item["mine"]:
        parts.append(html.Button("确认接班", id={"type": "sh-ack", "id": item["id"]}, className="btn btn-primary"))
    return html.Div(parts, className="handover pending" if pending else "handover", key=str(item["id"]))


@callback(
    Output("sh-panel", "children"),
    Output("sh-preview", "children"),
    Input("tick", "n_intervals"),
    Input("sh-changed", "data"),
)
def refresh(_tick, _changed):
    """The shift, my work in it, recent handovers, and what a handover now would record."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("shift"):
        raise PreventUpdate
    app = yuqing_app()
    now = utcnow()
    with app.db.read() as session:
        mine = query_my_shift(session, app.settings, viewer, now)
        preview = handover_summary(session, app.settings, now)
    panel = html.Div(
        [
            html.Div(
                f"本班 {mine['start']} — {mine['end']} · 值班员 {viewer.display_name} · 本班已研判 {mine['assessed']} 起,"
                f"标记误报/无需处置 {mine['dismissed']} 起",
                className="facts",
                id="sh-facts",
            ),
            html.Div([dcc.Link("打开待研判清单 →", href="/queue")], className="meta"),
            html.H3("最近交班记录"),
            html.Div(
                [render_handover(item, viewer.username) for item in mine["handovers"]]
                or html.Div("尚无交班记录", className="empty"),
                id="sh-handovers",
            ),
        ]
    )
    return panel, render_summary(preview)


@callback(
    Output("sh-msg", "children"),
    Output("sh-changed", "data", allow_duplicate=True),
    Output("sh-note", "value"),
    Input("sh-handover", "n_clicks"),
    State("sh-note", "value"),
    State("sh-changed", "data"),
    prevent_initial_call=True,
)
def hand_over(clicks, note, changed):
    """Record the handover."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = shift_action(yuqing_app(), viewer, "handover", note)
    return result_message(result), (changed or 0) + 1, "" if result.ok else dash.no_update


@callback(
    Output("sh-ack-msg", "children"),
    Output("sh-changed", "data", allow_duplicate=True),
    Input({"type": "sh-ack", "id": ALL}, "n_clicks"),
    State("sh-changed", "data"),
    prevent_initial_call=True,
)
def acknowledge(_clicks, changed):
    """确认接班 on a handover."""
    viewer = current_viewer()
    if viewer is None or not isinstance(ctx.triggered_id, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    result = shift_action(yuqing_app(), viewer, "acknowledge", int(ctx.triggered_id["id"]))
    return result_message(result), (changed or 0) + 1
