"""The deadline check: warnings at 50 % and 80 %, breaches on the record, escalation that stops when done."""

from __future__ import annotations

from sqlalchemy import select
from workflow.factories import add_event, audit_rows, deadlines, minutes, outbox

from yuqing.db.models import Breach
from yuqing.workflow.actions import assess_event
from yuqing.workflow.jobs import CheckReport, check_deadlines


def _level3(app, **kw):
    with app.db.write() as session:
        return add_event(session, app.settings, level=3, topic="medical", **kw).id  # assess 2 h, msfw


def test_warnings_at_50_and_80_percent_once_each(any_app):
    event_id = _level3(any_app)
    assert check_deadlines(any_app, now=minutes(59)) == CheckReport()
    assert check_deadlines(any_app, now=minutes(60)).warnings == 1
    assert check_deadlines(any_app, now=minutes(61)) == CheckReport()
    assert check_deadlines(any_app, now=minutes(96)).warnings == 1
    assert check_deadlines(any_app, now=minutes(96)) == CheckReport()
    with any_app.db.read() as session:
        warnings = outbox(session, kind="warning")
        assert [w.subject.split("】")[0] for w in warnings] == ["【时限预警·研判已用去50%", "【时限预警·研判已用去80%"]
        # 研判 is the duty desk's: it is warned, not the office the event was routed to
        assert all(w.recipients == ["zhiban@example.gov.cn"] and w.status == "pending" for w in warnings)
        assert deadlines(session, event_id)["assess"].warned_shares == [0.5, 0.8]
        assert [r.after for r in audit_rows(session, event_id, "deadline_warned")] == ["50%", "80%"]


def test_a_late_check_sends_only_the_furthest_warning(any_app):
    _level3(any_app)
    assert check_deadlines(any_app, now=minutes(100)).warnings == 1
    with any_app.db.read() as session:
        assert [w.subject.split("】")[0] for w in outbox(session, kind="warning")] == ["【时限预警·研判已用去80%"]


def test_a_missed_assessment_is_the_duty_desks_and_climbs_its_chain(any_app):
    event_id = _level3(any_app)
    check_deadlines(any_app, now=minutes(100))
    report = check_deadlines(any_app, now=minutes(121))
    assert (report.breaches, report.escalations) == (1, 1)  # 值班负责人 at once (0 min)
    with any_app.db.read() as session:
        breach = session.scalars(select(Breach)).one()
        assert (breach.event_id, breach.stage, breach.holder, breach.office_code, breach.level) == (
            event_id,
            "assess",
            "duty",
            None,
            3,
        )
        assert breach.due_at == minutes(120) and breach.recorded_at == minutes(121) and breach.done_at is None
        assert [m.recipients for m in outbox(session, kind="breach")] == [["zhiban@example.gov.cn"]]
        assert "超时已记录在舆情值班室名下" in outbox(session, kind="breach")[0].body_text
    assert check_deadlines(any_app, now=minutes(149)) == CheckReport()
    assert check_deadlines(any_app, now=minutes(150)).escalations == 1
    assert check_deadlines(any_app, now=minutes(210)).escalations == 1
    with any_app.db.read() as session:
        assert [m.recipients for m in outbox(session, kind="escalation")] == [
            ["zhiban-head@example.gov.cn"],
            ["duty-leader@example.gov.cn"],
            ["leader@example.gov.cn"],
        ]
        assert [r.comment for r in audit_rows(session, event_id, "escalated")] == [
            "告知值班负责人",
            "告知带班领导",
            "告知镇领导",
        ]
        # the office the event was routed to heard of the event (its digest entry) and of nothing else
        told_office = [m.kind for m in outbox(session) if "msfw@example.gov.cn" in m.recipients]
        assert told_office == ["alert"]


def test_a_missed_office_stage_is_the_offices_and_climbs_its_chain(any_app):
    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=2, topic="medical")  # 发布 5 h, msfw
        assess_event(session, any_app.settings, event.id, "zhang", "medical", 2, "msfw", now=minutes(10))
        event_id = event.id
    report = check_deadlines(any_app, now=minutes(301))
    assert (report.breaches, report.escalations) == (1, 1)
    assert check_deadlines(any_app, now=minutes(330)).escalations == 1
    assert check_deadlines(any_app, now=minutes(390)).escalations == 1
    with any_app.db.read() as session:
        breach = session.scalars(select(Breach)).one()
        assert (breach.stage, breach.holder, breach.office_code) == ("publish", "office", "msfw")
        # level 2: the lead office hears of the breach too (it hears of every 重大 event)
        assert [m.recipients for m in outbox(session, kind="breach")] == [["dzb@example.gov.cn", "msfw@example.gov.cn"]]
        assert [m.recipients for m in outbox(session, kind="escalation")] == [
            ["msfw-head@example.gov.cn"],
            ["dzb-head@example.gov.cn", "dzb@example.gov.cn"],
            ["duty-leader@example.gov.cn"],
        ]
        assert [r.comment for r in audit_rows(session, event_id, "escalated")] == [
            "告知民生服务中心负责人",
            "告知牵头单位(镇党政办)",
            "告知带班领导",
        ]
        assert not any("zhiban@example.gov.cn" in m.recipients for m in outbox(session))


def test_escalation_stops_as_soon_as_the_stage_is_done(any_app):
    event_id = _level3(any_app)
    check_deadlines(any_app, now=minutes(125))
    with any_app.db.write() as session:
        assess_event(session, any_app.settings, event_id, "zhang", "medical", 3, "msfw", now=minutes(140))
    assert check_deadlines(any_app, now=minutes(400)).escalations == 0
    with any_app.db.read() as session:
        assert len(outbox(session, kind="escalation")) == 1
        breach = session.scalars(select(Breach)).one()
        assert breach.done_at == minutes(140)  # 20 minutes late, on the record


def test_running_twice_sends_nothing_twice(any_app):
    for _ in range(3):
        _level3(any_app)
    first = check_deadlines(any_app, now=minutes(200))
    assert first == CheckReport(warnings=0, breaches=3, escalations=6)
    with any_app.db.read() as session:
        count = len(outbox(session))
    assert check_deadlines(any_app, now=minutes(200)) == CheckReport()
    with any_app.db.read() as session:
        assert len(outbox(session)) == count


def test_small_batches_cover_every_due_deadline(any_app):
    for _ in range(7):
        _level3(any_app)
    assert check_deadlines(any_app, now=minutes(60), batch=2).warnings == 7


def test_closed_events_are_not_checked(any_app):
    from yuqing.workflow.actions import mark_false_alarm

    event_id = _level3(any_app)
    with any_app.db.write() as session:
        mark_false_alarm(session, any_app.settings, event_id, "li", "与本镇无关", now=minutes(30))
    assert check_deadlines(any_app, now=minutes(5000)) == CheckReport()
