"""What the dashboard's forms do: validate input (Chinese messages), check the viewer's rights, call the workflow.

This module carries out the event workflow's actions (and triage, shift handover, reports, models, the export
audit); the event forms are checked in dashboard.event_form_checks, the user forms are done in
dashboard.user_actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dashboard.access import ACTION_ROLES, DENIED, NOT_VISIBLE, Viewer
from dashboard.event_form_checks import MAX_COMMENT, InputError, validate
from dashboard.queries.event_detail import visible_event
from yuqing.app import App
from yuqing.db.models import AuditLog, Response
from yuqing.storage_alarm import report_storage_failure
from yuqing.timeutil import utcnow
from yuqing.workflow import actions as workflow
from yuqing.workflow import shifts, split
from yuqing.workflow.corrections import correct_mention
from yuqing.workflow.triage import triage


@dataclass
class ActionResult:
    """The outcome shown under a form."""

    ok: bool
    message: str


def _correct_mention(session: Session, settings, event_id: int, actor: str, *, mention_id: int, now=None, **kwargs):
    """The event page's correction of one of its mentions (the mention must belong to the event)."""
    return correct_mention(session, settings, mention_id, actor, event_id=event_id, now=now, **kwargs)


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


def review_selected(
    app: App, viewer: Viewer, kind: str, rows: list[dict] | None, topic: str | None, now: datetime | None = None
) -> ActionResult:
    """分类复核: confirm, change the topic of, or mark not relevant the selected messages (duty officers only)."""
    from yuqing.review_queue import apply_review

    if viewer.role not in ACTION_ROLES["correct"]:
        return ActionResult(False, DENIED)
    chosen = [row for row in rows or [] if isinstance(row, dict) and isinstance(row.get("id"), int)]
    ids = [row["id"] for row in chosen]
    spot_checks = {row["id"] for row in chosen if row.get("spot_check") is True}
    try:
        outcome = apply_review(app, viewer.username, ids, kind, topic, spot_checks=spot_checks, now=now)
    except workflow.WorkflowError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(outcome.done > 0, outcome.text(kind))
