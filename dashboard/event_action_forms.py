"""The event page's action forms: which workflow actions the viewer can take on the event now, one tab of form per
action, or a note saying why there is none."""

from __future__ import annotations

from dash import dcc, html

from dashboard.access import Viewer
from dashboard.components import form_field
from yuqing.db.models import OPEN_STATUSES
from yuqing.labels import CLOSE_KINDS, CORRECTION_KINDS, RESPONSE_STAGES, level_options, stage_text, topic_options
from yuqing.settings_model import Settings
from yuqing.timeutil import format_local, utcnow
from yuqing.workflow.actions import ACTION_STATUSES


def possible(viewer: Viewer, detail: dict, action: str) -> bool:
    """Whether the viewer may take the action on this event, and the event's status allows it now."""
    return viewer.can_act(action, detail["office_code"]) and detail["status_code"] in ACTION_STATUSES[action]


def possible_actions(viewer: Viewer, detail: dict) -> list[str]:
    """The actions the viewer can take on this event now (the forms shown, and when they must be redrawn)."""
    return [action for action in ACTION_STATUSES if possible(viewer, detail, action)]


def _no_action_note(viewer: Viewer, detail: dict) -> str:
    if detail["status_code"] == "merged":
        return f"本事件已并入事件 #{detail['merged_into']},请在该事件上办理"
    if detail["status_code"] not in OPEN_STATUSES:
        return f"本事件{detail['status']},无可进行的操作"
    if viewer.office_bound and not viewer.can_see_event(detail["office_code"]):
        return f"本事件由{detail['office']}承办;贵单位此前收到的事件已并入本事件,可查看,不能操作"
    return "当前角色只读,不能对本事件进行操作"


