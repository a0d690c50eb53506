"""What the dashboard's forms do: validate input (Chinese messages), check the viewer's rights, call the workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dashboard.access import ACTION_ROLES, DENIED, NOT_VISIBLE, Viewer
from dashboard.queries.event_detail import visible_event
from yuqing.app import App
from yuqing.db.models import AuditLog, Office, Response, User
from yuqing.labels import CLOSE_KINDS, CORRECTION_KINDS, LEVELS, RESPONSE_STAGES
from yuqing.storage_alarm import report_storage_failure
from yuqing.timeutil import LOCAL, as_utc, utcnow
from yuqing.users import UserError, add_user, reset_password, revoke_sessions
from yuqing.workflow import actions as workflow
from yuqing.workflow import shifts, split
from yuqing.workflow.corrections import correct_mention
from yuqing.workflow.triage import triage

MAX_COMMENT = 1000
MAX_CONTENT = 5000
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_URL = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass
class ActionResult:
    """The outcome shown under a form."""

    ok: bool
    message: str


class InputError(ValueError):
    """Form input that fails validation; the message lists every problem in Chinese."""


def parse_local_time(text: str | None) -> datetime | None:
    """A local “YYYY-MM-DD HH:MM” as an aware UTC datetime, or None if it does not parse."""
    text = (text or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return as_utc(datetime.strptime(text, fmt).replace(tzinfo=LOCAL))
        except ValueError:
            continue
    return None


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _comment(values: dict, problems: list[str], key: str = "comment", label: str = "备注") -> str:
    comment = _text(values, key)
    if len(comment) > MAX_COMMENT:
        problems.append(f"{label}不能超过 {MAX_COMMENT} 字")
    return comment


def _office(session: Session, code: str | None, problems: list[str]) -> str:
    office = session.get(Office, code) if code else None
    if office is None or not office.active:
        problems.append("请选择责任单位")
        return ""
    return office.code


def validate(action: str, values: dict, app: App, session: Session, now: datetime) -> dict:
    """The workflow keyword arguments for an action's form values; raises InputError listing all problems."""
    problems: list[str] = []
    if action == "assess":
        topic = values.get("topic")
        if topic not in app.settings.topic_names():
            problems.append("请选择领域")
        urgency = values.get("urgency")
        if urgency not in LEVELS:
            problems.append("请选择预警等级")
        office = _office(session, values.get("office_code"), problems)
        kwargs = {"topic": topic, "urgency": urgency, "office_code": office, "comment": _comment(values, problems)}
    elif action == "reassign":
        kwargs = {
            "office_code": _office(session, values.get("office_code"), problems),
            "comment": _comment(values, problems),
        }
    elif action == "respond":
        kwargs = _validate_response(values, problems, now)
    elif action in ("confirm", "reject"):
        comment = _comment(values, problems)
        if action == "reject" and not comment:
            problems.append("驳回时请填写原因")
        response_id = values.get("response_id")
        if not isinstance(response_id, int):
            problems.append("未指定要处理的回应")
        kwargs = {"response_id": response_id, "comment": comment}
    elif action == "close":
        kwargs = {"comment": _comment(values, problems)}
    elif action == "false_alarm":
        kind = values.get("kind")
        if kind not in CLOSE_KINDS:
            problems.append("请选择“误报”或“无需处置”")
        reason = _comment(values, problems, "reason", "原因")
        if not reason:
            problems.append("请填写原因")
        kwargs = {"reason": reason, "kind": kind}
    elif action == "merge":
        target = re.fullmatch(r"#?\s*(\d{1,12})", _text(values, "target_id"))
        if target is None:
            problems.append("请填写要并入的事件编号,如 #128")
        kwargs = {"target_id": int(target.group(1)) if target else 0, "comment": _comment(values, problems)}
    elif action == "split":
        text = _text(values, "mention_ids")
        numbers = re.findall(r"\d{1,12}", text)
        if not numbers or re.sub(r"[#\d\s,，、;；]", "", text):
            problems.append("请填写要拆出的信息编号,如 #1203, #1207(见下方信息列表)")
        kwargs = {"mention_ids": sorted({int(n) for n in numbers}), "comment": _comment(values, problems)}
    elif action == "unmerge":
        kwargs = {"comment": _comment(values, problems)}
    elif action == "correct":
        kwargs = _validate_correction(values, app, problems)
    else:
        raise InputError(f"未知操作 “{action}”")
    if problems:
        raise InputError(";".join(problems))
    return kwargs


