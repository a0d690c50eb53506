"""Event clustering measured on the authored demo corpus, replayed through the real ingest path."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from pipeline.clustering import b_cubed
from yuqing.app import open_app
from yuqing.demo.replay import BASE_URL, replay_corpus
from yuqing.demo.runner import demo_settings
from yuqing.demo.sites import demo_sources


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    app = open_app(demo_settings(None, tmp_path_factory.mktemp("replay"), demo_sources(BASE_URL), 8050))
    try:
        yield replay_corpus(app)
    finally:
        app.close()


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
