"""事件: the filterable, sortable event table, with export of the current list to Excel and the user's saved
filters (the default one applied on opening)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import saved_filter_bar
from dashboard.actions import audit_export
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, make_grid
from dashboard.export import make_event_workbook
from dashboard.queries.events import EVENT_LIST_LIMIT, EventFilters, query_event_list, query_filter_choices
from dashboard.saved_filter_bar import FILTER_IDS, bar, initial
from yuqing.labels import level_options, office_options, status_options, topic_options
from yuqing.timeutil import format_local, utcnow

dash.register_page(__name__, path="/events", name="事件", title="事件", order=1)

PERIODS = [
    {"label": "最近1天", "value": "1"},
    {"label": "最近7天", "value": "7"},
    {"label": "最近30天", "value": "30"},
    {"label": "最近90天", "value": "90"},
    {"label": "最近一年", "value": "365"},
]
LEVEL_CELL_RULES = {f"lvl-cell-{level}": f"params.data.urgency == {level}" for level in (1, 2, 3, 4)}
COLUMNS = [
    {"field": "id", "headerName": "编号", "width": 76, "filter": "agNumberColumnFilter"},
    {"field": "level", "headerName": "等级", "width": 128, "cellClassRules": LEVEL_CELL_RULES},
    {
        "field": "title",
        "headerName": "标题",
        "flex": 3,
        "minWidth": 220,
        "tooltipField": "title",
        "cellClass": "cell-link",
    },
    {"field": "topic", "headerName": "领域", "width": 110},
    {"field": "office", "headerName": "责任单位", "width": 140},
    {"field": "status", "headerName": "状态", "width": 84},
    {"field": "deadline", "headerName": "当前时限", "width": 150, "tooltipField": "deadline"},
    {
        "field": "overdue",
        "headerName": "超时",
        "width": 130,
        "cellClass": "cell-overdue",
        "comparator": {"function": "(a, b, na, nb) => (na.data.overdue_hours || 0) - (nb.data.overdue_hours || 0)"},
    },
    {"field": "source", "headerName": "来源", "flex": 1, "minWidth": 120, "tooltipField": "source"},
    {"field": "village", "headerName": "村", "width": 80},
    {"field": "detected", "headerName": "发现时间", "width": 134, "sort": "desc"},
    {"field": "mentions", "headerName": "信息数", "width": 74, "filter": "agNumberColumnFilter"},
    {"field": "heat", "headerName": "热度", "width": 72, "filter": "agNumberColumnFilter"},
]


def layout(**_query):
    """Filters above the grid; the grid's rows are filled and refreshed by `refresh`."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("events"):
        return denied_page()
    app = yuqing_app()
    with app.db.read() as session:
        offices = office_options(session, active_only=False)
        choices = query_filter_choices(session, viewer)
    statuses = [{"label": "未办结(全部)", "value": "open"}] + status_options()
    saved, default, start = initial(viewer.username)
    keep = {"persistence": True, "persistence_type": "session"}
    return html.Div(
        [
            html.Div(
                [
                    html.H2("事件"),
                    dcc.Dropdown(
                        id="ev-topics",
                        value=start.get("topics"),
                        options=topic_options(app.settings),
                        multi=True,
                        placeholder="领域",
                        className="f-wide",
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-levels",
                        value=start.get("levels"),
                        options=level_options(),
                        multi=True,
                        placeholder="等级",
                        className="f-mid",
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-offices",
                        value=start.get("offices"),
                        options=offices,
                        multi=True,
                        placeholder="责任单位",
                        className="f-wide",
                        style={"display": "none"} if viewer.office_bound else {},
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-statuses",
                        options=statuses,
                        value=start.get("statuses"),
                        multi=True,
                        placeholder="状态",
                        className="f-mid",
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-source",
                        options=choices["sources"],
                        value=start.get("source"),
                        placeholder="来源",
                        className="f-mid",
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-village",
                        options=choices["villages"],
                        value=start.get("village"),
                        placeholder="村",
                        className="f-narrow",
                        **keep,
                    ),
                    dcc.Dropdown(
                        id="ev-period",
                        options=PERIODS,
                        value=start.get("period"),
                        placeholder="时间",
                        className="f-narrow",
                        **keep,
                    ),
                    dcc.Input(
                        id="ev-text",
                        type="search",
                        value=start.get("text") or "",
                        placeholder="标题关键词",
                        debounce=True,
                        className="f-text",
                        **keep,
                    ),
                    html.Button("导出Excel", id="ev-export", className="btn"),
                    dcc.Download(id="ev-download"),
                ],
                className="toolbar wrap",
            ),
            bar(saved, default),
            html.Div(id="ev-count", className="updated"),
            make_grid("ev-grid", COLUMNS, [], height="calc(100vh - 205px)"),
        ]
    )


