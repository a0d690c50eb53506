"""Splitting mentions out of an event and undoing a merge: by a duty officer, audited, with deadlines and alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.factories import add_event, add_mention, minutes
from yuqing.db.models import AuditLog, Deadline, Event, Mention, OutboxMessage
from yuqing.workflow.actions import merge_into
from yuqing.workflow.split import SplitError, split_event, unmerge_event


def _crash_with_a_stray_fire(session, settings):
    event = add_event(
        session,
        settings,
        level=3,
        topic="transport",
        title="101国道两车相撞",
        summary="101国道郭滩村路段两车相撞,1人受伤。",
    )
    add_mention(
        session, event, title="101国道郭滩段车祸", content="101国道郭滩村路段两车相撞,1人受伤送医。", seen_at=minutes(5)
    )
    stray = add_mention(
        session,
        event,
        source="bbs",
        title="金沙村砖厂着火了",
        content="金沙村砖厂着火了,听说烧死了三个人",
        seen_at=minutes(8),
    )
    return event, stray


def test_split_makes_a_new_event_with_its_own_level_office_deadlines_and_alert(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, stray = _crash_with_a_stray_fire(session, settings)
        event_id, stray_id = event.id, stray.id
    with any_app.db.write() as session:
        new = split_event(session, settings, event_id, "duty1", [stray_id], comment="这是另一起火灾", now=minutes(20))
        new_id = new.id
    with any_app.db.read() as session:
        new, old = session.get(Event, new_id), session.get(Event, event_id)
        assert session.get(Mention, stray_id).event_id == new_id
        assert old.mention_count == 2 and new.mention_count == 1
        assert new.urgency == 1 and new.topic == "work_safety" and new.office_code == "zzwb"
        assert old.urgency == 3  # the fire's deaths no longer count for the crash
        deadlines = session.scalars(select(Deadline).where(Deadline.event_id == new_id)).all()
        assert deadlines and all(row.starts_at == minutes(20) for row in deadlines)
        assert (
            session.scalar(select(OutboxMessage).where(OutboxMessage.event_id == new_id, OutboxMessage.kind == "alert"))
            is not None
        )
        audit = {
            (row.event_id, row.field, row.actor)
            for row in session.scalars(select(AuditLog).where(AuditLog.action == "split"))
        }
        assert audit == {(event_id, "split_to", "duty1"), (new_id, "split_from", "duty1")}


def test_a_split_must_leave_a_mention_and_take_only_the_events_own(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, stray = _crash_with_a_stray_fire(session, settings)
        other = add_event(session, settings, title="另一个事件")
        all_ids = list(session.scalars(select(Mention.id).where(Mention.event_id == event.id)))
        foreign = session.scalar(select(Mention.id).where(Mention.event_id == other.id))
        with pytest.raises(SplitError, match="至少要留一条"):
            split_event(session, settings, event.id, "duty1", all_ids)
        with pytest.raises(SplitError, match="不都属于"):
            split_event(session, settings, event.id, "duty1", [stray.id, foreign])
        with pytest.raises(SplitError, match="至少选择"):
            split_event(session, settings, event.id, "duty1", [])


def test_undo_a_merge_gives_back_what_the_event_brought(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        kept = add_event(session, settings, title="化工厂爆炸", summary="瑞鑫化工爆炸")
        absorbed = add_event(
            session,
            settings,
            level=3,
            topic="transport",
            title="101国道车祸",
            summary="101国道两车相撞",
            detected_at=minutes(10),
        )
        add_mention(session, absorbed, title="101国道车祸续报", content="101国道两车相撞,司机受伤", seen_at=minutes(12))
        kept_id, absorbed_id = kept.id, absorbed.id
        brought = set(session.scalars(select(Mention.id).where(Mention.event_id == absorbed_id)))
    with any_app.db.write() as session:
        merge_into(session, settings, absorbed_id, "duty1", kept_id, now=minutes(30))
    with any_app.db.write() as session:
        assert session.get(Event, kept_id).mention_count == 3
        restored = unmerge_event(session, settings, absorbed_id, "duty2", comment="不是同一事项", now=minutes(40))
        assert restored.status == "detected" and restored.merged_into_id is None
    with any_app.db.read() as session:
        assert set(session.scalars(select(Mention.id).where(Mention.event_id == absorbed_id))) == brought
        assert session.get(Event, kept_id).mention_count == 1
        open_rows = session.scalars(
            select(Deadline).where(Deadline.event_id == absorbed_id, Deadline.superseded_at.is_(None))
        ).all()
        assert open_rows and all(row.starts_at == minutes(40) for row in open_rows)
        assert (
            session.scalar(
                select(AuditLog).where(
                    AuditLog.event_id == kept_id, AuditLog.action == "unmerge", AuditLog.actor == "duty2"
                )
            )
            is not None
        )
    with any_app.db.write() as session, pytest.raises(SplitError, match="不是已合并"):
        unmerge_event(session, settings, absorbed_id, "duty2")
