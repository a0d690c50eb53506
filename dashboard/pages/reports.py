"""报告: build the monthly report of the current or a past month, the reports made (here, by the scheduler or on
the command line) with their files to download, the 专题报告 made from event pages (of events the viewer may see),
and the open-event list as an Excel file."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.actions import audit_export, build_monthly_report
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, result_message
from dashboard.export import make_event_workbook
from dashboard.queries.admin import query_reports, report_file
from dashboard.queries.event_detail import visible_event
from dashboard.queries.events import EventFilters, query_event_list
from dashboard.queries.offices import month_options
from yuqing.db.models import Report
from yuqing.reports.topic_data import TopicReportError
from yuqing.reports.topic_records import topic_file
from yuqing.timeutil import format_local, utcnow

dash.register_page(__name__, path="/reports", name="报告", title="报告", order=5)


def layout(**_query):
    """The report list (filled by `refresh`) and the export button."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("reports"):
        return denied_page()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("报告"),
                    html.Button("导出未办结事件清单(Excel)", id="rp-export", className="btn"),
                    html.Span("按条件筛选后导出,请到“事件”页使用“导出Excel”", className="meta"),
                    dcc.Download(id="rp-download"),
                ],
                className="toolbar",
            ),
            *(_monthly_form() if viewer.can_see_town_reports else []),
            dcc.Loading(html.Div(id="rp-build-msg"), type="dot"),
            html.Div(id="rp-download-msg"),
            dcc.Store(id="rp-changed", data=0),
            html.Div(id="rp-list"),
        ]
    )


def _monthly_form() -> list:
    months = month_options(utcnow())
    return [
        html.Div(
            [
                html.B("月度问责报告:"),
                dcc.Dropdown(
                    id="rp-month", options=months, value=months[0]["value"], clearable=False, className="f-mid"
                ),
                html.Button("生成", id="rp-build", className="btn btn-primary"),
                html.Span("本月报告按生成时刻统计;月末后系统自动生成正式报告并替换", className="meta"),
            ],
            className="toolbar",
        )
    ]


def _file_buttons(row: dict) -> list | str:
    if row["topic"]:  # both forms are always offered: a missing one is written again from the cut-off
        return [
            html.Button(label, id={"type": "rp-topic", "report": row["id"], "kind": kind}, className="btn btn-small")
            for kind, label in (("docx", "下载 Word"), ("html", "打印版(可存为PDF)"))
        ]
    buttons = [
        html.Button(
            f["name"], id={"type": "rp-file", "report": row["id"], "index": f["index"]}, className="btn btn-small"
        )
        for f in row["files"]
    ]
    return buttons or "文件缺失"


def _period(row: dict):
    if row["topic"]:  # the event's title as text (Dash escapes it), linking to the event page
        return dcc.Link(row["period"], href=f"/events/{row['event_id']}", className="rp-event")
    return row["period"]


def render_reports(rows: list[dict], town: bool = True) -> html.Table | html.Div:
    """One row per report (专题报告 beside the periodic ones); each file is a download button."""
    if not rows:
        empty = (
            "尚未生成报告(月度问责报告每月自动生成;专题报告在事件页生成)"
            if town
            else "本单位事件尚无专题报告(在事件页生成)"
        )
        return html.Div(empty, className="empty")
    head = html.Tr([html.Th(h) for h in ("类型", "期间 / 事件", "状态", "生成人", "生成时间", "文件")])
    body = [
        html.Tr(
            [
                html.Td(r["kind"]),
                html.Td(_period(r)),
                html.Td(r["state"]),
                html.Td(r["author"]),
                html.Td(r["created"]),
                html.Td(_file_buttons(r)),
            ],
            key=str(r["id"]),
            className="rp-topic-row" if r["topic"] else "rp-row",
        )
        for r in rows
    ]
    return html.Table([html.Thead(head), html.Tbody(body)], className="tbl", id="rp-table")


