"""Pieces of the event page: header, deadlines, responses, audit trail, sources, timeline with comments, evidence.
The action forms are dashboard.event_action_forms'."""

from __future__ import annotations

from dash import dcc, html

from dashboard.components import external_link, level_badge, simple_table
from yuqing.labels import audit_change_text


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
