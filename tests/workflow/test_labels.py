"""Corrections are labels: 研判, 误报, 改派 and a duty officer's correction of one mention write label rows (who, when,
from → to, which text), audited; the town's topic training set is read back from them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.factories import add_event, add_mention, minutes
from yuqing.db.models import AuditLog, Event, Label, Mention
from yuqing.workflow.actions import assess_event, mark_false_alarm, reassign_office
from yuqing.workflow.corrections import CorrectionError, correct_mention
from yuqing.workflow.labels import held_back, topic_examples


def _school_event(session, settings):
    event = add_event(session, settings, level=3, topic="urban", title="东园小学门口道路积水", summary="学生上学难")
    first = add_mention(session, event, title="东园小学门口积水", content="学校门口一下雨就积水,孩子上学要蹚水")
    second = add_mention(session, event, source="bbs", title="小学校门口的水坑", content="东园小学门口水坑没人管")
    stray = add_mention(session, event, source="bbs", title="二手电动车出售", content="九成新电动车便宜卖,联系我")
    return event, first, second, stray


def test_assess_writes_a_label_per_field_and_the_training_set_follows_the_event(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, first, second, stray = _school_event(session, settings)
        ids = event.id, first.id, second.id, stray.id
    with any_app.db.write() as session:
        assess_event(session, settings, ids[0], "duty1", "education", 3, "msfw", comment="是学校的事", now=minutes(30))
    with any_app.db.read() as session:
        rows = {row.field: row for row in session.scalars(select(Label).where(Label.event_id == ids[0]))}
        assert set(rows) == {"topic", "urgency", "office_code"}
        topic = rows["topic"]
        assert (topic.before, topic.after, topic.actor, topic.target, topic.action) == (
            "urban",
            "education",
            "duty1",
            "event",
            "assess",
        )
        assert topic.comment == "是学校的事" and topic.at == minutes(30)
        assert rows["urgency"].before == rows["urgency"].after == "3"  # confirmed: a label too
        examples = {e.mention_id: e for e in topic_examples(session)}
        members = set(session.scalars(select(Mention.id).where(Mention.event_id == ids[0])))
        assert {ids[1], ids[2], ids[3]} <= members and set(examples) == members
        assert {e.label for e in examples.values()} == {"education"}
        assert {e.group for e in examples.values()} == {f"e{ids[0]}"}
        assert not any(e.confirmed for e in examples.values())  # the officer changed 城市管理 to 就学
    with any_app.db.write() as session:
        shown = session.get(Mention, ids[1]).topic
        correct_mention(session, settings, ids[1], "duty1", topic=shown)  # the mention's own topic, kept
    with any_app.db.read() as session:
        examples = {e.mention_id: e for e in topic_examples(session)}
        assert examples[ids[1]].label == shown and examples[ids[1]].confirmed and not examples[ids[2]].confirmed


def test_false_alarm_and_reassign_are_labels_and_a_false_alarm_gives_no_topic_examples(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, *_ = _school_event(session, settings)
        event_id = event.id
    with any_app.db.write() as session:
        assess_event(session, settings, event_id, "duty1", "education", 3, "msfw", now=minutes(30))
    with any_app.db.write() as session:
        reassign_office(session, settings, event_id, "duty2", "dzb", comment="归党政办", now=minutes(40))
    with any_app.db.write() as session:
        mark_false_alarm(session, settings, event_id, "duty2", "与本镇无关", now=minutes(50))
    with any_app.db.read() as session:
        rows = session.scalars(select(Label).where(Label.event_id == event_id).order_by(Label.id)).all()
        office = [r for r in rows if r.field == "office_code" and r.action == "reassign"]
        assert [(r.before, r.after, r.actor) for r in office] == [("msfw", "dzb", "duty2")]
        relevance = [r for r in rows if r.field == "relevant"]
        assert [(r.before, r.after, r.action, r.comment) for r in relevance] == [
            ("True", "False", "false_alarm", "与本镇无关")
        ]
        assert topic_examples(session) == []


def test_duty_officer_corrects_one_mentions_topic_and_it_overrides_the_events_label(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, first, second, stray = _school_event(session, settings)
        event_id, second_id = event.id, second.id
    with any_app.db.write() as session:
        assess_event(session, settings, event_id, "duty1", "education", 3, "msfw", now=minutes(30))
    with any_app.db.write() as session:
        correct_mention(session, settings, second_id, "duty1", topic="urban", comment="说的是路", now=minutes(35))
    with any_app.db.read() as session:
        assert session.get(Mention, second_id).topic == "urban"
        audit = session.scalar(select(AuditLog).where(AuditLog.action == "mention_correct"))
        assert audit is not None
        assert (audit.entity, audit.entity_id, audit.event_id, audit.field, audit.before, audit.after) == (
            "mention",
            str(second_id),
            event_id,
            "mention.topic",
            "other",  # the mention's own stored topic (the system's)
            "urban",
        )
        label = session.scalar(select(Label).where(Label.mention_id == second_id))
        assert (label.target, label.field, label.before, label.after, label.actor) == (
            "mention",
            "topic",
            "other",
            "urban",
            "duty1",
        )
        labels = {e.mention_id: e.label for e in topic_examples(session)}
        assert labels[second_id] == "urban"
        assert sorted(set(labels.values())) == ["education", "urban"]


def test_a_mention_found_not_relevant_leaves_its_event_and_the_training_set(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event, first, second, stray = _school_event(session, settings)
        event_id, stray_id = event.id, stray.id
    with any_app.db.write() as session:
        assess_event(session, settings, event_id, "duty1", "education", 3, "msfw", now=minutes(30))
    with any_app.db.write() as session:
        correct_mention(session, settings, stray_id, "duty1", relevant=False, event_id=event_id, now=minutes(40))
    with any_app.db.read() as session:
        stray = session.get(Mention, stray_id)
        assert stray.event_id is None and stray.relevant is False
        assert session.get(Event, event_id).mention_count == 3  # the factory's own mention, first and second
        removed = session.scalar(select(AuditLog).where(AuditLog.action == "mention_removed"))
        assert removed is not None and removed.event_id == event_id and "不相关" in removed.comment
        label = session.scalar(select(Label).where(Label.mention_id == stray_id, Label.field == "relevant"))
        assert (label.before, label.after, label.event_id) == ("True", "False", event_id)
        assert stray_id not in {e.mention_id for e in topic_examples(session)}


def test_mention_corrections_are_checked(any_app):
    settings = any_app.settings
    with any_app.db.write() as session:
        event = add_event(session, settings, level=4, topic="urban", title="路灯不亮")
        only = session.scalar(select(Mention).where(Mention.event_id == event.id))  # the factory's one mention
        other_event = add_event(session, settings, level=4, topic="urban", title="垃圾没人收")
        ids = event.id, only.id, other_event.id
    with any_app.db.write() as session:
        with pytest.raises(CorrectionError, match="唯一信息"):
            correct_mention(session, settings, ids[1], "duty1", relevant=False)
        with pytest.raises(CorrectionError, match="不属于事件"):
            correct_mention(session, settings, ids[1], "duty1", topic="education", event_id=ids[2])
        with pytest.raises(CorrectionError, match="未知领域"):
            correct_mention(session, settings, ids[1], "duty1", topic="nonsense")
        with pytest.raises(CorrectionError, match="请选择"):
            correct_mention(session, settings, ids[1], "duty1")
        with pytest.raises(CorrectionError, match="缺少操作人"):
            correct_mention(session, settings, ids[1], " ", topic="education")
        with pytest.raises(CorrectionError, match="不存在"):
            correct_mention(session, settings, 999_999, "duty1", topic="education")
    with any_app.db.read() as session:
        assert session.scalar(select(Label.id)) is None


def test_hold_out_is_stable_and_near_the_share():
    groups = [f"e{n}" for n in range(2000)]
    first = [held_back(g, 0.2) for g in groups]
    assert first == [held_back(g, 0.2) for g in groups]
    assert 0.17 < sum(first) / len(first) < 0.23
