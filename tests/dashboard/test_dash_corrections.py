"""Correcting one mention from the event page: duty officers only (checked on the server), audited, a label."""

from __future__ import annotations

from dash_support import viewer
from sqlalchemy import select

from dashboard.access import DENIED
from dashboard.actions import run_event_action
from yuqing.db.models import AuditLog, Event, Label, Mention


def _mentions(app, event_id: int) -> list[int]:
    with app.db.read() as session:
        return list(session.scalars(select(Mention.id).where(Mention.event_id == event_id).order_by(Mention.id)))


def test_duty_corrects_a_mentions_topic_and_another_out_of_the_event(seeded_app):
    app, data = seeded_app
    first, repost = _mentions(app, data.medical)
    values = {"mention_id": f"#{first}", "kind": "topic", "topic": "social_security", "comment": "说的是低保"}
    result = run_event_action(app, viewer("duty"), "correct", data.medical, values)
    assert result.ok, result.message
    result = run_event_action(
        app, viewer("duty"), "correct", data.medical, {"mention_id": str(repost), "kind": "not_relevant"}
    )
    assert result.ok, result.message
    with app.db.read() as session:
        assert session.get(Mention, first).topic == "social_security"
        assert session.get(Mention, repost).event_id is None
        assert session.get(Event, data.medical).mention_count == 1
        actions = set(
            session.execute(
                select(AuditLog.action, AuditLog.actor).where(
                    AuditLog.event_id == data.medical, AuditLog.actor == "duty"
                )
            ).all()
        )
        assert {("mention_correct", "duty"), ("mention_removed", "duty")} <= actions
        labels = session.execute(
            select(Label.mention_id, Label.field, Label.after, Label.actor).where(Label.target == "mention")
        ).all()
        assert set(labels) == {(first, "topic", "social_security", "duty"), (repost, "relevant", "False", "duty")}


def test_only_duty_may_correct_and_only_mentions_of_this_event(seeded_app):
    app, data = seeded_app
    first, _ = _mentions(app, data.medical)
    values = {"mention_id": str(first), "kind": "topic", "topic": "education"}
    for name in ("msfw", "leader", "admin"):
        assert run_event_action(app, viewer(name), "correct", data.medical, values).message in (
            DENIED,
            "事件不存在或无权查看",
        )
    other = run_event_action(app, viewer("duty"), "correct", data.xss, values)
    assert not other.ok and "不属于事件" in other.message
    missing = run_event_action(app, viewer("duty"), "correct", data.medical, {"mention_id": "x", "kind": "topic"})
    assert not missing.ok and "信息编号" in missing.message and "领域" in missing.message
    with app.db.read() as session:
        assert session.scalar(select(Label.id).where(Label.action == "correct")) is None
        assert session.get(Mention, first).topic != "education"
