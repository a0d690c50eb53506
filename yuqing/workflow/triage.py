"""Bulk triage of the 待研判 queue: many level 3–4 events assessed as proposed, or dismissed, in one go.

Only 较大 and 一般 events qualify: a 特别重大 or 重大 event is assessed one by one. Each event is handled in its own
short transaction, so one that another officer has just handled is reported and the rest go through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from yuqing.app import App
from yuqing.db.models import Event
from yuqing.timeutil import utcnow
from yuqing.workflow.actions import WorkflowError, assess_event, mark_false_alarm

BULK_LEVELS = (3, 4)
BULK_KINDS = {"assess": "按建议研判", "false_alarm": "误报", "no_action": "无需处置"}
MAX_BATCH = 500


@dataclass
class Triage:
    """What a bulk action did: the events handled, and those left with the reason."""

    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def text(self, kind: str) -> str:
        """The outcome in one Chinese sentence."""
        parts = [f"{BULK_KINDS[kind]}:已处理 {len(self.done)} 起"]
        if self.skipped:
            parts.append(
                f"未处理 {len(self.skipped)} 起("
                + ";".join(f"#{i} {why}" for i, why in self.skipped[:5])
                + ("等" if len(self.skipped) > 5 else "")
                + ")"
            )
        return ",".join(parts)


def _one(app: App, event_id: int, actor: str, kind: str, reason: str, now: datetime) -> str | None:
    """Handle one event; returns why it was left, or None."""
    with app.db.write() as session:
        event = session.get(Event, event_id)
        if event is None:
            return "不存在"
        if event.status != "detected":
            return "已研判或已处理"
        if event.urgency not in BULK_LEVELS:
            return "1–2 级事件须逐个研判"
        if kind == "assess":
            if not event.office_code:
                return "未分派责任单位,须逐个研判"
            note = "批量研判:采纳系统建议的领域、等级和责任单位" + (f"({reason})" if reason else "")
            assess_event(
                session,
                app.settings,
                event_id,
                actor,
                event.topic,
                event.urgency,
                event.office_code,
                comment=note,
                now=now,
            )
        else:
            mark_false_alarm(session, app.settings, event_id, actor, f"批量标记:{reason}", kind=kind, now=now)
    return None


def triage(
    app: App, actor: str, event_ids: list[int], kind: str, reason: str = "", now: datetime | None = None
) -> Triage:
    """Assess as proposed (kind "assess"), or mark 误报 / 无需处置 with a reason, each of the given events."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if kind not in BULK_KINDS:
        raise WorkflowError(f"未知的批量操作 “{kind}”")
    if kind != "assess" and not reason:
        raise WorkflowError("标记误报或无需处置时请填写理由")
    if not event_ids:
        raise WorkflowError("请先勾选事件")
    if len(event_ids) > MAX_BATCH:
        raise WorkflowError(f"一次最多处理 {MAX_BATCH} 起")
    result = Triage()
    for event_id in dict.fromkeys(event_ids):
        try:
            why = _one(app, event_id, actor, kind, reason, now)
        except WorkflowError as exc:
            why = str(exc)
        if why is None:
            result.done.append(event_id)
        else:
            result.skipped.append((event_id, why))
    if result.done:
        app.wake_outbox()
    return result