def _validate_correction(values: dict, app: App, problems: list[str]) -> dict:
    found = re.fullmatch(r"#?\s*(\d{1,12})", _text(values, "mention_id"))
    if found is None:
        problems.append("请填写要纠正的信息编号,如 #1203(见信息时间线)")
    kind = values.get("kind")
    topic = values.get("topic")
    if kind not in CORRECTION_KINDS:
        problems.append("请选择纠正内容")
    elif kind == "topic" and topic not in app.settings.topic_names():
        problems.append("请选择正确的领域")
    comment = _comment(values, problems)
    return {
        "mention_id": int(found.group(1)) if found else 0,
        "topic": topic if kind == "topic" else None,
        "relevant": False if kind == "not_relevant" else None,
        "comment": comment,
    }


def _correct_mention(session: Session, settings, event_id: int, actor: str, *, mention_id: int, now=None, **kwargs):
    """The event page's correction of one of its mentions (the mention must belong to the event)."""
    return correct_mention(session, settings, mention_id, actor, event_id=event_id, now=now, **kwargs)


def _validate_response(values: dict, problems: list[str], now: datetime) -> dict:
    stage = values.get("stage")
    if stage not in RESPONSE_STAGES:
        problems.append("请选择回应类型")
    channel = _text(values, "channel")
    if not channel:
        problems.append("请填写发布渠道(在哪里发布)")
    elif len(channel) > 200:
        problems.append("发布渠道不能超过 200 字")
    url = _text(values, "url")
    if url and (len(url) > 1000 or not _URL.match(url)):
        problems.append("链接应为以 http:// 或 https:// 开头的网址")
    content = _text(values, "content")
    if not content:
        problems.append("请填写发布内容")
    elif len(content) > MAX_CONTENT:
        problems.append(f"发布内容不能超过 {MAX_CONTENT} 字")
    published_at = parse_local_time(values.get("published_at"))
    if published_at is None:
        problems.append("发布时间格式应为 “2026-11-25 14:30”")
    elif published_at > now + timedelta(minutes=5):
        problems.append("发布时间不能晚于当前时间")
    return {
        "stage": stage,
        "channel": channel,
        "url": url or None,
        "content": content,
        "published_at": published_at,
        "comment": _comment(values, problems),
    }


ACTION_FUNCTIONS = {
    "assess": workflow.assess_event,
    "reassign": workflow.reassign_office,
    "respond": workflow.record_response,
    "confirm": workflow.confirm_response,
    "reject": workflow.reject_response,
    "close": workflow.close_event,
    "false_alarm": workflow.mark_false_alarm,
    "merge": workflow.merge_into,
    "split": split.split_event,
    "unmerge": split.unmerge_event,
    "correct": _correct_mention,
}
SUCCESS = {
    "assess": "已完成研判",
    "reassign": "已改派责任单位",
    "respond": "已登记回应",
    "confirm": "已确认该回应",
    "reject": "已驳回该回应",
    "close": "事件已办结",
    "false_alarm": "已标记",
    "merge": "已合并到目标事件,本事件的信息、回应和热度已转入",
    "split": "已把所选信息拆出为新事件(已分派、计时并发出提醒),见处理记录",
    "unmerge": "已撤销合并:本事件带入的信息已取回,事件重新计时并通知责任单位",
    "correct": "已纠正该信息(记入审计,并作为训练模型的标注)",
}