@callback(Output("rp-list", "children"), Input("tick", "n_intervals"), Input("rp-changed", "data"))
def refresh(tick, _changed):
    """The list of reports: at once after one is built here, else every twelfth refresh tick (the scheduler and
    the command line make one a day at most)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("reports"):
        raise PreventUpdate
    # Only the tick alone may skip: opening the page (no trigger) and a report built here (with or without a tick in
    # the same round) always list them.
    if set(ctx.triggered_prop_ids) == {"tick.n_intervals"} and (tick or 0) % 12:
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        return render_reports(query_reports(session, app.settings, viewer), viewer.can_see_town_reports)


@callback(
    Output("rp-build-msg", "children"),
    Output("rp-changed", "data"),
    Input("rp-build", "n_clicks"),
    State("rp-month", "value"),
    State("rp-changed", "data"),
    prevent_initial_call=True,
)
def build(clicks, month, changed):
    """Build and record the chosen month's report, then list it."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = build_monthly_report(yuqing_app(), viewer, month)
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update


def export_open_events(app, viewer) -> dict:
    """The viewer's open events as an Excel download (audited)."""
    with app.db.read() as session:
        rows = query_event_list(
            session, app.settings, EventFilters.from_form(statuses=["open"]), viewer, utcnow(), limit=100_000
        )
    name = f"未办结事件_{format_local(utcnow(), '%Y%m%d_%H%M')}.xlsx"
    audit_export(app, viewer, "export_events", f"{name}:{len(rows)} 起")
    return dcc.send_bytes(make_event_workbook(rows, "未办结事件"), name)


def send_report_file(app, viewer, report_id: int, index: int) -> dict:
    """One file of a periodic report (only files inside the reports folder), audited."""
    if not viewer.can_see_town_reports:
        raise PreventUpdate
    with app.db.read() as session:
        path = report_file(session, app.settings, report_id, index)
    if path is None:
        raise PreventUpdate
    audit_export(app, viewer, "report_download", path.name)
    return dcc.send_file(str(path))


def send_topic_file(app, viewer, report_id: int, kind: str) -> tuple:
    """A recorded 专题报告 as Word or print page, only if the viewer may see its event (written again from its
    cut-off if the file is gone), audited: (download, message); the message says why a file cannot be had."""
    with app.db.read() as session:
        row = session.get(Report, report_id)
        if row is None or visible_event(session, viewer, row.event_id) is None:
            raise PreventUpdate
    try:
        path = topic_file(app, report_id, kind)
    except TopicReportError as exc:
        return dash.no_update, _refused(f"专题报告文件已不在,按截止时间重新生成也未成功:{exc}")
    if path is None:
        return dash.no_update, _refused("专题报告文件已不在,且没有记录截止时间,无法重新生成;请到事件页重新生成")
    audit_export(app, viewer, "report_download", f"{path.name}(专题报告 {report_id})")
    return dcc.send_file(str(path)), ""


def _refused(message: str) -> html.Div:
    return html.Div(message, className="msg msg-error")


@callback(
    Output("rp-download", "data"),
    Output("rp-download-msg", "children"),
    Input({"type": "rp-file", "report": ALL, "index": ALL}, "n_clicks"),
    Input({"type": "rp-topic", "report": ALL, "kind": ALL}, "n_clicks"),
    Input("rp-export", "n_clicks"),
    prevent_initial_call=True,
)
def download(_files, _topics, _export):
    """A report file, a topic report, or the open-event list as Excel (with a message when a file cannot be had)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("reports") or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    trigger = ctx.triggered_id
    if trigger == "rp-export":
        return export_open_events(yuqing_app(), viewer), ""
    if trigger["type"] == "rp-topic":
        return send_topic_file(yuqing_app(), viewer, int(trigger["report"]), str(trigger["kind"]))
    return send_report_file(yuqing_app(), viewer, int(trigger["report"]), int(trigger["index"])), ""
