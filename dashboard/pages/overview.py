"""值班总览: counts by level, the most urgent open events with countdowns, the newest relevant mentions."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.access import Viewer
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, external_link, level_badge
from dashboard.queries.overview import (
    COUNT_KINDS,
    query_mention,
    query_newest_mentions,
    query_overview_counts,
    query_urgent_events,
)
from yuqing.labels import LEVELS, level_text, office_options
from yuqing.settings_model import LEVEL_COLOURS
from yuqing.timeutil import format_local, utcnow

dash.register_page(__name__, path="/", name="值班总览", title="值班总览", order=0)


def layout(**_query):
    """The overview frame; its contents are filled, and refreshed, by `refresh`."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("overview"):
        return denied_page()
    with yuqing_app().db.read() as session:
        offices = office_options(session)
    return html.Div(
        [
            html.Div(
                [
                    html.H2("值班总览"),
                    dcc.Checklist(
                        id="ov-levels",
                        options=[{"label": level_text(level), "value": level} for level in LEVELS],
                        value=list(LEVELS),
                        inline=True,
                        persistence=True,
                        className="filter-levels",
                    ),
                    dcc.Dropdown(
                        id="ov-office",
                        options=offices,
                        placeholder="全部责任单位",
                        persistence=True,
                        className="filter-office",
                        style={"display": "none"} if viewer.office_bound else {},
                    ),
                    dcc.Checklist(
                        id="ov-overdue",
                        options=[{"label": "只看已超时", "value": "overdue"}],
                        value=[],
                        inline=True,
                        persistence=True,
                    ),
                    html.Span(id="ov-updated", className="updated"),
                ],
                className="toolbar",
            ),
            html.Div(id="ov-counts", className="counts"),
            html.Div(
                [
                    html.Section(
                        [html.H3("待办事件(按最近时限排序)"), html.Div(id="ov-events", className="scroll-box")],
                        className="panel panel-wide",
                    ),
                    html.Section(
                        [html.H3("最新相关信息"), html.Div(id="ov-mentions", className="scroll-box")],
                        className="panel panel-narrow",
                    ),
                ],
                className="panels",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Strong("信息详情"),
                                    html.Button("关闭", id="ov-dialog-close", className="btn btn-small"),
                                ],
                                className="dialog-head",
                            ),
                            html.Div(id="ov-dialog-body", className="dialog-body"),
                        ],
                        className="dialog",
                    ),
                ],
                id="ov-dialog",
                className="dialog-backdrop",
                hidden=True,
            ),
        ]
    )


def render_counts(counts: dict[str, dict[int, int]]) -> html.Table:
    """The counts grid: one row per kind, one column per level, and a total."""
    head = html.Tr([html.Th("")] + [html.Th(level_badge(level)) for level in LEVELS] + [html.Th("合计")])
    rows = []
    for kind, label in COUNT_KINDS.items():
        cells = [
            html.Td(
                str(counts[kind][level]), className=f"count lvl-text-{level}" if counts[kind][level] else "count zero"
            )
            for level in LEVELS
        ]
        total = sum(counts[kind].values())
        rows.append(
            html.Tr(
                [html.Th(label)] + cells + [html.Td(str(total), className="count total")], className=f"count-{kind}"
            )
        )
    return html.Table([html.Thead(head), html.Tbody(rows)], className="tbl counts-table", id="ov-counts-table")


