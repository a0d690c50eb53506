"""趋势: mentions and events by topic over time, topic × village heat map, emerging bursts, negative share."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, level_badge
from dashboard.figures import (
    make_negative_share_figure,
    make_topic_time_figure,
    make_topic_village_figure,
)
from dashboard.queries.trends import (
    query_emerging,
    query_events_by_topic,
    query_mentions_by_topic,
    query_negative_share,
    query_topic_village,
)
from yuqing.timeutil import utcnow

dash.register_page(__name__, path="/trends", name="趋势", title="趋势", order=2)

RANGES = [{"label": "最近7天", "value": 7}, {"label": "最近30天", "value": 30}, {"label": "最近90天", "value": 90}]
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def layout(**_query):
    """Range picker, four charts and the list of emerging events."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("trends"):
        return denied_page()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("趋势"),
                    dcc.RadioItems(id="tr-days", options=RANGES, value=30, inline=True, persistence=True),
                ],
                className="toolbar",
            ),
            html.Div(
                [
                    html.Section(dcc.Graph(id="tr-mentions", config=GRAPH_CONFIG), className="panel half"),
                    html.Section(dcc.Graph(id="tr-events", config=GRAPH_CONFIG), className="panel half"),
                    html.Section(dcc.Graph(id="tr-villages", config=GRAPH_CONFIG), className="panel half"),
                    html.Section(dcc.Graph(id="tr-negative", config=GRAPH_CONFIG), className="panel half"),
                ],
                className="grid-2",
            ),
            html.Section(
                [html.H3("新兴突发(热度快速上升的未办结事件)"), html.Div(id="tr-emerging")], className="panel"
            ),
        ]
    )


def render_emerging(rows: list[dict]) -> html.Table | html.Div:
    """The emerging events, linked to their pages."""
    if not rows:
        return html.Div("当前没有新兴突发事件", className="empty")
    head = html.Tr([html.Th(h) for h in ("等级", "事件", "领域", "责任单位", "状态", "每小时信息", "信息数", "发现")])
    body = [
        html.Tr(
            [
                html.Td(level_badge(r["urgency"])),
                html.Td(dcc.Link(r["title"], href=f"/events/{r['id']}")),
                html.Td(r["topic"]),
                html.Td(r["office"]),
                html.Td(r["status"]),
                html.Td(str(r["velocity"])),
                html.Td(str(r["mentions"])),
                html.Td(r["detected"]),
            ],
            key=str(r["id"]),
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="tbl")


@callback(
    Output("tr-mentions", "figure"),
    Output("tr-events", "figure"),
    Output("tr-villages", "figure"),
    Output("tr-negative", "figure"),
    Output("tr-emerging", "children"),
    Input("tr-days", "value"),
    Input("tick", "n_intervals"),
)
def refresh(days, tick):
    """Charts for the chosen range; on the refresh tick only every twelfth time (they change slowly)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("trends"):
        raise PreventUpdate
    if set(dash.ctx.triggered_prop_ids) == {"tick.n_intervals"} and (tick or 0) % 12:  # the tick alone
        raise PreventUpdate
    days = days if days in (7, 30, 90) else 30
    app = yuqing_app()
    now = utcnow()
    with app.db.read() as session:
        mentions = query_mentions_by_topic(session, app.settings, now, days)
        events = query_events_by_topic(session, app.settings, viewer, now, days)
        villages = query_topic_village(session, app.settings, now, days)
        negative = query_negative_share(session, now, days)
        emerging = query_emerging(session, app.settings, viewer)
    return (
        make_topic_time_figure(mentions, "相关信息数(按领域,每日)"),
        make_topic_time_figure(events, "新发现事件数(按领域,每日)"),
        make_topic_village_figure(villages),
        make_negative_share_figure(negative),
        render_emerging(emerging),
    )
