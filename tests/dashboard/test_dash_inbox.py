"""收件箱: each user sees what was sent to their mailboxes, unread first, and marks it read (only their own)."""

from __future__ import annotations

from dash_support import viewer
from sqlalchemy import select

from dashboard.access import DENIED
from dashboard.user_actions import mark_inbox_read
from yuqing.db.models import AuditLog, OutboxMessage, User
from yuqing.inbox import inbox
from yuqing.mail.outbox import enqueue


def _inbox(app, name: str):
    with app.db.read() as session:
        user = session.scalar(select(User).where(User.username == name))
        return inbox(session, app.settings, user)


def _queue(app, subject: str, recipients: list[str]) -> int:
    with app.db.write() as session:
        row = enqueue(session, kind="alert", recipients=recipients, subject=subject, body_text=subject + "。详情见看板")
        session.flush()
        return row.id


def test_each_user_sees_what_was_sent_to_them_unread_first_and_marks_it_read(seeded_app):
    app, _ = seeded_app
    mine = _queue(app, "民生服务中心:测试提醒", ["msfw@example.gov.cn"])
    theirs = _queue(app, "综治办:测试提醒", ["zzwb@example.gov.cn"])
    items = _inbox(app, "msfw")
    assert mine in {item.id for item in items} and theirs not in {item.id for item in items}
    assert all(not item.read for item in items)
    with app.db.read() as session:
        sent = session.scalars(select(OutboxMessage)).all()
        expected = {row.id for row in sent if {"msfw@example.gov.cn", "msfw-head@example.gov.cn"} & set(row.recipients)}
    assert {item.id for item in items} == expected
    result = mark_inbox_read(app, viewer("msfw"), [mine, theirs])
    assert result.ok and result.message == "已将 1 条标记为已读"  # not someone else's
    items = _inbox(app, "msfw")
    assert [item.id for item in items][-1] == mine and items[-1].read  # read ones after the unread
    assert all(not item.read for item in items[:-1])
    assert not {item.id: item.read for item in _inbox(app, "zzwb")}[theirs]
    assert theirs in {item.id for item in _inbox(app, "zzwb")}
    assert mine not in {item.id for item in _inbox(app, "duty")}
    with app.db.read() as session:
        row = session.scalar(select(AuditLog).where(AuditLog.action == "inbox_read"))
        assert row is not None and row.actor == "msfw" and "1 条" in row.comment


def test_roles_get_their_desks_mail(seeded_app):
    app, _ = seeded_app
    duty = _queue(app, "研判预警", ["zhiban@example.gov.cn"])
    leader = _queue(app, "月报", ["leader@example.gov.cn"])
    admin = _queue(app, "来源异常", ["admin@example.gov.cn"])
    assert duty in {item.id for item in _inbox(app, "duty")}
    assert leader in {item.id for item in _inbox(app, "leader")}
    assert admin in {item.id for item in _inbox(app, "admin")}
    assert leader not in {item.id for item in _inbox(app, "duty")}
    assert mark_inbox_read(app, viewer("duty"), []).message == "没有未读的提醒"


def test_inbox_needs_a_known_user(seeded_app):
    app, _ = seeded_app
    from dashboard.access import Viewer

    assert mark_inbox_read(app, Viewer("ghost", "duty"), [1]).message == DENIED
