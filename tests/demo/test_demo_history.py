"""The demo's history (issue 17): a short history played through the real code, and what the pages and the
reports show of it matches the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.access import Viewer
from dashboard.queries.admin import query_reports
from dashboard.queries.offices import month_bounds, query_office_breaches, query_office_table
from dashboard.queries.trends import query_events_by_topic, query_mentions_by_topic
from yuqing.app import open_app
from yuqing.db.models import AuditLog, Breach, Deadline, Event, Mention, OutboxMessage, Report, Response
from yuqing.demo import history
from yuqing.demo.runner import demo_settings, fresh_demo_dir, prepare_history
from yuqing.demo.sites import demo_sources
from yuqing.source_health import source_health

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 14:00 in Beijing; the history ends at the local midnight before
DAYS = 5
LEADER = Viewer("lingdao", "leader", None, "镇领导")


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    data_dir = fresh_demo_dir(tmp_path_factory.mktemp("history") / "demo")
    stats, archive = prepare_history(None, data_dir, DAYS, 2026, now=NOW, use_cache=False)
    settings = demo_settings(None, data_dir, demo_sources(history.BASE_URL), 8050, outbox="outbox-history")
    app = open_app(settings)
    yield stats, archive, app, data_dir
    app.close()


def test_plan_is_deterministic_and_spans_the_days():
    end = history.history_end(NOW)
    first, second = history.plan_posts(2026, DAYS, end), history.plan_posts(2026, DAYS, end)
    assert [(p.at, p.entry().path, p.post.title) for p in first] == [
        (p.at, p.entry().path, p.post.title) for p in second
    ]
    assert [p.post.title for p in history.plan_posts(7, DAYS, end)] != [p.post.title for p in first]
    assert all(end - timedelta(days=DAYS) <= p.at < end for p in first)
    days = {p.at.astimezone(history.CST).date() for p in first}
    assert len(days) == DAYS
    assert sum("郭滩村养牛场" in p.post.title for p in first) >= 2  # the repeat complaint
    assert any(p.post.emergency for p in first)


def test_history_went_through_ingest_and_workflow(played):
    stats, _, app, _ = played
    with app.db.read() as session:
        mentions = session.scalar(select(func.count(Mention.id)))
        assert stats.mentions == mentions and mentions > 40
        assert stats.events == session.scalar(select(func.count(Event.id)).where(Event.status != "merged")) > 10
        first_seen = session.scalars(select(Mention.first_seen_at)).all()
        assert min(first_seen) < NOW - timedelta(days=DAYS - 1)  # historical times, not the time of the run
        statuses = dict(session.execute(select(Event.status, func.count()).group_by(Event.status)).all())
        assert statuses.get("evaluated", 0) + statuses.get("closed", 0) > 0  # closed, then its effect evaluated
        # every officer action is an audit row written by the workflow at its own (historical) time
        actions = dict(session.execute(select(AuditLog.action, func.count()).group_by(AuditLog.action)).all())
        for action in ("detected", "route", "assess", "respond", "close"):
            assert actions.get(action, 0) > 0, action
        assert actions["close"] >= statuses.get("closed", 0) + statuses.get("evaluated", 0)
        assert session.scalar(select(func.min(AuditLog.at))) < NOW - timedelta(days=DAYS - 1)
        actors = set(session.scalars(select(AuditLog.actor).where(AuditLog.action == "assess")))
        assert actors <= {"zhiban", "zhiban2"}
        assert session.scalar(select(func.count(Response.id)).where(Response.status == "confirmed")) > 0
        # the reason of every automatic decision is kept (routing, detection)
        routes = session.scalars(select(AuditLog.comment).where(AuditLog.action == "route")).all()
        assert all(comment for comment in routes)
        # the history's mails were delivered (to its own folder): nothing due is left for the live outbox
        due = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= NOW
        )
        assert session.scalar(due) == 0
        # personal data masked as everywhere: no phone number of the corpus is stored in clear
        assert not session.scalar(select(func.count(Mention.id)).where(Mention.content.regexp_match(r"1[3-9]\d{9}")))


def test_trends_show_the_days_of_the_history(played):
    _, _, app, _ = played
    with app.db.read() as session:
        frame = query_mentions_by_topic(session, app.settings, NOW, 30)
        stored = session.scalar(
            select(func.count(Mention.id)).where(
                Mention.relevant.is_(True), Mention.first_seen_at >= NOW - timedelta(days=30)
            )
        )
        assert int(frame["count"].sum()) == stored > 0
        assert frame["day"].nunique() >= DAYS - 1
        events = query_events_by_topic(session, app.settings, LEADER, NOW, 30)
        assert int(events["count"].sum()) > 10


def test_offices_page_matches_the_breaches(played):
    _, _, app, _ = played
    with app.db.read() as session:
        total = 0
        for month in ("2026-11", "2026-12"):
            start, end, _ = month_bounds(month, NOW)
            rows = query_office_table(session, app.settings, LEADER, month, NOW)
            stored = session.scalar(select(func.count(Breach.id)).where(Breach.due_at >= start, Breach.due_at < end))
            assert sum(row["breaches"] for row in rows) == stored
            assert len(query_office_breaches(session, app.settings, LEADER, month, NOW)) == stored
            total += stored
        assert total > 0
        assert session.scalar(select(func.count(Breach.id))) == total


def test_reports_are_listed_with_their_files_and_figures(played):
    _, _, app, _ = played
    with app.db.read() as session:
        listed = query_reports(session, app.settings, Viewer("admin", "admin"))
        kinds = {row["kind"] for row in listed}
        assert {"月度问责报告", "日报", "周报"} <= kinds, kinds
        assert all(row["files"] for row in listed)
        for report in session.scalars(select(Report)):
            assert all(Path(path).exists() for path in report.files)
            assert report.created_at < NOW + timedelta(minutes=1)
        monthly = session.scalar(select(Report).where(Report.kind == "monthly", Report.period == "2026-11"))
        assert monthly is not None and monthly.summary["complete"]
        start, end, _ = month_bounds("2026-11", NOW)
        detected = session.scalar(
            select(func.count(Event.id)).where(Event.detected_at >= start, Event.detected_at < end)
        )
        assert 0 < monthly.summary["events"] <= detected
        # the report's 超时 are the breaches recorded by the deadline job, less those whose response was published
        # (though recorded later) before the deadline — if it was recorded before the report was made
        done_later = {
            (row.event_id, row.field)
            for row in session.scalars(
                select(AuditLog).where(AuditLog.action == "deadline_done", AuditLog.at > monthly.created_at)
            )
        }
        rows = session.execute(
            select(Breach.event_id, Deadline.stage, Deadline.done_at, Deadline.due_at)
            .join(Deadline, Deadline.id == Breach.deadline_id)
            .where(Breach.due_at >= start, Breach.due_at < end)
        ).all()
        late_ids = [
            event_id
            for event_id, stage, done_at, due_at in rows
            if done_at is None or done_at > due_at or (event_id, f"deadline.{stage}") in done_later
        ]
        assert monthly.summary["breaches"] == len(late_ids) > 0
        breached = set(late_ids)
        for suggestion in monthly.summary["suggestions"]:
            assert set(suggestion["events"]) <= breached
        daily = session.scalars(select(Report).where(Report.kind == "daily")).all()
        assert len(daily) >= 3


def test_sources_page_and_served_history_pages(played):
    _, archive, app, _ = played
    with app.db.read() as session:
        health = source_health(session, NOW)
        assert sum(row["items_per_day_7d"] for row in health) > 3
        assert any(row["median_lag_seconds"] for row in health)
        urls = set(session.scalars(select(Mention.url)))
    served = {history.BASE_URL + entry.path for entry in archive}
    assert urls <= served  # every stored link is a page the demo sites serve