def run_event_action(
    app: App, viewer: Viewer, action: str, event_id: int | str, values: dict, now: datetime | None = None
) -> ActionResult:
    """Validate, check rights on the event (server-side, always), and carry out one workflow action."""
    now = now or utcnow()
    try:
        with app.db.write() as session:
            event = visible_event(session, viewer, event_id)
            if event is None:
                return ActionResult(False, NOT_VISIBLE)
            if not viewer.can_act(action, event.office_code):
                return ActionResult(False, DENIED)
            kwargs = validate(action, values, app, session, now)
            if action in ("confirm", "reject") and not _response_of(session, kwargs["response_id"], event.id):
                return ActionResult(False, "该回应不属于本事件或已不存在")
            if action == "merge" and visible_event(session, viewer, kwargs["target_id"]) is None:
                return ActionResult(False, f"事件 #{kwargs['target_id']} 不存在或无权查看")
            ACTION_FUNCTIONS[action](session, app.settings, event.id, viewer.username, now=now, **kwargs)
    except InputError as exc:
        return ActionResult(False, str(exc))
    except workflow.WorkflowError as exc:
        return ActionResult(False, str(exc))
    except OperationalError as exc:
        problem = report_storage_failure(app.settings, exc, f"看板操作“{action}”(事件 #{event_id})")
        if problem is None:
            raise
        return ActionResult(False, f"操作未能保存:{problem.reason}。系统已通知管理员,请稍后重试。")
    app.wake_outbox()  # alerts an action queued (level change, reassignment) go out now, not at the next tick
    return ActionResult(True, SUCCESS[action])


def _response_of(session: Session, response_id: int, event_id: int) -> bool:
    found = session.scalar(select(Response.id).where(Response.id == response_id, Response.event_id == event_id))
    return found is not None


def add_dashboard_user(app: App, viewer: Viewer, values: dict) -> ActionResult:
    """Create a user (admin only), audited with the admin's name."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    username = _text(values, "username")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,50}", username):
        return ActionResult(False, "用户名应为 2–50 位字母、数字、点、下划线或连字符")
    role = values.get("role") or ""
    office = values.get("office_code") if role == "office" else None
    try:
        with app.db.write() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                return ActionResult(False, f"用户 “{username}” 已存在")
            add_user(
                session,
                username,
                values.get("password") or "",
                role,
                office,
                _text(values, "display_name")[:100],
                actor=viewer.username,
            )
    except UserError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"已添加用户 “{username}”")


def set_user_active(app: App, viewer: Viewer, username: str | None, active: bool) -> ActionResult:
    """Disable or re-enable a user (admin only, not oneself), audited."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    if not username:
        return ActionResult(False, "请选择用户")
    if username == viewer.username and not active:
        return ActionResult(False, "不能停用自己的账户")
    with app.db.write() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return ActionResult(False, f"用户 “{username}” 不存在")
        if user.active == active:
            return ActionResult(True, "状态未变")
        user.active = active
        if not active:
            revoke_sessions(session, user.id, "disabled")
        session.add(
            AuditLog(
                actor=viewer.username,
                entity="user",
                entity_id=username,
                action="user_enable" if active else "user_disable",
                field="active",
                before=str(not active),
                after=str(active),
            )
        )
    return ActionResult(True, f"已{'启用' if active else '停用'}用户 “{username}”")


def audit_export(app: App, viewer: Viewer, action: str, detail: str) -> None:
    """Record that the viewer took data out of the system (an Excel export, a report download)."""
    with app.db.write() as session:
        session.add(
            AuditLog(actor=viewer.username, entity="export", entity_id=action, action=action, comment=detail[:1000])
        )


def triage_selected(
    app: App, viewer: Viewer, kind: str, rows: list[dict] | None, reason: str | None, now: datetime | None = None
) -> ActionResult:
    """Bulk triage of the selected queue rows (duty officers only); every event is checked again on the server."""
    if viewer.role not in ACTION_ROLES["assess"] or viewer.role not in ACTION_ROLES["false_alarm"]:
        return ActionResult(False, DENIED)
    ids = [row["id"] for row in rows or [] if isinstance(row, dict) and isinstance(row.get("id"), int)]
    try:
        result = triage(app, viewer.username, ids, kind, (reason or "")[:MAX_COMMENT], now=now)
    except workflow.WorkflowError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(bool(result.done), result.text(kind))


