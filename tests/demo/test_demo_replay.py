"""Event clustering measured on the authored demo corpus, replayed through the real ingest path."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from pipeline.clustering import b_cubed
from yuqing.app import open_app
from yuqing.db.models import AuditLog, Event
from yuqing.demo.replay import BASE_URL, replay_corpus
from yuqing.demo.runner import demo_settings
from yuqing.demo.sites import demo_sources


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    app = open_app(demo_settings(None, tmp_path_factory.mktemp("replay"), demo_sources(BASE_URL), 8050))
    try:
        yield app, replay_corpus(app)
    finally:
        app.close()


@pytest.fixture(scope="module")
def replayed(replay):
    return replay[1]


def _event_of(replayed, title_start: str) -> int:
    return next(row.event_id for row in replayed if row.entry.title.startswith(title_start))


def test_events_follow_the_hand_labelled_matters(replayed):
    clustered = {row.mention_id: row.event_id for row in replayed if row.entry.post.relevant and row.event_id}
    gold = {row.mention_id: row.entry.post.matter for row in replayed if row.mention_id in clustered}
    precision, recall = b_cubed(gold, clustered)
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)


def test_an_emergency_is_one_event_and_holds_no_other_matter(replayed):
    by_matter: dict[str, Counter] = defaultdict(Counter)
    matters_of_event: dict[int, set[str]] = defaultdict(set)
    for row in replayed:
        if row.event_id is not None:
            by_matter[row.entry.post.matter][row.event_id] += 1
            matters_of_event[row.event_id].add(row.entry.post.matter)
    for matter in ("explosion", "poisoning", "flood", "collapse"):
        main_event, joined = by_matter[matter].most_common(1)[0]
        assert joined >= 0.7 * sum(by_matter[matter].values()), (matter, by_matter[matter])
        assert matters_of_event[main_event] == {matter}


def test_a_matter_copied_to_another_village_is_another_event(replayed):
    events = defaultdict(set)
    for row in replayed:
        if row.event_id is not None and row.entry.post.matter.startswith("streetlight-"):
            events[row.entry.post.matter].add(row.event_id)
    assert len(events) >= 2
    assert not set.intersection(*events.values())


def test_the_explosion_follows_the_official_figures_with_the_earlier_ones_in_its_history(replay):
    """3 dead in the first reports, 5 in the official update: the event says 5, is titled by the update, and its
    history keeps the 3."""
    app, replayed = replay
    event_id = _event_of(replayed, "沙坡头区东园镇一化工企业发生爆炸事故")
    with app.db.read() as session:
        event = session.get(Event, event_id)
        history = session.scalars(
            select(AuditLog).where(AuditLog.event_id == event_id, AuditLog.field == "casualties").order_by(AuditLog.id)
        ).all()
        assert event.facts["figures"] == {"dead": 5, "injured": 10}
        assert event.facts["rank"] == 3  # the town's official account
        assert event.title.startswith("【进展通报】")
        assert any("死亡5人" in reason for reason in event.reasons)
        assert [row.after for row in history][-1] == "死亡5人、受伤10人"
        assert any(row.after == "死亡3人、受伤12人" for row in history)
        assert event.topic == "work_safety"


def test_a_rumour_naming_the_plant_joins_its_explosion_and_a_rumour_does_not_overwrite_the_figures(replay):
    app, replayed = replay
    explosion = _event_of(replayed, "沙坡头区东园镇一化工企业发生爆炸事故")
    assert _event_of(replayed, "听说死人了……我表哥就在瑞鑫化工上班") == explosion
    assert _event_of(replayed, "网传东园化工厂爆炸死了二十多个人") == explosion
    with app.db.read() as session:
        assert session.get(Event, explosion).facts["figures"]["dead"] == 5  # not the rumour's twenty
