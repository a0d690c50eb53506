"""Pieces of the event page: header, deadlines, responses, audit trail, timeline, evidence and the action forms."""

from __future__ import annotations

from dash import dcc, html

from dashboard.access import Viewer
from dashboard.components import external_link, form_field, level_badge, simple_table
from yuqing.db.models import OPEN_STATUSES
from yuqing.labels import (
    CLOSE_KINDS,
    CORRECTION_KINDS,
    RESPONSE_STAGES,
    audit_change_text,
    level_options,
    stage_text,
    topic_options,
)
from yuqing.settings_model import Settings
from yuqing.timeutil import format_local, utcnow
from yuqing.workflow.actions import ACTION_STATUSES


def render_header(detail: dict) -> list:
    """Title, level, status and the figures of the event."""
    facts = [
        ("状态", detail["status"] + (f"({detail['status_reason']})" if detail["status_reason"] else "")),
        ("领域", detail["topic"]),
        ("责任单位", detail["office"]),
        ("村", detail["village"]),
        ("发现", detail["detected"]),
        ("首发", detail["first_published"]),
        ("最新", detail["last_mention"]),
        ("信息/来源", f"{detail['mention_count']} / {detail['source_count']}"),
        ("热度", f"{detail['heat']}(每小时 {detail['velocity']} 条)"),
        ("负面", f"{detail['negativity']}%"),
    ]
    parts = [
        html.H2([level_badge(detail["urgency"]), " ", html.Span(detail["title"], id="ed-title")], className="ed-title"),
        html.Div([html.Span([html.B(k + ":"), v], className="fact") for k, v in facts], className="facts"),
    ]
    if detail["merged_into"]:
        parts.append(
            html.Div(
                [
                    "本事件已并入 ",
                    dcc.Link(f"事件 #{detail['merged_into']}", href=f"/events/{detail['merged_into']}"),
                    ",请在该事件上查看和办理",
                ],
                className="meta merged-note",
            )
        )
    if detail["merged_from"]:
        links = [
            part
            for number in detail["merged_from"]
            for part in ("、", dcc.Link(f"#{number}", href=f"/events/{number}"))
        ][1:]
        parts.append(html.Div(["已并入本事件:", *links], className="meta"))
    if detail["reasons"]:
        parts.append(html.Div("预警依据:" + ";".join(detail["reasons"]), className="meta"))
    if detail["key_terms"]:
        parts.append(html.Div("关键词:" + "、".join(detail["key_terms"]), className="meta"))
    if detail["summary"]:
        parts.append(html.Div(detail["summary"], className="summary"))
    return parts


def render_deadlines(rows: list[dict]) -> html.Table:
    """Deadlines per stage with their state; late ones in red."""
    columns = [("stage", "阶段"), ("level", "等级"), ("office", "承担"), ("due", "截止"), ("state", "状态")]
    return simple_table(columns, rows, row_class=lambda r: "row-overdue" if r["late"] else None, empty="暂无时限")


def render_responses(rows: list[dict], can_decide: bool) -> html.Div:
    """Recorded and proposed responses; proposed ones get 确认 / 驳回 buttons for those who may decide."""
    if not rows:
        return html.Div("尚未登记回应", className="empty")
    items = []
    for r in rows:
        head = [
            html.B(f"{r['stage']} · {r['status']}"),
            f" {r['published']} · {r['channel']}",
            html.Span(
                " (由系统从公开信息中发现)" if r["from_evidence"] else f" 登记人 {r['recorded_by']}", className="meta"
            ),
        ]
        body = [html.Div(r["content"], className="response-content")]
        if r["url"]:
            body.append(html.Div(external_link(r["url"])))
        if r["status_code"] == "proposed" and can_decide:
            body.append(
                html.Div(
                    [
                        html.Button("确认", id={"type": "ed-confirm", "id": r["id"]}, className="btn btn-small btn-ok"),
                        html.Button(
                            "驳回", id={"type": "ed-reject", "id": r["id"]}, className="btn btn-small btn-danger"
                        ),
                    ],
                    className="actions-inline",
                )
            )
        items.append(html.Li(head + body, className=f"response response-{r['status_code']}", key=str(r["id"])))
    return html.Ul(items, className="response-list")


