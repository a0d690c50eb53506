"""Response evidence: a board reply or an official post joining an event is proposed for an officer to confirm."""

from __future__ import annotations

from sqlalchemy import select
from workflow.factories import add_event, add_mention, audit_rows, deadlines, minutes

from yuqing.db.models import Event, Response
from yuqing.workflow.actions import assess_event, confirm_response
from yuqing.workflow.hooks import on_mention_joined


def test_board_reply_is_proposed_once_and_audited(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event = add_event(session, settings, level=3, topic="urban")
        mention = add_mention(
            session,
            event,
            source="board",
            title="路灯不亮",
            board_status="已回复",
            reply_text="已安排维修,三日内修复。",
            reply_at=minutes(90),
            reply_office="经济发展综合服务中心",
            seen_at=minutes(100),
        )
        on_mention_joined(session, settings, event, mention)
        on_mention_joined(session, settings, event, mention)  # the same reply seen again
        (response,) = session.scalars(select(Response)).all()
        assert (response.status, response.stage, response.evidence_mention_id) == ("proposed", "respond", mention.id)
        assert response.published_at == minutes(90) and response.url == mention.url
        assert response.content == "已安排维修,三日内修复。" and "留言答复(经济发展综合服务中心)" in response.channel
        (row,) = audit_rows(session, event.id, "response_proposed")
        assert (row.actor, row.after, row.at) == ("system", str(response.id), minutes(100))
        assert deadlines(session, event.id)["respond"].done_at is None  # not done until confirmed


def test_official_post_is_proposed_as_publication_for_level_1_and_2(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event = add_event(session, settings, level=2)
        post = add_mention(
            session,
            event,
            source="town-weibo",
            title="关于化工厂事故的情况通报",
            content="正在救援",
            published_at=minutes(120),
            official=True,
        )
        on_mention_joined(session, settings, event, post, now=minutes(125))
        response = session.scalars(select(Response)).one()
        assert (response.stage, response.published_at) == ("publish", minutes(120))
        assert response.content == "关于化工厂事故的情况通报\n正在救援"
        event_id, response_id = event.id, response.id
    with any_app.db.write() as session:
        assess_event(session, settings, event_id, "zhang", "work_safety", 2, "zzwb", now=minutes(30))
        confirm_response(session, settings, event_id, "zhang", response_id, now=minutes(130))
        assert session.get(Event, event_id).status == "responded"
        assert deadlines(session, event_id, open_only=False)["publish"].done_at == minutes(120)


def test_ordinary_mentions_and_closed_events_propose_nothing(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event = add_event(session, settings, level=3)
        on_mention_joined(session, settings, event, add_mention(session, event, title="网友转发"))
        event.status = "closed"
        on_mention_joined(session, settings, event, add_mention(session, event, official=True, title="通报"))
        assert session.scalars(select(Response)).all() == []
