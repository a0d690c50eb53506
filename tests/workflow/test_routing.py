"""Routing: rules in order (AND across fields, OR inside a list), then 谁主管谁负责, then 属地, else the lead office."""

from __future__ import annotations

import pytest
from workflow.factories import add_event, add_mention

from yuqing.workflow.routing import informed_offices, route, route_event

RULES = {
    "routing": [
        {"office": "cwh-guotan", "villages": ["郭滩村"], "topics": ["urban", "environment"]},
        {"office": "zzwb", "sources": ["board", "weibo"], "topics": ["land"]},
        {"office": "msfw", "sources": ["mailbox"]},
    ]
}


@pytest.fixture
def settings(settings_factory):
    return settings_factory(RULES)


def test_first_matching_rule_wins_with_and_across_fields(settings):
    decision = route(settings, topic="environment", villages=["郭滩村"], sources=["news"])
    assert decision.office_code == "cwh-guotan"
    assert decision.reason.startswith("分派规则第 1 条")


def test_or_inside_a_list(settings):
    assert route(settings, topic="land", villages=[], sources=["weibo"]).office_code == "zzwb"
    assert route(settings, topic="land", villages=[], sources=["board"]).office_code == "zzwb"


def test_rule_needs_every_field_it_names(settings):
    # Rule 1 needs both the village and the topic: topic medical does not match, so the topic owner decides.
    decision = route(settings, topic="medical", villages=["郭滩村"], sources=["news"])
    assert decision.office_code == "msfw" and "谁主管谁负责" in decision.reason
    # Rule 2 needs topic land: a board post about housing falls through to the topic office.
    assert route(settings, topic="housing", villages=[], sources=["board"]).office_code == "msfw"


def test_rule_with_only_sources_matches_any_topic(settings):
    assert route(settings, topic="transport", villages=["东园村"], sources=["mailbox"]).office_code == "msfw"


def test_topic_owner_then_village_then_lead(settings_factory):
    settings = settings_factory()
    topic = route(settings, topic="medical", villages=["郭滩村"])
    assert topic.office_code == "msfw" and "就医" in topic.reason
    local = route(settings, topic="sports-unknown", villages=["郭滩村"])
    assert local.office_code == "cwh-guotan" and local.reason == "属地管理:郭滩村"
    fallback = route(settings, topic="sports-unknown", villages=[])
    assert fallback.office_code == "dzb" and "牵头单位" in fallback.reason


def test_lead_office_is_informed_of_level_1_and_2_only(settings_factory):
    settings = settings_factory()
    assert [o.code for o in informed_offices(settings, "msfw", 1)] == ["msfw", "dzb"]
    assert [o.code for o in informed_offices(settings, "msfw", 2)] == ["msfw", "dzb"]
    assert [o.code for o in informed_offices(settings, "msfw", 3)] == ["msfw"]
    assert [o.code for o in informed_offices(settings, "dzb", 1)] == ["dzb"]


def test_route_event_uses_villages_and_sources_of_its_mentions(settings_factory):
    from yuqing.app import open_app

    app = open_app(settings_factory(RULES))
    try:
        with app.db.write() as session:
            event = add_event(session, app.settings, level=3, topic="land", source="news", detect=False)
            assert route_event(session, app.settings, event).office_code == "jjfw"  # land → 经济发展综合服务中心
            add_mention(session, event, source="weibo", title="转发")
            assert route_event(session, app.settings, event).office_code == "zzwb"
    finally:
        app.close()


def test_detected_event_is_routed_and_the_reason_logged(settings_factory):
    from workflow.factories import audit_rows

    from yuqing.app import open_app

    app = open_app(settings_factory(RULES))
    try:
        with app.db.write() as session:
            event = add_event(session, app.settings, level=2, topic="urban", village="郭滩村")
            rows = audit_rows(session, event.id, "route")
        assert event.office_code == "cwh-guotan"
        assert [(r.field, r.before, r.after) for r in rows] == [("office_code", None, "cwh-guotan")]
        assert rows[0].comment.startswith("分派规则第 1 条")
    finally:
        app.close()
