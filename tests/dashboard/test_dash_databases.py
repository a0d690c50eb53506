"""Every page's queries on SQLite and on PostgreSQL (time buckets, grouping and scoping differ between them)."""

from __future__ import annotations

from dash_support import viewer

from dashboard.queries.event_detail import query_event_detail, query_event_heat, query_event_mentions
from dashboard.queries.events import EventFilters, query_event_list
from dashboard.queries.offices import query_office_breaches, query_office_table
from dashboard.queries.overview import query_newest_mentions, query_overview_counts, query_urgent_events
from dashboard.queries.trends import (
    query_events_by_topic,
    query_mentions_by_topic,
    query_negative_share,
    query_topic_village,
)
from yuqing.source_health import source_health
from yuqing.timeutil import format_local, utcnow


def test_queries_agree_on_both_databases(seeded_any):
    app, data = seeded_any
    now = utcnow()
    duty = viewer("duty")
    with app.db.read() as session:
        assert query_overview_counts(session, duty, now)["overdue"] == {1: 0, 2: 1, 3: 0, 4: 0}
        assert [r["id"] for r in query_urgent_events(session, app.settings, duty, now)][0] == data.safety
        assert len(query_newest_mentions(session, app.settings, viewer("msfw"))) == 4
        listed = query_event_list(session, app.settings, EventFilters.from_form(text="100%_"), duty, now)
        assert listed == []
        assert len(query_event_list(session, app.settings, EventFilters.from_form(source="forum"), duty, now)) == 4
        detail = query_event_detail(session, app.settings, data.safety, duty, now)
        assert detail["audit"] and detail["deadlines"]
        assert len(query_event_mentions(session, app.settings, data.safety)) == 2
        assert int(query_event_heat(session, data.safety)["mentions"].sum()) == 2
        mentions = query_mentions_by_topic(session, app.settings, now, 7)
        days = set(mentions["day"])
        assert format_local(data.now, "%Y-%m-%d") in days and mentions["count"].sum() == 8
        assert query_events_by_topic(session, app.settings, duty, now, 7)["count"].sum() == 4
        assert query_topic_village(session, app.settings, now, 7)["count"].sum() == 8
        assert query_negative_share(session, now, 7)["total"].sum() == 8
        assert {r["code"] for r in query_office_table(session, app.settings, duty, None, now)} >= {
            "@duty",
            "msfw",
            "zzwb",
        }
        assert isinstance(query_office_breaches(session, app.settings, duty, None, now), list)
        assert {row["name"] for row in source_health(session, now)} == {"news-rss", "forum"}
