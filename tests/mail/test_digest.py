"""Digests: level 3–4 alerts wait for the digest times; quiet hours hold digests only; each digest is sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflow.factories import add_event, outbox

from yuqing.db.models import Event
from yuqing.mail.delivery import deliver_due
from yuqing.mail.digest import in_quiet_hours, last_slot, send_digests
from yuqing.timeutil import LOCAL
from yuqing.workflow.hooks import on_event_changed


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL)


def _event(app, at, level=3, topic="medical", title="卫生院排队"):
    with app.db.write() as session:
        return add_event(session, app.settings, level=level, topic=topic, title=title, detected_at=at).id


def test_level_3_waits_for_the_next_digest_time(make_app, smtp_sink):
    from mail_support import smtp_config

    app = make_app(smtp_config(smtp_sink.port))
    _event(app, local(25, 10), title="卫生院排队久")
    _event(app, local(25, 11), level=4, title="学校门口拥堵", topic="education")
    _event(app, local(25, 12), topic="work_safety", title="工地无防护")
    with app.db.read() as session:
        assert {row.status for row in outbox(session)} == {"digest"}
    assert deliver_due(app, now=local(25, 12)).sent == 0
    assert send_digests(app, now=local(25, 17, 29)) == 0  # the 08:30 digest came before these events
    assert send_digests(app, now=local(25, 17, 31)) == 2  # one for msfw (two events), one for zzwb
    assert send_digests(app, now=local(25, 17, 45)) == 0
    deliver_due(app, now=local(25, 17, 31))
    subjects = sorted((tuple(r.recipients), r.message["Subject"]) for r in smtp_sink.received)
    assert subjects == [
        (("msfw@example.gov.cn",), "【舆情摘要】11月25日 17:30 共 2 件"),
        (("zzwb@example.gov.cn",), "【舆情摘要】11月25日 17:30 共 1 件"),
    ]
    text = next(r for r in smtp_sink.received if "共 2 件" in r.message["Subject"]).message.get_body(("plain",))
    assert "卫生院排队久" in text.get_content() and "学校门口拥堵" in text.get_content()
    with app.db.read() as session:
        assert {row.status for row in outbox(session, kind="alert")} == {"digested"}


def test_quiet_hours_hold_digests_but_not_urgent_alerts(make_app):
    app = make_app({"alerts": {"digest_times": ["08:30", "23:00"], "quiet_hours": "22:00-07:00"}})
    _event(app, local(25, 22, 30))
    urgent = _event(app, local(25, 22, 40), level=1, title="山洪")
    with app.db.read() as session:
        (alert,) = outbox(session, event_id=urgent)
        assert alert.status == "pending"
    assert in_quiet_hours(app.settings, local(25, 23)) and not in_quiet_hours(app.settings, local(26, 8, 30))
    assert send_digests(app, now=local(25, 23, 5)) == 0
    assert send_digests(app, now=local(26, 6, 59)) == 0
    assert send_digests(app, now=local(26, 8, 31)) == 1


def test_last_slot_looks_back_over_midnight(settings_factory):
    settings = settings_factory()
    assert last_slot(settings, local(26, 2)) == local(25, 17, 30)
    assert last_slot(settings, local(26, 8, 30)) == local(26, 8, 30)


def test_a_level_rise_sends_at_once_and_drops_the_digest_entry(make_app):
    app = make_app()
    event_id = _event(app, local(25, 10))
    with app.db.write() as session:
        event = session.get(Event, event_id)
        event.urgency = 2
        on_event_changed(session, app.settings, event, 3, now=local(25, 10, 20))
        rows = outbox(session, event_id=event_id)
        assert [(r.status, r.recipients) for r in rows] == [
            ("superseded", ["msfw@example.gov.cn"]),
            ("pending", ["dzb@example.gov.cn", "msfw@example.gov.cn"]),
        ]
        assert "等级上调" in rows[1].body_text
    assert send_digests(app, now=local(25, 17, 31)) == 0


def test_webhooks_get_their_own_digest(make_app, webhook_server):
    app = make_app({"webhooks": [{"name": "值班群", "url": webhook_server.url, "format": "wecom"}]})
    _event(app, local(25, 10))
    _event(app, local(25, 11), topic="work_safety")
    assert send_digests(app, now=local(25, 17, 31)) == 3  # msfw, zzwb and the robot
    deliver_due(app, now=local(25, 17, 31) + timedelta(seconds=1))
    (request,) = webhook_server.requests
    assert request["json"]["markdown"]["content"].startswith("### 舆情摘要(11月25日 17:30)")
