"""分类复核: the unlabelled messages whose topic the town's model is least sure of, first; the duty officer confirms
the topic, changes it or marks messages not relevant, in bulk. Every answer is a label the next retraining learns."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.actions import review_selected
from dashboard.auth import clicking_viewer, current_viewer, yuqing_app
from dashboard.components import denied_page, form_field, make_grid, result_message
from yuqing.labels import SOURCE_TYPE_NAMES, topic_options, topic_text
from yuqing.review_queue import POOL, review_queue
from yuqing.timeutil import format_local

dash.register_page(__name__, path="/review", name="分类复核", title="分类复核", order=1)

SHOWN = 50  # one sitting's worth: the queue is ranked again after the next retraining
COLUMNS = [
    {"field": "topic", "headerName": "系统领域", "width": 110},
    {"field": "guess", "headerName": "模型判断", "width": 110, "tooltipField": "reason"},
    {"field": "runner_up", "headerName": "次选领域", "width": 110, "tooltipField": "reason"},
    {"field": "title", "headerName": "标题", "flex": 2, "minWidth": 160, "tooltipField": "title"},
    {"field": "excerpt", "headerName": "内容", "flex": 3, "minWidth": 220, "tooltipField": "excerpt"},
    {"field": "source", "headerName": "来源", "width": 90},
    {"field": "seen", "headerName": "发现", "width": 100},
    {"field": "reason", "headerName": "列入原因", "flex": 2, "minWidth": 180, "tooltipField": "reason"},
]
SELECTION = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True, "enableClickSelection": False}
BUTTONS = {"rv-confirm": "confirm", "rv-change": "topic", "rv-irrelevant": "irrelevant"}


def layout(**_query):
    """The toolbar with the review actions, and the queue grid (filled by `refresh`)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("review"):
        return denied_page()
    app = yuqing_app()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("分类复核"),
                    html.Span(id="rv-count", className="updated"),
                    form_field(
                        "只看领域",
                        dcc.Dropdown(id="rv-filter", options=topic_options(app.settings), placeholder="全部领域"),
                    ),
                ],
                className="toolbar",
            ),
            html.Div(id="rv-basis", className="meta"),
            html.Div(
                [
                    html.Button("确认所选的系统领域", id="rv-confirm", className="btn btn-primary"),
                    form_field("改为", dcc.Dropdown(id="rv-topic", options=topic_options(app.settings))),
                    html.Button("所选改为此领域", id="rv-change", className="btn"),
                    html.Button("所选标为不相关", id="rv-irrelevant", className="btn btn-danger"),
                    html.Div(id="rv-msg"),
                ],
                className="bulk-bar",
            ),
            make_grid("rv-grid", COLUMNS, [], height="calc(100vh - 280px)", grid_options={"rowSelection": SELECTION}),
            dcc.Store(id="rv-changed", data=0),
        ]
    )


@callback(
    Output("rv-grid", "rowData"),
    Output("rv-count", "children"),
    Output("rv-basis", "children"),
    Input("rv-changed", "data"),
    Input("rv-filter", "value"),
)
def refresh(_changed, topic):
    """The first messages of the queue, or of one topic's (ranked on opening the page, on choosing a topic and after
    each review, not on every tick)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("review"):
        raise PreventUpdate
    app = yuqing_app()
    settings = app.settings
    queue = review_queue(app, limit=SHOWN, topic=topic if topic in settings.topic_names() else None)
    rows = [
        {
            "id": item.mention_id,
            "topic": topic_text(settings, item.topic),
            "guess": topic_text(settings, item.guess) if item.guess else "",
            "runner_up": topic_text(settings, item.runner_up) if item.runner_up else "",
            "title": item.title or "(无标题)",
            "excerpt": item.excerpt,
            "source": SOURCE_TYPE_NAMES.get(item.source_type, item.source_type),
            "seen": format_local(item.seen_at, "%m-%d %H:%M"),
            "reason": item.reason,
            "spot_check": item.spot_check,  # not a column: the review keeps the label as a spot check
        }
        for item in queue.items
    ]
    within = f"最近 {POOL} 条" if queue.pool >= POOL else f"{queue.pool} 条"
    scope = f"归为“{topic_text(settings, queue.topic)}”的" if queue.topic else ""
    count = f"近 30 天未标注的{scope}信息 {within}中,列出最值得复核的 {len(rows)} 条"
    basis = [html.Div(queue.basis)]
    if queue.uncovered:
        names = "、".join(f"“{topic_text(settings, topic)}”" for topic in queue.uncovered)
        basis.append(
            html.Div(
                f"最新训练的模型 {queue.ranked_by} 未自动切换:标注中{names}的信息太少。请在“只看领域”中选择这些领域,"
                "确认其中的信息后再训练。",
                className="notice notice-warn",
            )
        )
    return rows, count, basis


@callback(
    Output("rv-msg", "children"),
    Output("rv-changed", "data"),
    Output("rv-grid", "selectedRows"),
    Input("rv-confirm", "n_clicks"),
    Input("rv-change", "n_clicks"),
    Input("rv-irrelevant", "n_clicks"),
    State("rv-grid", "selectedRows"),
    State("rv-topic", "value"),
    State("rv-changed", "data"),
    prevent_initial_call=True,
)
def review(_confirm, _change, _irrelevant, selected, topic, changed):
    """Record the review of the selected rows; the rows reviewed leave the queue."""
    viewer = clicking_viewer()
    result = review_selected(yuqing_app(), viewer, BUTTONS[ctx.triggered_id], selected, topic)
    return result_message(result), (changed or 0) + 1, []