def action_forms(settings: Settings, viewer: Viewer, detail: dict, offices: list[dict]) -> list:
    """One tab per action the viewer may take on this event now; a note saying why when there is none."""
    office = detail["office_code"]
    tabs = []
    if possible(viewer, detail, "assess"):
        tabs.append(
            dcc.Tab(
                label="研判",
                value="assess",
                children=[
                    form_field(
                        "领域",
                        dcc.Dropdown(
                            id="ed-assess-topic",
                            options=topic_options(settings),
                            value=detail["topic_code"],
                            clearable=False,
                        ),
                    ),
                    form_field(
                        "预警等级",
                        dcc.RadioItems(
                            id="ed-assess-level", options=level_options(), value=detail["urgency"], inline=True
                        ),
                    ),
                    form_field("责任单位", dcc.Dropdown(id="ed-assess-office", options=offices, value=office)),
                    form_field("备注", dcc.Textarea(id="ed-assess-comment", className="textarea")),
                    html.Button("确认研判", id="ed-assess-submit", className="btn btn-primary"),
                    html.Div(id="ed-assess-msg"),
                ],
            )
        )
    if possible(viewer, detail, "respond"):
        tabs.append(
            dcc.Tab(
                label="回应",
                value="respond",
                children=[
                    form_field(
                        "类型",
                        dcc.Dropdown(
                            id="ed-respond-stage",
                            value="respond",
                            clearable=False,
                            options=[{"label": stage_text(s), "value": s} for s in RESPONSE_STAGES],
                        ),
                    ),
                    form_field(
                        "发布渠道",
                        dcc.Input(
                            id="ed-respond-channel",
                            type="text",
                            className="input",
                            placeholder="如:镇政府网站、政务微博、新闻发布会",
                        ),
                    ),
                    form_field(
                        "链接", dcc.Input(id="ed-respond-url", type="text", className="input", placeholder="https://…")
                    ),
                    form_field("发布内容", dcc.Textarea(id="ed-respond-content", className="textarea")),
                    form_field(
                        "发布时间",
                        dcc.Input(id="ed-respond-time", type="text", className="input", value=format_local(utcnow())),
                        "北京时间,格式 2026-11-25 14:30",
                    ),
                    form_field("备注", dcc.Input(id="ed-respond-comment", type="text", className="input")),
                    html.Button("登记回应", id="ed-respond-submit", className="btn btn-primary"),
                    html.Div(id="ed-respond-msg"),
                ],
            )
        )
    if possible(viewer, detail, "reassign"):
        tabs.append(
            dcc.Tab(
                label="改派",
                value="reassign",
                children=[
                    form_field("改派给", dcc.Dropdown(id="ed-reassign-office", options=offices)),
                    form_field("原因", dcc.Input(id="ed-reassign-comment", type="text", className="input")),
                    html.Button("改派", id="ed-reassign-submit", className="btn"),
                    html.Div(id="ed-reassign-msg"),
                ],
            )
        )
    if possible(viewer, detail, "close"):
        tabs.append(
            dcc.Tab(
                label="办结",
                value="close",
                children=[
                    form_field("办结说明", dcc.Textarea(id="ed-close-comment", className="textarea")),
                    html.Button("办结", id="ed-close-submit", className="btn btn-primary"),
                    html.Div(id="ed-close-msg"),
                ],
            )
        )
    if possible(viewer, detail, "false_alarm"):
        tabs.append(
            dcc.Tab(
                label="误报",
                value="false_alarm",
                children=[
                    form_field(
                        "结论",
                        dcc.RadioItems(
                            id="ed-false-kind",
                            inline=True,
                            value="false_alarm",
                            options=[{"label": v, "value": k} for k, v in CLOSE_KINDS.items()],
                        ),
                    ),
                    form_field("原因", dcc.Textarea(id="ed-false-reason", className="textarea")),
                    html.Button("标记", id="ed-false-submit", className="btn btn-danger"),
                    html.Div(id="ed-false-msg"),
                ],
            )
        )
    if possible(viewer, detail, "merge"):
        tabs.append(
            dcc.Tab(
                label="合并",
                value="merge",
                children=[
                    form_field(
                        "并入事件",
                        dcc.Input(id="ed-merge-target", type="text", className="input", placeholder="#128"),
                        "与另一事件属同一事项时,把本事件并入该事件(本事件的信息、回应、热度转入,时限停止计时)",
                    ),
                    form_field("原因", dcc.Input(id="ed-merge-comment", type="text", className="input")),
                    html.Button("合并", id="ed-merge-submit", className="btn"),
                    html.Div(id="ed-merge-msg"),
                ],
            )
        )
    if possible(viewer, detail, "split"):
        tabs.append(
            dcc.Tab(
                label="拆分",
                value="split",
                children=[
                    form_field(
                        "拆出的信息",
                        dcc.Input(id="ed-split-ids", type="text", className="input", placeholder="#1203, #1207"),
                        "所选信息说的是另一起事情时,把它们拆出为新事件(新事件单独分派、计时、提醒);编号见下方信息列表",
                    ),
                    form_field("原因", dcc.Input(id="ed-split-comment", type="text", className="input")),
                    html.Button("拆分", id="ed-split-submit", className="btn"),
                    html.Div(id="ed-split-msg"),
                ],
            )
        )
    if possible(viewer, detail, "unmerge"):
        tabs.append(
            dcc.Tab(
                label="撤销合并",
                value="unmerge",
                children=[
                    html.Div(
                        f"本事件已并入事件 #{detail['merged_into']}。若并非同一事项,可撤销合并:本事件带入的信息和回应取回,"
                        "事件重新计时并通知责任单位。",
                        className="meta",
                    ),
                    form_field("原因", dcc.Input(id="ed-unmerge-comment", type="text", className="input")),
                    html.Button("撤销合并", id="ed-unmerge-submit", className="btn"),
                    html.Div(id="ed-unmerge-msg"),
                ],
            )
        )
    if possible(viewer, detail, "correct"):
        tabs.append(
            dcc.Tab(
                label="纠正信息",
                value="correct",
                children=[
                    form_field(
                        "信息编号",
                        dcc.Input(id="ed-correct-id", type="text", className="input", placeholder="#1203"),
                        "系统对某条信息判断有误时纠正它(或点时间线中该信息的“纠正”);纠正记入审计,并用于训练本镇的领域模型",
                    ),
                    form_field(
                        "纠正为",
                        dcc.RadioItems(
                            id="ed-correct-kind",
                            value="topic",
                            options=[{"label": v, "value": k} for k, v in CORRECTION_KINDS.items()],
                        ),
                    ),
                    form_field(
                        "正确的领域",
                        dcc.Dropdown(id="ed-correct-topic", options=topic_options(settings), clearable=False),
                    ),
                    form_field("原因", dcc.Input(id="ed-correct-comment", type="text", className="input")),
                    html.Button("纠正", id="ed-correct-submit", className="btn"),
                    html.Div(id="ed-correct-msg"),
                ],
            )
        )
    if not tabs:
        return [html.Div(_no_action_note(viewer, detail), className="empty", id="ed-no-actions")]
    note = []
    if viewer.office_bound and detail["status_code"] == "detected":
        note = [
            html.Div(
                f"研判(定级、分派)由{settings.duty.name}负责;研判完成前即可登记回应、确认系统发现的回应。",
                className="meta",
                id="ed-office-note",
            )
        ]
    return note + [dcc.Tabs(tabs, value=tabs[0].value, className="action-tabs", id="ed-tabs")]
