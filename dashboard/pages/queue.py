"""待研判: the duty desk's work list, the nearest 研判 deadline first, with bulk actions for level 3–4 events."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.actions import triage_selected
from dashboard.auth import clicking_viewer, current_viewer, yuqing_app
from dashboard.components import denied_page, make_grid, result_message
from dashboard.queries.queue import query_assessment_queue
from yuqing.timeutil import format_local, utcnow

dash.register_page(__name__, path="/queue", name="待研判", title="待研判", order=1)

LEVEL_CELL_RULES = {f"lvl-cell-{level}": f"params.data.urgency == {level}" for level in (1, 2, 3, 4)}
COLUMNS = [
    {
        "field": "countdown",
        "headerName": "研判时限",
        "width": 150,
        "tooltipField": "due",
        "cellClassRules": {"cell-overdue": "params.data.overdue"},
    },
    {
        "field": "used",
        "headerName": "已用(%)",
        "width": 86,
        "filter": "agNumberColumnFilter",
        "cellClassRules": {"cell-bad": "params.value >= 80"},
    },
    {"field": "level", "headerName": "建议等级", "width": 118, "cellClassRules": LEVEL_CELL_RULES},
    {
        "field": "title",
        "headerName": "事件",
        "flex": 3,
        "minWidth": 220,
        "tooltipField": "title",
        "cellClass": "cell-link",
    },
    {"field": "topic", "headerName": "建议领域", "width": 110},
    {"field": "office", "headerName": "建议责任单位", "width": 150, "tooltipField": "route_reason"},
    {"field": "route_reason", "headerName": "分派依据", "flex": 1, "minWidth": 140, "tooltipField": "route_reason"},
    {"field": "mentions", "headerName": "信息数", "width": 74},
    {"field": "detected", "headerName": "发现", "width": 100},
]
SELECTION = {
    "mode": "multiRow",
    "checkboxes": True,
    "headerCheckbox": True,
    "enableClickSelection": False,
    # Only 较大/一般 events with an office can be triaged in bulk; 特别重大/重大 are assessed one by one.
    "isRowSelectable": {"function": "params.data ? params.data.bulk : false"},
}
BULK_BUTTONS = {"q-assess": "assess", "q-false": "false_alarm", "q-noaction": "no_action"}


def layout(**_query):
    """The toolbar with the bulk actions, and the queue grid (filled and refreshed by `refresh`)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("queue"):
        return denied_page()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("待研判"),
                    html.Span(id="q-count", className="updated"),
                    html.Span("按研判时限排序;1–2 级事件请点开逐个研判,3–4 级事件可勾选后批量处理", className="meta"),
                ],
                className="toolbar",
            ),
            html.Div(
                [
                    html.Button("按建议研判所选", id="q-assess", className="btn btn-primary"),
                    dcc.Input(
                        id="q-reason", type="text", className="input", placeholder="理由(标记误报、无需处置时必填)"
                    ),
                    html.Button("所选标为误报", id="q-false", className="btn btn-danger"),
                    html.Button("所选标为无需处置", id="q-noaction", className="btn"),
                    html.Div(id="q-msg"),
                ],
                className="bulk-bar",
            ),
            make_grid("q-grid", COLUMNS, [], height="calc(100vh - 250px)", grid_options={"rowSelection": SELECTION}),
            dcc.Store(id="q-changed", data=0),
        ]
    )


def queue_rows() -> list[dict]:
    """The queue for the current viewer (duty officers only)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("queue"):
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        return query_assessment_queue(session, app.settings, utcnow())


@callback(
    Output("q-grid", "rowData"), Output("q-count", "children"), Input("tick", "n_intervals"), Input("q-changed", "data")
)
def refresh(_tick, _changed):
    """New rows; the grid keeps its selection (stable row ids), sort and scroll."""
    rows = queue_rows()
    overdue = sum(row["overdue"] for row in rows)
    return rows, f"共 {len(rows)} 起,其中已超时 {overdue} 起 · 更新于 {format_local(utcnow(), '%H:%M:%S')}"


@callback(
    Output("q-msg", "children"),
    Output("q-changed", "data"),
    Output("q-grid", "selectedRows"),
    Input("q-assess", "n_clicks"),
    Input("q-false", "n_clicks"),
    Input("q-noaction", "n_clicks"),
    State("q-grid", "selectedRows"),
    State("q-reason", "value"),
    State("q-changed", "data"),
    prevent_initial_call=True,
)
def bulk(_assess, _false, _noaction, selected, reason, changed):
    """Carry out a bulk action on the selected rows; the rows handled leave the queue."""
    viewer = clicking_viewer()
    result = triage_selected(yuqing_app(), viewer, BULK_BUTTONS[ctx.triggered_id], selected, reason)
    return result_message(result), (changed or 0) + 1, []


@callback(
    Output("nav-url", "pathname", allow_duplicate=True), Input("q-grid", "cellClicked"), prevent_initial_call=True
)
def open_event(cell):
    """Go to the event page of a clicked title."""
    if not cell or not cell.get("rowId") or cell.get("colId") != "title":
        raise PreventUpdate
    return f"/events/{int(cell['rowId'])}"
