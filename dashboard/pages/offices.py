"""责任单位: per-office open events, on-time rates per stage in a month, and the breaches behind them."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, make_grid
from dashboard.queries.offices import DEADLINE_STAGES, month_options, query_office_breaches, query_office_table
from yuqing.labels import LEVELS, level_short, stage_text
from yuqing.timeutil import utcnow

dash.register_page(__name__, path="/offices", name="责任单位", title="责任单位", order=4)

OFFICE_COLUMNS = (
    [
        {"field": "office", "headerName": "责任单位", "width": 170, "pinned": "left"},
        {
            "field": "open",
            "headerName": "待办",
            "width": 80,
            "headerTooltip": "舆情值班室:待研判事件;责任单位:本单位未办结事件",
        },
    ]
    + [{"field": f"open_{level}", "headerName": level_short(level), "width": 100} for level in LEVELS]
    + [
        {"field": f"rate_{stage}", "headerName": f"{stage_text(stage)}按时率", "width": 150}
        for stage in DEADLINE_STAGES
    ]
    + [{"field": "breaches", "headerName": "本月超时", "width": 90, "cellClassRules": {"cell-bad": "params.value > 0"}}]
)
BREACH_COLUMNS = [
    {"field": "due", "headerName": "截止", "width": 140, "sort": "desc"},
    {"field": "office", "headerName": "责任主体", "width": 160},
    {"field": "stage", "headerName": "环节", "width": 120},
    {"field": "level", "headerName": "等级", "width": 110},
    {"field": "title", "headerName": "事件", "flex": 1, "tooltipField": "title", "cellClass": "cell-link"},
    {"field": "done", "headerName": "完成", "width": 140},
    {"field": "late", "headerName": "超时时长", "width": 150},
]


def layout(**_query):
    """Month picker, the office table and the breach list."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("offices"):
        return denied_page()
    months = month_options(utcnow())
    return html.Div(
        [
            html.Div(
                [
                    html.H2("责任单位"),
                    dcc.Dropdown(
                        id="of-month",
                        options=months,
                        value=months[0]["value"],
                        clearable=False,
                        className="f-mid",
                        persistence=True,
                    ),
                    html.Span(
                        "按时率 = 按时完成 ÷(按时完成 + 超时),统计截止时间落在所选月份的环节;研判由舆情值班室承担,"
                        "核实、回应、处置由责任单位承担,超时记在当时承担的一方名下",
                        className="meta",
                    ),
                ],
                className="toolbar",
            ),
            make_grid(
                "of-table",
                OFFICE_COLUMNS,
                [],
                height="auto",
                row_id="params.data.code",
                grid_options={"domLayout": "autoHeight"},
            ),
            html.H3("超时记录"),
            make_grid("of-breaches", BREACH_COLUMNS, [], height="calc(100vh - 360px)"),
        ]
    )


def office_data(month: str | None) -> tuple[list[dict], list[dict]]:
    """The office rows and the breach rows for the month, as the viewer may see them."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("offices"):
        raise PreventUpdate
    now = utcnow()
    app = yuqing_app()
    with app.db.read() as session:
        table = query_office_table(session, app.settings, viewer, month, now)
        breaches = query_office_breaches(session, app.settings, viewer, month, now)
    return table, breaches


@callback(
    Output("of-table", "rowData"),
    Output("of-breaches", "rowData"),
    Input("of-month", "value"),
    Input("tick", "n_intervals"),
)
def refresh(month, _tick):
    """Rows for both tables."""
    return office_data(month)


@callback(
    Output("nav-url", "pathname", allow_duplicate=True), Input("of-breaches", "cellClicked"), prevent_initial_call=True
)
def open_event(cell):
    """Go to the event of a clicked breach."""
    if not cell or not cell.get("rowId"):
        raise PreventUpdate
    return f"/events/{int(str(cell['rowId']).split('-')[0])}"