def filters_from(values: list) -> EventFilters:
    """EventFilters from the filter components' values, in FILTER_IDS order."""
    topics, levels, offices, statuses, source, village, period, text = values
    return EventFilters.from_form(topics, levels, offices, statuses, source, village, period, text)


def event_rows(filters: EventFilters) -> list[dict]:
    """The rows the grid shows for these filters and the current viewer."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("events"):
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        return query_event_list(session, app.settings, filters, viewer, utcnow())


def count_text(rows: list[dict]) -> str:
    """“共 12 起” or the note that only the newest are shown."""
    now = format_local(utcnow(), "%H:%M:%S")
    if len(rows) >= EVENT_LIST_LIMIT:
        return f"仅显示最新 {EVENT_LIST_LIMIT} 起,请用筛选条件缩小范围 · 更新于 {now}"
    return f"共 {len(rows)} 起 · 更新于 {now}"


@callback(
    Output("ev-grid", "rowData"),
    Output("ev-count", "children"),
    Input("tick", "n_intervals"),
    *[Input(i, "value") for i in FILTER_IDS],
)
def refresh(_tick, *values):
    """New rows for the grid; the grid keeps its own sort, column filters, selection and scroll position."""
    rows = event_rows(filters_from(list(values)))
    return rows, count_text(rows)


@callback(
    Output("nav-url", "pathname", allow_duplicate=True), Input("ev-grid", "cellClicked"), prevent_initial_call=True
)
def open_event(cell):
    """Go to the event page of a clicked row."""
    if not cell or not cell.get("rowId"):
        raise PreventUpdate
    return f"/events/{int(cell['rowId'])}"


@callback(
    Output("ev-download", "data"),
    Input("ev-export", "n_clicks"),
    *[State(i, "value") for i in FILTER_IDS],
    prevent_initial_call=True,
)
def export(clicks, *values):
    """The list as filtered (and as the viewer may see it) in an Excel file."""
    if not clicks:
        raise PreventUpdate
    rows = event_rows(filters_from(list(values)))
    name = f"事件清单_{format_local(utcnow(), '%Y%m%d_%H%M')}.xlsx"
    audit_export(yuqing_app(), current_viewer(), "export_events", f"{name}:{len(rows)} 起")
    return dcc.send_bytes(make_event_workbook(rows), name)


def _events_viewer():
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("events"):
        raise PreventUpdate
    return viewer


@callback(
    *[Output(i, "value") for i in FILTER_IDS],
    Output("ev-saved", "value"),
    Input("ev-saved", "value"),
    *[Input(i, "value") for i in FILTER_IDS],
    prevent_initial_call=True,
)
def follow_saved(filter_id, *values):
    """我的筛选: picking one sets the filters; changing a filter by hand leaves it."""
    return saved_filter_bar.follow(_events_viewer().username, ctx.triggered_id, filter_id, list(values))


@callback(
    Output("ev-saved", "options"),
    Output("ev-saved", "value", allow_duplicate=True),
    Output("ev-saved-msg", "children"),
    Input("ev-save", "n_clicks"),
    Input("ev-default", "n_clicks"),
    Input("ev-delete", "n_clicks"),
    State("ev-save-name", "value"),
    State("ev-saved", "value"),
    *[State(i, "value") for i in FILTER_IDS],
    prevent_initial_call=True,
)
def manage_saved(_save, _default, _delete, name, filter_id, *values):
    """我的筛选: save the current filters under a name, make the picked one the default, or delete it."""
    return saved_filter_bar.manage(_events_viewer().username, ctx.triggered_id, name, filter_id, list(values))
