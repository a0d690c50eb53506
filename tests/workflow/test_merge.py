"""Merging events: what moves, what stops, what the audit log says, and who is kept (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from workflow.factories import add_event, add_mention, audit_rows, deadlines, minutes, outbox

from yuqing.db.models import Event, EventHeat, Mention, Response
from yuqing.ingest import ingest_item
from yuqing.workflow import actions
from yuqing.workflow.actions import WorkflowError
from yuqing.workflow.merge import merge_events, survivor


def _pair(app, first_level=3, second_level=1):
    with app.db.write() as session:
        first = add_event(
            session, app.settings, level=first_level, title="工业园冒黑烟", summary="一声巨响", detected_at=minutes(0)
        )
        second = add_event(
            session,
            app.settings,
            level=second_level,
            title="化工厂爆炸3人死亡",
            summary="爆炸",
            source="bbs",
            detected_at=minutes(5),
        )
        add_mention(session, second, source="bbs", title="转发:化工厂爆炸", seen_at=minutes(6), published_at=minutes(6))
        session.add(EventHeat(event_id=second.id, hour=minutes(0), mentions=2, sources=1, reposts=40, negative=1))
        session.add(
            Response(
                event_id=second.id,
                stage="publish",
                channel="镇政府网站",
                content="情况通报",
                published_at=minutes(30),
                status="proposed",
            )
        )
        return first.id, second.id


def test_an_automatic_merge_moves_everything_and_stops_the_absorbed_clock(any_app):
    first_id, second_id = _pair(any_app)
    with any_app.db.write() as session:
        kept, absorbed = survivor(session.get(Event, first_id), session.get(Event, second_id))
        assert (kept.id, absorbed.id) == (first_id, second_id)  # neither worked on: the one detected first
        merge_events(session, any_app.settings, kept, absorbed, actor="system", reason="同一事项", now=minutes(10))
    with any_app.db.read() as session:
        kept, absorbed = session.get(Event, first_id), session.get(Event, second_id)
        assert (absorbed.status, absorbed.merged_into_id, absorbed.status_reason) == ("merged", first_id, "同一事项")
        assert session.scalar(select(func.count()).where(Mention.event_id == first_id)) == 3
        assert kept.mention_count == 3 and kept.source_count == 2 and absorbed.mention_count == 0
        assert kept.urgency == 1 and kept.title == "化工厂爆炸3人死亡"  # the more severe level, and its title
        assert session.scalar(select(Response.event_id)) == first_id
        heat = session.scalars(select(EventHeat).where(EventHeat.event_id == first_id)).all()
        assert sum(row.reposts for row in heat) == 40
        assert session.scalar(select(func.count()).where(EventHeat.event_id == second_id)) == 0
        assert deadlines(session, second_id) == {}  # the absorbed event's clock stops
        assert "publish" in deadlines(session, first_id)  # level 1 on the kept event: 5 h to publish
        assert any(row.field == "status" and row.after == "merged" for row in audit_rows(session, second_id, "merge"))
        assert [row.after for row in audit_rows(session, first_id, "merge")] == [str(second_id)]
        assert any(
            row.field == "urgency" and row.after == "1" for row in audit_rows(session, first_id, "level_changed")
        )


def test_the_event_an_officer_worked_on_is_kept_and_two_worked_ones_are_left_to_the_officer(any_app):
    first_id, second_id = _pair(any_app)
    with any_app.db.write() as session:
        actions.assess_event(session, any_app.settings, second_id, "zhang", "work_safety", 1, "zzwb", now=minutes(8))
    with any_app.db.write() as session:
        first, second = session.get(Event, first_id), session.get(Event, second_id)
        assert [event.id for event in survivor(first, second)] == [second_id, first_id]
        actions.assess_event(session, any_app.settings, first_id, "zhang", "environment", 3, "jjfw", now=minutes(9))
        assert survivor(first, second) is None


def test_a_duty_officer_merges_one_event_into_another(any_app):
    first_id, second_id = _pair(any_app, first_level=4, second_level=2)
    with any_app.db.write() as session:
        kept = actions.merge_into(
            session, any_app.settings, first_id, "zhang", second_id, comment="同一起爆炸", now=minutes(12)
        )
        assert kept.id == second_id
    with any_app.db.read() as session:
        assert session.get(Event, first_id).status_reason == "值班员判定为同一事项:同一起爆炸"
        assert [row.actor for row in audit_rows(session, first_id, "merge")] == ["zhang"] * 4
    with any_app.db.write() as session, pytest.raises(WorkflowError, match="已合并"):
        actions.merge_into(session, any_app.settings, first_id, "zhang", second_id, now=minutes(13))
    with any_app.db.write() as session, pytest.raises(WorkflowError, match="自己"):
        actions.merge_into(session, any_app.settings, second_id, "zhang", second_id, now=minutes(13))


def test_held_digest_alerts_of_the_absorbed_event_are_dropped(any_app):
    with any_app.db.write() as session:
        quiet = add_event(session, any_app.settings, level=4, title="路灯不亮", topic="urban", detected_at=minutes(0))
        other = add_event(session, any_app.settings, level=4, title="路灯坏了", topic="urban", detected_at=minutes(1))
        held = [row.id for row in outbox(session, event_id=other.id, status="digest")]
        merge_events(session, any_app.settings, quiet, other, actor="system", reason="同一事项", now=minutes(2))
    with any_app.db.read() as session:
        assert held and all(row.status == "superseded" for row in outbox(session, event_id=other.id) if row.id in held)


def test_a_merged_event_takes_no_new_mentions(app):
    post = dict(
        source="bbs",
        url="http://127.0.0.1/t/1",
        title="金沙村路灯不亮",
        content="金沙村主干道路灯坏了一个月没人修。",
        published_at=minutes(0),
    )
    first = ingest_item(app, dict(post), now=minutes(1)).event_id
    with app.db.write() as session:
        other = add_event(session, app.settings, level=4, title="金沙村路灯", topic="urban", detected_at=minutes(2))
        actions.merge_into(session, app.settings, first, "zhang", other.id, now=minutes(3))
    again = ingest_item(
        app, dict(post, url="http://127.0.0.1/t/2", title="金沙村路灯还是不亮"), now=minutes(4)
    ).event_id
    assert again != first


def test_offices_alerted_about_a_merged_event_are_told_where_it_went(any_app):
    with any_app.db.write() as session:
        kept = add_event(
            session, any_app.settings, level=3, title="工业园冒黑烟", topic="environment", detected_at=minutes(0)
        )  # jjfw, held for the digest
        gone = add_event(
            session, any_app.settings, level=1, title="化工厂爆炸", topic="work_safety", detected_at=minutes(5)
        )  # zzwb and the lead office, at once
        for row in outbox(session, event_id=gone.id, kind="alert"):
            row.status, row.attempts = "sent", 1
        late = add_event(
            session, any_app.settings, level=2, title="爆炸后道路封闭", topic="transport", detected_at=minutes(6)
        )  # jjfw and the lead office; not yet sent when merged
        merge_events(session, any_app.settings, kept, gone, actor="zhang", reason="同一起爆炸", now=minutes(10))
        merge_events(session, any_app.settings, kept, late, actor="zhang", reason="同一起爆炸", now=minutes(11))
        kept_id, gone_id, late_id = kept.id, gone.id, late.id
    with any_app.db.read() as session:
        (notice,) = outbox(session, kind="merged")
        assert notice.recipients == ["dzb@example.gov.cn", "zzwb@example.gov.cn"] and notice.event_id == kept_id
        assert f"#{gone_id} 已并入 #{kept_id}" in notice.subject
        assert "责任单位为 经济发展综合服务中心" in notice.body_text and f"/events/{kept_id}" in notice.body_text
        # the alert about the other one never went out: it is dropped, and nobody needs telling
        assert [row.status for row in outbox(session, event_id=late_id)] == ["superseded"]
