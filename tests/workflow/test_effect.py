"""评估: mentions per hour and the share of negative mentions before and after the first confirmed response."""

from __future__ import annotations

from datetime import timedelta

from workflow.factories import T0, add_event, add_mention, minutes

from yuqing.db.models import Event
from yuqing.workflow.actions import assess_event, close_event, record_response


def test_effect_is_measured_around_the_first_response(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event = add_event(session, settings, level=2, topic="work_safety")  # one neutral mention at T0
        for i in range(9):  # 10 mentions in the 5 hours before the response, 8 negative
            add_mention(session, event, published_at=minutes(30 * i + 1), negativity=0.9 if i < 8 else 0.1)
        for i in range(3):  # 3 in the 24 hours after, 1 negative
            add_mention(session, event, published_at=minutes(300 + 60 * i), negativity=0.7 if i == 0 else 0.2)
        add_mention(session, event, published_at=minutes(300) + timedelta(hours=30), negativity=1.0)  # outside
        event.first_published_at = T0
        event_id = event.id
    with any_app.db.write() as session:
        assess_event(session, settings, event_id, "zhang", "work_safety", 2, "zzwb", now=minutes(20))
        record_response(
            session,
            settings,
            event_id,
            "wang",
            "publish",
            "镇政府网站",
            None,
            "情况通报",
            minutes(300),
            now=minutes(300),
        )
        close_event(session, settings, event_id, "zhang", now=minutes(300) + timedelta(hours=25))
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        status, effect = event.status, event.effect
    assert status == "evaluated"
    assert effect["before"]["mentions"] == 10 and effect["before"]["hours"] == 5.0
    assert effect["before"]["per_hour"] == 2.0 and effect["before"]["negative_share"] == 0.8
    assert effect["after"]["mentions"] == 3 and effect["after"]["per_hour"] == 0.125
    assert effect["after"]["negative_share"] == 0.333
    assert effect["verdict"] == "热度下降 94%,负面占比下降 47 个百分点"
