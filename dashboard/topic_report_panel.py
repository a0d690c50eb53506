"""The 专题报告 panel of the event page: a cut-off (default now) and the Word and print (PDF) downloads (the
callback lives in the page module, which Dash runs again for every app it builds)."""

from __future__ import annotations

from dash import dcc, html
from dash.exceptions import PreventUpdate

from dashboard.access import Viewer
from dashboard.actions import ActionResult
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import result_message
from dashboard.topic_report import topic_report_file


def topic_report_panel(viewer: Viewer, detail: dict) -> list:
    """The panel, for viewers who may build the event's report (none otherwise)."""
    if not viewer.can_act("topic_report", detail["office_code"]):
        return []
    return [
        html.Section(
            [
                html.H3("专题报告"),
                dcc.Input(
                    id="ed-topic-until",
                    type="text",
                    className="input",
                    placeholder="统计截止时间(默认现在),如 2026-12-01 16:00",
                ),
                html.Div(
                    [
                        html.Button("下载 Word", id="ed-topic-docx", className="btn btn-small"),
                        html.Button("下载打印版(可存为PDF)", id="ed-topic-html", className="btn btn-small"),
                    ],
                    className="toolbar",
                ),
                html.Div("同一截止时间生成的报告内容相同;个人信息已脱敏。", className="meta"),
                dcc.Loading(html.Div(id="ed-topic-msg"), type="dot"),
                dcc.Download(id="ed-topic-download"),
            ],
            className="panel",
            id="ed-topic",
        )
    ]


def send_topic_report(trigger: str, event_id, until: str | None) -> tuple:
    """The event page's callback body: build the report as of the cut-off (rights checked again) and send the file
    of the button pressed, with the outcome under the buttons."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    kind = "docx" if trigger == "ed-topic-docx" else "html"
    outcome, file = topic_report_file(yuqing_app(), viewer, event_id, until, kind)
    message = result_message(ActionResult(outcome.ok, outcome.message))
    if not outcome.ok:
        return None, message
    return dcc.send_bytes(file["content"], file["filename"]), message
