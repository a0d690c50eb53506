"""The duty desk's tools: shifts and their handover, and bulk triage of level 3–4 events."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from workflow.factories import add_event, audit_rows, minutes

from yuqing.db.models import AuditLog, Event
from yuqing.timeutil import UTC
from yuqing.workflow.actions import WorkflowError, assess_event
from yuqing.workflow.shifts import ShiftError, acknowledge, current_shift, hand_over, next_shift, pending_handover
from yuqing.workflow.triage import triage


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_shifts_follow_the_configured_changes_across_midnight(settings_factory):
    settings = settings_factory()  # 08:30 and 17:30 Shanghai = 00:30 and 09:30 UTC
    day = current_shift(settings, utc(25, 2))  # 10:00 local
    assert (day.start, day.end) == (utc(25, 0, 30), utc(25, 9, 30))
    night = current_shift(settings, utc(25, 20))  # 04:00 local, the night shift that began the evening before
    assert (night.start, night.end) == (utc(25, 9, 30), utc(26, 0, 30))
    assert next_shift(settings, utc(25, 2)) == night
    one = settings_factory({"duty": {"shift_changes": ["08:00"]}})  # 24-hour duty
    assert current_shift(one, utc(25, 2)).end == utc(26, 0)


def test_a_handover_records_open_work_and_is_acknowledged_by_the_next_officer(any_app):
    with any_app.db.write() as session:
        urgent = add_event(session, any_app.settings, level=1, title="化工厂爆炸")  # 研判 due 10:30 local
        add_event(session, any_app.settings, level=4, topic="urban", title="路灯不亮")  # 研判 due 14:00
        handover = hand_over(session, any_app.settings, "zhang", "爆炸事件待定级,已电话通知安监站", now=minutes(40))
        summary, handover_id = handover.summary, handover.id
    assert summary["awaiting_assessment"] == 2 and summary["overdue_count"] == 1
    assert [item["event_id"] for item in summary["overdue"]] == [urgent.id]
    # due from now to the end of the next shift (08:30 tomorrow): the lamp's 研判 at 14:00 and the explosion's 发布
    # at 15:00; its 新闻发布会 (10:00 tomorrow) and the lamp's 回应 (in 48 h) fall later
    assert [(item["stage"], item["duty"]) for item in summary["due_next"]] == [("研判", True), ("发布权威信息", False)]
    with any_app.db.write() as session, pytest.raises(ShiftError, match="不能确认自己的交班"):
        acknowledge(session, handover_id, "zhang", now=minutes(41))
    with any_app.db.write() as session:
        assert pending_handover(session).id == handover_id
        acknowledge(session, handover_id, "zhao", now=minutes(45))
    with any_app.db.write() as session:
        assert pending_handover(session) is None
        with pytest.raises(ShiftError, match="已由 zhao 确认"):
            acknowledge(session, handover_id, "li", now=minutes(50))
        actions = session.scalars(select(AuditLog.action).where(AuditLog.entity == "shift")).all()
    assert actions == ["shift_handover", "shift_ack"]


def _events(app, *levels):
    with app.db.write() as session:
        return [
            add_event(session, app.settings, level=level, topic="medical", title=f"{level}级事件").id
            for level in levels
        ]


def test_bulk_assessment_takes_the_proposal_for_level_3_and_4_only(any_app):
    one, three, four, done = _events(any_app, 1, 3, 4, 4)
    with any_app.db.write() as session:
        assess_event(session, any_app.settings, done, "li", "medical", 4, "msfw", now=minutes(5))
    result = triage(any_app, "zhang", [one, three, four, done], "assess", now=minutes(10))
    assert result.done == [three, four]
    assert result.skipped == [(one, "1–2 级事件须逐个研判"), (done, "已研判或已处理")]
    assert result.text("assess").startswith("按建议研判:已处理 2 起,未处理 2 起(")
    with any_app.db.read() as session:
        events = {e.id: e for e in session.scalars(select(Event))}
        assert [events[i].status for i in (one, three, four)] == ["detected", "assessed", "assessed"]
        assert (events[three].topic, events[three].urgency, events[three].office_code) == ("medical", 3, "msfw")
        rows = audit_rows(session, three, "assess")
        assert rows and all(r.actor == "zhang" and r.comment.startswith("批量研判:采纳系统建议") for r in rows)


def test_bulk_dismissal_needs_a_reason_and_stops_the_clocks(any_app):
    three, four = _events(any_app, 3, 4)
    with pytest.raises(WorkflowError, match="请填写理由"):
        triage(any_app, "zhang", [three], "false_alarm", now=minutes(10))
    result = triage(any_app, "zhang", [three, four], "no_action", reason="外地信息", now=minutes(10))
    assert result.done == [three, four]
    with any_app.db.read() as session:
        assert {e.status_reason for e in session.scalars(select(Event))} == {"批量标记:外地信息"}
