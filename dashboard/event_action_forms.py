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


def _line(prefix: str, label: str = "原因"):
    """A one-line text field (原因, 备注) of the action whose ids start with ed-<prefix>."""
    return form_field(label, dcc.Input(id=f"ed-{prefix}-comment", type="text", className="input"))


def _text(prefix: str, label: str):
    """A text area of the action whose ids start with ed-<prefix>."""
    return form_field(label, dcc.Textarea(id=f"ed-{prefix}-comment", className="textarea"))


def _assess(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [
        form_field(
            "领域",
            dcc.Dropdown(
                id="ed-assess-topic", options=topic_options(settings), value=detail["topic_code"], clearable=False
            ),
        ),
        form_field(
            "预警等级",
            dcc.RadioItems(id="ed-assess-level", options=level_options(), value=detail["urgency"], inline=True),
        ),
        form_field("责任单位", dcc.Dropdown(id="ed-assess-office", options=offices, value=detail["office_code"])),
        _text("assess", "备注"),
    ]


def _respond(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [
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
        form_field("链接", dcc.Input(id="ed-respond-url", type="text", className="input", placeholder="https://…")),
        form_field("发布内容", dcc.Textarea(id="ed-respond-content", className="textarea")),
        form_field(
            "发布时间",
            dcc.Input(id="ed-respond-time", type="text", className="input", value=format_local(utcnow())),
            "北京时间,格式 2026-11-25 14:30",
        ),
        _line("respond", "备注"),
    ]


def _reassign(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [form_field("改派给", dcc.Dropdown(id="ed-reassign-office", options=offices)), _line("reassign")]


def _close(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [_text("close", "办结说明")]


def _false_alarm(settings: Settings, detail: dict, offices: list[dict]) -> list:
    kinds = [{"label": v, "value": k} for k, v in CLOSE_KINDS.items()]
    return [
        form_field("结论", dcc.RadioItems(id="ed-false-kind", inline=True, value="false_alarm", options=kinds)),
        form_field("原因", dcc.Textarea(id="ed-false-reason", className="textarea")),
    ]


def _numbers(field_id: str, label: str, placeholder: str, explained: str):
    """A field for event or mention numbers (#128), with what the action does."""
    return form_field(label, dcc.Input(id=field_id, type="text", className="input", placeholder=placeholder), explained)


def _merge(settings: Settings, detail: dict, offices: list[dict]) -> list:
    explained = "与另一事件属同一事项时,把本事件并入该事件(本事件的信息、回应、热度转入,时限停止计时)"
    return [_numbers("ed-merge-target", "并入事件", "#128", explained), _line("merge")]


def _split(settings: Settings, detail: dict, offices: list[dict]) -> list:
    explained = "所选信息说的是另一起事情时,把它们拆出为新事件(新事件单独分派、计时、提醒);编号见下方信息列表"
    return [_numbers("ed-split-ids", "拆出的信息", "#1203, #1207", explained), _line("split")]


def _unmerge(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [
        html.Div(
            f"本事件已并入事件 #{detail['merged_into']}。若并非同一事项,可撤销合并:本事件带入的信息和回应取回,"
            "事件重新计时并通知责任单位。",
            className="meta",
        ),
        _line("unmerge"),
    ]


def _correct(settings: Settings, detail: dict, offices: list[dict]) -> list:
    return [
        _numbers(
            "ed-correct-id",
            "信息编号",
            "#1203",
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
        form_field("正确的领域", dcc.Dropdown(id="ed-correct-topic", options=topic_options(settings), clearable=False)),
        _line("correct"),
    ]


# action: (tab label, id prefix, fields, button text, button class), in the order of the tabs.
FORMS = {
    "assess": ("研判", "assess", _assess, "确认研判", "btn btn-primary"),
    "respond": ("回应", "respond", _respond, "登记回应", "btn btn-primary"),
    "reassign": ("改派", "reassign", _reassign, "改派", "btn"),
    "close": ("办结", "close", _close, "办结", "btn btn-primary"),
    "false_alarm": ("误报", "false", _false_alarm, "标记", "btn btn-danger"),
    "merge": ("合并", "merge", _merge, "合并", "btn"),
    "split": ("拆分", "split", _split, "拆分", "btn"),
    "unmerge": ("撤销合并", "unmerge", _unmerge, "撤销合并", "btn"),
    "correct": ("纠正信息", "correct", _correct, "纠正", "btn"),
}


def action_forms(settings: Settings, viewer: Viewer, detail: dict, offices: list[dict]) -> list:
    """One tab per action the viewer may take on this event now; a note saying why when there is none."""
    tabs = [
        dcc.Tab(
            label=label,
            value=action,
            children=[
                *fields(settings, detail, offices),
                html.Button(button, id=f"ed-{prefix}-submit", className=css),
                html.Div(id=f"ed-{prefix}-msg"),
            ],
        )
        for action, (label, prefix, fields, button, css) in FORMS.items()
        if possible(viewer, detail, action)
    ]
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
