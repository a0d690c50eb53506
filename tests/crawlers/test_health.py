"""Source health: admin-only "source down" alerts, hourly repeats, recovery notices, and the figures."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.db.models import Mention, OutboxMessage, Source
from yuqing.source_health import check_sources, source_health

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SOURCES = [
    {
        "name": "bbs",
        "title": "沙坡头论坛",
        "kind": "rss",
        "url": "http://127.0.0.1:9/bbs.xml",
        "fail_limit": 3,
        "silence_hours": 24,
    },
    {"name": "news", "kind": "rss", "url": "http://127.0.0.1:9/news.xml", "silence_hours": 24},
    {"name": "old", "kind": "rss", "url": "http://127.0.0.1:9/old.xml", "enabled": False},
]


@pytest.fixture
def health_app(settings_factory):
    app = open_app(
        settings_factory(
            {
                "sources": SOURCES,
                "webhooks": [{"name": "值班群", "url": "http://127.0.0.1:9/hook", "kinds": ["source_down"]}],
            }
        )
    )
    with app.db.write() as session:
        for source in session.scalars(select(Source)):
            source.created_at = T0 - timedelta(days=3)
            source.last_new_item_at = T0 - timedelta(hours=1)
    yield app
    app.close()


def set_source(app, name, **fields):
    with app.db.write() as session:
        source = session.scalar(select(Source).where(Source.name == name))
        for key, value in fields.items():
            setattr(source, key, value)


def outbox(app):
    with app.db.read() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_failing_source_alerts_admins_only_and_repeats_hourly(health_app):
    set_source(health_app, "bbs", consecutive_failures=3, last_error="HTTP 500:网站服务器内部错误")
    assert [c["change"] for c in check_sources(health_app, now=T0)] == ["down"]
    emails = [m for m in outbox(health_app) if m.channel == "email"]
    assert len(emails) == 1
    alert = emails[0]
    assert alert.kind == "source_down" and alert.recipients == ["admin@example.gov.cn"]
    assert "沙坡头论坛" in alert.subject and "连续 3 次采集失败" in alert.subject
    assert "HTTP 500" in alert.body_text and "处理建议" in alert.body_text
    assert any(m.channel == "webhook" for m in outbox(health_app))

    assert check_sources(health_app, now=T0 + timedelta(minutes=30)) == []
    assert [c["change"] for c in check_sources(health_app, now=T0 + timedelta(minutes=61))] == ["still_down"]
    emails = [m for m in outbox(health_app) if m.channel == "email"]
    assert len(emails) == 2 and "仍未恢复" in emails[1].subject
    assert emails[0].dedupe_key != emails[1].dedupe_key

    set_source(health_app, "bbs", consecutive_failures=0, last_error=None, last_success_at=T0 + timedelta(hours=2))
    assert [c["change"] for c in check_sources(health_app, now=T0 + timedelta(hours=2))] == ["recovered"]
    last = [m for m in outbox(health_app) if m.channel == "email"][-1]
    assert "来源恢复" in last.subject and last.recipients == ["admin@example.gov.cn"]
    with health_app.db.read() as session:
        source = session.scalar(select(Source).where(Source.name == "bbs"))
        assert source.down_since is None and source.down_reason is None and source.last_down_alert_at is None


def test_below_fail_limit_no_alert(health_app):
    set_source(health_app, "bbs", consecutive_failures=2, last_error="超时")
    assert check_sources(health_app, now=T0) == []
    assert outbox(health_app) == []


def test_silent_source(health_app):
    set_source(health_app, "news", last_new_item_at=T0 - timedelta(hours=30))
    changes = check_sources(health_app, now=T0)
    assert [(c["source"], c["change"]) for c in changes] == [("news", "down")]
    assert "没有新信息" in changes[0]["reason"]


def test_disabled_source_never_alerts_and_is_cleared(health_app):
    set_source(
        health_app,
        "old",
        consecutive_failures=10,
        last_new_item_at=None,
        down_since=T0 - timedelta(days=1),
        down_reason="旧原因",
    )
    assert [c["change"] for c in check_sources(health_app, now=T0)] == ["recovered"]
    assert outbox(health_app) == []  # no recovery notice for a source the administrator switched off


def test_two_checkers_do_not_double_alert(health_app):
    set_source(health_app, "bbs", consecutive_failures=5, last_error="超时", last_success_at=T0 - timedelta(hours=3))
    check_sources(health_app, now=T0)
    set_source(health_app, "bbs", down_since=None, last_down_alert_at=None)  # another process, a moment later
    check_sources(health_app, now=T0 + timedelta(seconds=20))
    assert len([m for m in outbox(health_app) if m.channel == "email"]) == 1


def test_old_run_records_are_pruned(health_app):
    from yuqing.db.models import CrawlRun
    from yuqing.source_health import RUN_RETENTION

    with health_app.db.write() as session:
        news = session.scalar(select(Source).where(Source.name == "news"))
        session.add_all(
            [
                CrawlRun(source_id=news.id, started_at=T0 - RUN_RETENTION - timedelta(hours=1)),
                CrawlRun(source_id=news.id, started_at=T0 - timedelta(hours=1)),
            ]
        )
    check_sources(health_app, now=T0)
    with health_app.db.read() as session:
        assert [r.started_at for r in session.scalars(select(CrawlRun))] == [T0 - timedelta(hours=1)]


def add_mention(session, source, n, published, seen):
    session.add(
        Mention(
            source_id=source.id,
            url=f"http://h/{source.name}/{n}",
            canonical_url=f"http://h/{source.name}/{n}",
            content_hash=str(n),
            published_at=published,
            first_seen_at=seen,
        )
    )


def test_source_health_figures(health_app):
    with health_app.db.write() as session:
        news = session.scalar(select(Source).where(Source.name == "news"))
        for n, lag in enumerate([60, 120, 600]):
            add_mention(session, news, n, T0 - timedelta(hours=2, seconds=lag), T0 - timedelta(hours=2))
        add_mention(session, news, 10, T0 - timedelta(days=5), T0 - timedelta(days=2))  # backlog: before source added
        add_mention(session, news, 11, T0 - timedelta(days=2, hours=1), T0 - timedelta(days=2))
    set_source(health_app, "bbs", consecutive_failures=3, down_since=T0, down_reason="连续 3 次采集失败")
    with health_app.db.read() as session:
        rows = {row["name"]: row for row in source_health(session, now=T0)}
    assert rows["news"]["items_24h"] == 3
    assert rows["news"]["items_per_day_7d"] == round(5 / 7, 1)
    assert rows["news"]["median_lag_seconds"] == 360  # median of 60, 120, 600, 3600: backlog item left out
    assert rows["news"]["status_level"] == "ok"
    assert rows["bbs"]["status"] == "异常" and rows["bbs"]["status_level"] == "down"
    assert rows["bbs"]["median_lag_seconds"] is None and rows["bbs"]["median_lag_text"] == "—"
    assert rows["old"]["status_level"] == "disabled"
