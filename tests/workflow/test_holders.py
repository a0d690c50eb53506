"""Whoever holds a stage can do it and is the one told: the duty desk assesses, the office verifies and responds."""

from __future__ import annotations

from sqlalchemy import select
from workflow.factories import add_event, audit_rows, deadlines, minutes, outbox

from yuqing.db.models import Breach, Deadline, Event, Response
from yuqing.workflow import actions
from yuqing.workflow.jobs import check_deadlines


def _event(app, level=2, topic="medical"):
    with app.db.write() as session:
        return add_event(session, app.settings, level=level, topic=topic).id


def _act(app, name, *args, **kw):
    with app.db.write() as session:
        return getattr(actions, name)(session, app.settings, *args, **kw)


def test_deadlines_are_set_for_their_holders(any_app):
    event_id = _event(any_app)
    with any_app.db.read() as session:
        rows = {(stage, row.holder, row.office_code) for stage, row in deadlines(session, event_id).items()}
    assert rows == {("assess", "duty", None), ("publish", "office", "msfw"), ("press", "office", "msfw")}


def test_an_office_records_a_response_before_the_assessment(any_app):
    event_id = _event(any_app)
    _act(
        any_app,
        "record_response",
        event_id,
        "minsheng",
        "publish",
        "镇政府网站",
        None,
        "已派人核实并通报",
        minutes(40),
        now=minutes(45),
    )
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert (event.status, event.responded_at) == ("detected", minutes(40))  # 研判 is still the duty desk's to do
        done = deadlines(session, event_id, open_only=False)
        assert done["publish"].done_at == minutes(40) and done["assess"].done_at is None
    _act(any_app, "assess_event", event_id, "zhang", "medical", 2, "msfw", now=minutes(50))
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert (event.status, event.assessed_at) == ("responded", minutes(50))
        assert [(r.before, r.after) for r in audit_rows(session, event_id, "assess") if r.field == "status"] == [
            ("detected", "responded")
        ]


def test_an_office_confirms_a_found_reply_before_the_assessment(any_app):
    event_id = _event(any_app)
    with any_app.db.write() as session:
        reply = Response(
            event_id=event_id,
            stage="respond",
            status="proposed",
            channel="镇长信箱",
            content="已答复留言人",
            published_at=minutes(20),
        )
        session.add(reply)
        session.flush()
        reply_id = reply.id
    _act(any_app, "confirm_response", event_id, "minsheng", reply_id, now=minutes(30))
    with any_app.db.read() as session:
        assert session.get(Response, reply_id).status == "confirmed"
        assert deadlines(session, event_id, open_only=False)["publish"].done_at == minutes(20)


def test_an_unassessed_event_charges_the_duty_desk_and_never_the_office(any_app):
    event_id = _event(any_app, level=2)
    check_deadlines(any_app, now=minutes(61))
    with any_app.db.read() as session:
        breach = session.scalars(select(Breach)).one()
        assert (breach.event_id, breach.stage, breach.holder, breach.office_code) == (event_id, "assess", "duty", None)
        warned = [m.recipients for m in outbox(session) if m.kind in ("warning", "breach", "escalation")]
        assert warned and all("msfw@example.gov.cn" not in r and "msfw-head@example.gov.cn" not in r for r in warned)


def test_a_handover_before_the_due_time_charges_the_old_office_nothing(any_app):
    event_id = _event(any_app, level=2)
    _act(any_app, "reassign_office", event_id, "zhang", "zzwb", now=minutes(240))  # 4 h of msfw's 5 h used
    check_deadlines(any_app, now=minutes(301))
    with any_app.db.read() as session:
        stages = session.execute(select(Breach.stage, Breach.holder)).all()
        assert ("publish", "office") not in stages  # msfw no longer held it at 5 h; zzwb has until 9 h
        publish = session.scalars(select(Deadline).where(Deadline.stage == "publish").order_by(Deadline.id)).all()
        assert [(row.office_code, row.due_at, row.superseded_at) for row in publish] == [
            ("msfw", minutes(300), minutes(240)),
            ("zzwb", minutes(540), None),
        ]
        (moved,) = [r for r in audit_rows(session, event_id, "deadline_moved") if r.field == "deadline.publish"]
        assert moved.comment == "移交综治维稳办公室,自移交时起计时"


def test_a_level_change_that_keeps_a_due_time_logs_no_deadline_row(any_app):
    event_id = _event(any_app, level=3)  # respond 48 h at level 3 and at level 4
    _act(any_app, "assess_event", event_id, "zhang", "medical", 4, "msfw", now=minutes(30))
    with any_app.db.read() as session:
        fields = [r.field for r in audit_rows(session, event_id, "deadline_set")]
        assert fields.count("deadline.respond") == 1  # set at detection; 48 h → 48 h is no news
        assert deadlines(session, event_id, open_only=False)["respond"].level == 4


def test_a_handover_after_the_due_time_records_the_old_offices_breach_before_the_check(any_app):
    """msfw's 5 h for publish ran out at minute 300; the event moved to zzwb at minute 300.5, before the deadline
    check caught it: the breach is recorded at the handover (no mail: msfw no longer holds the stage), charged to
    msfw, once, and the monthly figures and the breach records agree."""
    event_id = _event(any_app, level=2)
    _act(any_app, "reassign_office", event_id, "zhang", "zzwb", now=minutes(300.5))
    check_deadlines(any_app, now=minutes(301))
    with any_app.db.read() as session:
        breaches = session.execute(select(Breach.stage, Breach.holder, Breach.office_code)).all()
        assert ("publish", "office", "msfw") in breaches
        assert [b for b in breaches if b[0] == "publish"] == [("publish", "office", "msfw")]
        (recorded,) = [r for r in audit_rows(session, event_id, "deadline_breached") if r.field == "deadline.publish"]
        assert recorded.comment == "超过办理时限(改派移交时记录)"
        mailed = [m.recipients for m in outbox(session) if m.kind == "breach"]
        assert all("msfw@example.gov.cn" not in r for r in mailed)


def test_a_false_alarm_marked_after_a_missed_assessment_keeps_the_duty_desks_breach(any_app):
    event_id = _event(any_app, level=2)  # 研判 due at minute 60
    _act(any_app, "mark_false_alarm", event_id, "zhang", "经核实为误报", now=minutes(60.5))
    with any_app.db.read() as session:
        (breach,) = session.scalars(select(Breach)).all()
        assert (breach.stage, breach.holder, breach.event_id) == ("assess", "duty", event_id)
        assert not session.scalars(
            select(Deadline).where(Deadline.superseded_at.is_(None), Deadline.done_at.is_(None))
        ).all()