def shift_action(
    app: App, viewer: Viewer, action: str, value: str | int | None, now: datetime | None = None
) -> ActionResult:
    """交班 with a note, or 接班 (acknowledge a handover by id); duty officers only."""
    if not viewer.can_open("shift"):
        return ActionResult(False, DENIED)
    now = now or utcnow()
    try:
        with app.db.write() as session:
            if action == "handover":
                row = shifts.hand_over(session, app.settings, viewer.username, str(value or ""), now)
                return ActionResult(True, f"已交班(记录 #{row.id}),待接班值班员确认")
            if not isinstance(value, int):
                return ActionResult(False, "未指定交班记录")
            row = shifts.acknowledge(session, value, viewer.username, now)
            return ActionResult(True, f"已确认接班({row.handed_by} 的交班)")
    except shifts.ShiftError as exc:
        return ActionResult(False, str(exc))


def build_monthly_report(app: App, viewer: Viewer, month: str | None, now: datetime | None = None) -> ActionResult:
    """Build and record one month's accountability report from the 报告 page (its roles only), audited."""
    from yuqing.reports.build import generate_and_record, zone_of
    from yuqing.reports.periods import PeriodError, parse_month

    if not viewer.can_see_town_reports:
        return ActionResult(False, DENIED)
    try:
        period = parse_month(month or "", zone_of(app.settings))
        generated, _ = generate_and_record(app, period, now=now)
    except PeriodError as exc:
        return ActionResult(False, str(exc))
    audit_export(app, viewer, "report_generate", f"{generated.content.title}:{period.key}")
    state = "" if generated.complete else "(本月尚未结束,数字截至现在)"
    return ActionResult(True, f"已生成《{generated.content.title}》{state},见下方列表")


def reset_user_password(app: App, viewer: Viewer, username: str | None, password: str | None) -> ActionResult:
    """Set a new password for a user (admin only), audited with the admin's name; the user's logins end."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    if not username:
        return ActionResult(False, "请先在列表中选择用户")
    try:
        with app.db.write() as session:
            reset_password(session, username, password or "", viewer.username)
    except UserError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"已重设用户 “{username}” 的密码,请当面或电话告知本人")


def start_model_training(app: App, viewer: Viewer) -> ActionResult:
    """模型 page: retrain on the corrections in a background thread (admins only); ingest goes on meanwhile."""
    from yuqing.learning_jobs import start_retrain

    if not viewer.can_open("models"):
        return ActionResult(False, DENIED)
    if not start_retrain(app, viewer.username):
        return ActionResult(False, "已有一次训练正在进行,请稍候")
    return ActionResult(True, "已开始训练(后台进行,不影响采集),完成后结果显示在下方")


def use_model_version(app: App, viewer: Viewer, choice: str | None, comment: str | None) -> ActionResult:
    """模型 page: switch to a kept version or back to the configured classifier (admins only), audited."""
    from yuqing.learning import use_version
    from yuqing.learning_data import LearningError

    if not viewer.can_open("models"):
        return ActionResult(False, DENIED)
    if not choice:
        return ActionResult(False, "请选择要使用的版本")
    version = None if choice == "configured" else int(choice) if choice.isdigit() else -1
    if version is not None and version < 0:
        return ActionResult(False, "请选择要使用的版本")
    try:
        return ActionResult(True, use_version(app, version, viewer.username, (comment or "").strip()[:MAX_COMMENT]))
    except LearningError as exc:
        return ActionResult(False, str(exc))


def mark_inbox_read(app: App, viewer: Viewer, message_ids: list[int]) -> ActionResult:
    """收件箱: mark alerts sent to the viewer as read (only their own), audited."""
    from yuqing.inbox import mark_read

    if not viewer.can_open("inbox"):
        return ActionResult(False, DENIED)
    ids = [value for value in message_ids if isinstance(value, int)]
    if not ids:
        return ActionResult(False, "没有未读的提醒")
    with app.db.write() as session:
        user = session.scalar(select(User).where(User.username == viewer.username, User.active.is_(True)))
        if user is None:
            return ActionResult(False, DENIED)
        count = mark_read(session, app.settings, user, ids)
        if count:
            session.add(
                AuditLog(
                    actor=viewer.username,
                    entity="inbox",
                    entity_id=viewer.username,
                    action="inbox_read",
                    comment=f"{count} 条提醒标记为已读",
                )
            )
    return ActionResult(True, f"已将 {count} 条标记为已读" if count else "没有未读的提醒")