def render_urgent(rows: list[dict]) -> html.Table | html.Div:
    """The urgent-events table: level, title (a link to the event), office, status, countdown."""
    if not rows:
        return html.Div("当前没有待办事件", className="empty")
    head = html.Tr([html.Th(h) for h in ("等级", "事件", "责任单位", "状态", "时限", "信息")])
    body = [
        html.Tr(
            [
                html.Td(level_badge(r["urgency"])),
                html.Td(
                    [
                        dcc.Link(r["title"], href=f"/events/{r['id']}", className="event-link"),
                        html.Span(" 突发", className="tag-burst") if r["emerging"] else "",
                    ]
                ),
                html.Td(r["office"]),
                html.Td(r["status"]),
                html.Td(
                    r["countdown"],
                    className="countdown overdue" if r["overdue"] else "countdown",
                    title=f"截止 {r['due']}" if r["due"] else None,
                ),
                html.Td(str(r["mentions"]), className="num"),
            ],
            key=str(r["id"]),
            className="row-overdue" if r["overdue"] else None,
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="tbl urgent-table", id="ov-urgent-table")


def render_mentions(rows: list[dict]) -> html.Ul | html.Div:
    """The newest mentions as a list; each opens the detail dialog."""
    if not rows:
        return html.Div("暂无相关信息", className="empty")
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(r["seen"], className="time"),
                    html.Span(LEVEL_COLOURS.get(r["urgency"], ""), className=f"lvl lvl-{r['urgency']} lvl-dot"),
                    html.Button(r["title"], id={"type": "ov-mention", "id": r["id"]}, className="link-button"),
                    html.Span(f"{r['source']} · {r['topic']}", className="meta"),
                ],
                key=str(r["id"]),
            )
            for r in rows
        ],
        className="mention-list",
    )


def render_mention(mention: dict | None) -> list:
    """The dialog body for one mention (all text escaped by Dash)."""
    if mention is None:
        return [html.P("该信息不存在或无权查看")]
    parts = [
        html.H4(mention["title"]),
        html.P(
            f"{mention['source']} · 发布 {mention['published']} · 发现 {mention['seen']} · {mention['level']} · "
            f"{mention['topic']}",
            className="meta",
        ),
        html.Div(mention["content"], className="mention-content"),
    ]
    if mention["reasons"]:
        parts.append(html.P("预警依据:" + ";".join(str(r) for r in mention["reasons"]), className="meta"))
    if mention["url"]:
        parts.append(html.P(["原文链接:", external_link(mention["url"])]))
    if mention["event_id"]:
        parts.append(dcc.Link("查看所属事件 →", href=f"/events/{mention['event_id']}"))
    return parts


def overview_parts(viewer: Viewer, levels, office, overdue) -> tuple:
    """What `refresh` returns: counts, urgent events, newest mentions, the time of the update."""
    app = yuqing_app()
    now = utcnow()
    with app.db.read() as session:
        counts = query_overview_counts(session, viewer, now)
        urgent = query_urgent_events(
            session,
            app.settings,
            viewer,
            now,
            levels=levels or None,
            office=None if viewer.office_bound else office,
            overdue_only="overdue" in (overdue or []),
        )
        mentions = query_newest_mentions(session, app.settings, viewer)
    return (
        render_counts(counts),
        render_urgent(urgent),
        render_mentions(mentions),
        f"更新于 {format_local(now, '%H:%M:%S')}",
    )


@callback(
    Output("ov-counts", "children"),
    Output("ov-events", "children"),
    Output("ov-mentions", "children"),
    Output("ov-updated", "children"),
    Input("tick", "n_intervals"),
    Input("ov-levels", "value"),
    Input("ov-office", "value"),
    Input("ov-overdue", "value"),
)
def refresh(_tick, levels, office, overdue):
    """Replace only the data inside the panels, so filters, scroll and the open dialog stay as they are."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("overview"):
        raise PreventUpdate
    return overview_parts(viewer, levels, office, overdue)


@callback(
    Output("ov-dialog", "hidden"),
    Output("ov-dialog-body", "children"),
    Input({"type": "ov-mention", "id": ALL}, "n_clicks"),
    Input("ov-dialog-close", "n_clicks"),
    prevent_initial_call=True,
)
def toggle_dialog(_clicks, _close):
    """Open the dialog for a clicked mention (checked against the viewer's rights), or close it."""
    if ctx.triggered_id == "ov-dialog-close":
        return True, no_update
    if not isinstance(ctx.triggered_id, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        mention = query_mention(session, app.settings, viewer, int(ctx.triggered_id["id"]))
    return False, render_mention(mention)