def render_audit(rows: list[dict]) -> html.Table:
    """The audit trail: who did what, when, before → after."""
    shown = [{**r, "change": audit_change_text(r["action_code"], r["before"], r["after"])} for r in rows]
    columns = [
        ("at", "时间"),
        ("actor", "操作人"),
        ("action", "操作"),
        ("field", "字段"),
        ("change", "变更"),
        ("comment", "说明"),
    ]
    return simple_table(columns, shown, empty="暂无记录")


def render_sources(rows: list[dict]) -> html.Table:
    """Per source: mentions carried, first and last seen."""
    return simple_table([("source", "来源"), ("mentions", "信息数"), ("first", "首次"), ("last", "最近")], rows)


def render_timeline(rows: list[dict], can_see_evidence: bool, can_correct: bool = False) -> html.Ul | html.Div:
    """The mentions in time order; each shows its text (escaped), its topic and the classifier that gave it, and,
    where permitted, buttons for its evidence and for correcting it."""
    if not rows:
        return html.Div("暂无信息", className="empty")
    items = []
    for m in rows:
        line = [
            html.Span(f"#{m['id']}", className="mention-id"),
            html.Span(m["seen"], className="time"),
            html.Span(m["source"], className="src"),
            html.Span(m["title"], className="mention-title"),
        ]
        if m["official"]:
            line.append(html.Span("官方", className="tag-official"))
        if m.get("platform"):
            line.append(html.Span(m["platform"], className="meta"))
        if m.get("search_keyword"):
            line.append(html.Span(f"搜索词:{m['search_keyword']}", className="meta"))
        body = [html.Div(line), html.Div(m["content"], className="mention-content")]
        topic = f"领域:{m['topic']}" + (f"({m['topic_model']})" if m.get("topic_model") else "")
        body.append(html.Div(topic, className="meta mention-topic"))
        if m.get("join_reason"):
            body.append(html.Div(f"归并依据:{m['join_reason']}", className="meta mention-join"))
        if m.get("comment_total"):
            body.append(render_comments(m))
        if m["board_status"]:
            reply = f"留言状态:{m['board_status']}" + (f";答复:{m['reply_text']}" if m["reply_text"] else "")
            body.append(html.Div(reply, className="meta"))
        extra = [external_link(m["url"], "原文")]
        if can_see_evidence and m["evidence"]:
            extra.append(html.Button("查看证据", id={"type": "ed-evidence", "id": m["id"]}, className="btn btn-small"))
        if can_correct:
            extra.append(html.Button("纠正", id={"type": "ed-correct-pick", "id": m["id"]}, className="btn btn-small"))
        body.append(html.Div(extra, className="actions-inline"))
        items.append(html.Li(body, className="timeline-item", key=str(m["id"])))
    return html.Ul(items, className="timeline")


def render_comments(m: dict) -> html.Details:
    """A mention's comments, folded: how many, how many hostile, each (author, time, text) as plain text."""
    hostile = f",其中情绪激烈 {m['comment_hostile']} 条" if m["comment_hostile"] else ""
    more = m["comment_total"] - len(m["comments"])
    items = [
        html.Li(
            [
                html.Span(c["author"], className="src"),
                html.Span(c["time"], className="time"),
                html.Span(c["content"], className="comment-text"),
            ]
            + ([html.Span("激烈", className="tag-hostile")] if c["hostile"] else []),
            className="comment" + (" comment-hostile" if c["hostile"] else ""),
        )
        for c in m["comments"]
    ]
    if more > 0:
        items.append(html.Li(f"另有 {more} 条评论未显示", className="meta"))
    return html.Details(
        [html.Summary(f"评论 {m['comment_total']} 条{hostile}"), html.Ul(items, className="comments")],
        className="mention-comments",
    )


def render_evidence(evidence: dict | None) -> list:
    """A stored snapshot as plain text in a box (never rendered as a page; masked)."""
    if evidence is None:
        return [html.Div("无可显示的证据,或无权查看", className="empty")]
    note = "(内容过长,仅显示前一部分)" if evidence["cut"] else ""
    return [
        html.Div(
            [
                html.B(evidence["title"]),
                html.Br(),
                f"抓取时间 {evidence['fetched']} · {evidence['content_type']} · SHA-256 {evidence['sha256'][:16]}… {note}",
            ],
            className="meta",
        ),
        html.Div(["来源地址:", evidence["url"]], className="meta"),
        html.Pre(evidence["text"], className="evidence-text", id="ed-evidence-text"),
    ]


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
