"""Ingest: masked storage with evidence, updates on re-poll, reposts joining one event, bursts, bad items."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from yuqing.bursts_job import detect_bursts, hourly_counts
from yuqing.db.models import AuditLog, Deadline, Event, Mention, OutboxMessage, Snapshot
from yuqing.ingest import IngestError, ingest_item

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

EXPLOSION = dict(
    source="bbs",
    source_kind="html",
    url="http://127.0.0.1/t/1?utm_source=x",
    canonical_url="http://127.0.0.1/t/1",
    title="东园镇郭滩村砖厂发生爆炸",
    content="今天上午东园镇郭滩村一砖厂发生爆炸,目前已造成3人死亡,现场浓烟滚滚。知情人电话13912345678。",
    published_at=NOW - timedelta(minutes=20),
    snapshot="<html><body>原始页面 13912345678</body></html>".encode("gbk"),
    snapshot_encoding="gbk",
    snapshot_content_type="text/html; charset=gbk",
)
REWRITE = dict(
    source="app",
    source_kind="json",
    url="http://127.0.0.1/api/9",
    title="郭滩村砖厂爆炸已致3人遇难",
    content="沙坡头区东园镇郭滩村砖厂今天上午发生爆炸,3人死亡,消防正在处置。",
    published_at=NOW - timedelta(minutes=5),
)
LAMP = dict(
    source="board",
    source_kind="board",
    url="http://127.0.0.1/board/msg/7",
    title="金沙村路灯不亮",
    content="东园镇金沙村主干道路灯坏了一个多月没人修,晚上出行很不安全。",
    published_at=NOW - timedelta(hours=3),
    board_status="未回复",
)


def test_new_mention_and_its_evidence_are_masked(any_app):
    result = ingest_item(any_app, dict(EXPLOSION), now=NOW)
    assert result.status == "new" and result.event_id is not None
    with any_app.db.read() as session:
        mention = session.get(Mention, result.mention_id)
        assert "13912345678" not in mention.content and "139****5678" in mention.content
        assert mention.canonical_url == "http://127.0.0.1/t/1" and mention.relevant
        assert mention.urgency <= 2 and any("死亡" in reason for reason in mention.urgency_reasons)
        snapshot = session.scalars(select(Snapshot).where(Snapshot.mention_id == mention.id)).one()
        page = gzip.decompress(snapshot.body_gz).decode("gbk")
        assert "13912345678" not in page and "原始页面 139****5678" in page and snapshot.raw_enc is None


def test_rewrite_joins_the_same_event_and_event_gets_deadlines_and_alert(any_app):
    first = ingest_item(any_app, dict(EXPLOSION), now=NOW)
    second = ingest_item(any_app, dict(REWRITE), now=NOW + timedelta(minutes=2))
    other = ingest_item(any_app, dict(LAMP), now=NOW + timedelta(minutes=3))
    assert second.event_id == first.event_id
    assert other.event_id != first.event_id
    with any_app.db.read() as session:
        event = session.get(Event, first.event_id)
        assert event.mention_count == 2 and event.source_count == 2
        assert event.urgency <= 2 and event.heat > 2
        assert {d.stage for d in session.scalars(select(Deadline).where(Deadline.event_id == event.id))} >= {"assess"}
        alerts = session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == event.id)).all()
        assert alerts and all("13912345678" not in a.body_text for a in alerts)


def test_same_url_again_is_unchanged_and_board_reply_updates(any_app):
    first = ingest_item(any_app, dict(LAMP), now=NOW)
    assert ingest_item(any_app, dict(LAMP), now=NOW + timedelta(minutes=1)).status == "unchanged"
    replied = dict(
        LAMP,
        board_status="已回复",
        reply_text="您好!经核实,路灯已于今日修复。联系电话13812345678。",
        reply_at=NOW + timedelta(hours=1),
        reply_office="东园镇人民政府",
    )
    result = ingest_item(any_app, replied, now=NOW + timedelta(hours=2))
    assert result.status == "updated" and result.mention_id == first.mention_id
    with any_app.db.read() as session:
        mention = session.get(Mention, first.mention_id)
        assert mention.board_status == "已回复" and "13812345678" not in mention.reply_text
        assert session.scalar(select(func.count()).select_from(Mention)) == 1


def test_irrelevant_mention_is_kept_without_event(any_app):
    result = ingest_item(
        any_app,
        dict(
            source="news", url="http://127.0.0.1/n/1", title="某省举办马拉松比赛", content="比赛吸引了上万名跑者参加。"
        ),
        now=NOW,
    )
    assert result.status == "new" and result.event_id is None
    with any_app.db.read() as session:
        assert session.get(Mention, result.mention_id).relevant is False


@pytest.mark.parametrize(
    "item, message",
    [
        (dict(url="http://x/1", title="t"), "缺少来源名称"),
        (dict(source="bbs", title="t"), "缺少网址"),
        (dict(source="bbs", url="http://x/1", title=" ", content=""), "标题和正文都为空"),
        (dict(source="bbs", url="http://x/1", title="t", published_at="昨天"), "published_at 应为时间"),
    ],
)
def test_bad_items_are_refused_with_a_clear_message(app, item, message):
    with pytest.raises(IngestError, match=message):
        ingest_item(app, item, now=NOW)


def test_hourly_counts_by_topic_and_village():
    rows = [("urban", "金沙村", NOW - timedelta(minutes=10)), ("urban", None, NOW - timedelta(hours=2, minutes=1))]
    counts = hourly_counts(rows, NOW)
    assert counts[("urban", None)][-1] == 1 and counts[("urban", None)][-3] == 1
    assert counts[(None, "金沙村")][-1] == 1 and sum(counts[(None, "金沙村")]) == 1


def test_burst_of_complaints_marks_event_emerging(app):
    for hour in range(48, 0, -4):  # a quiet baseline: one complaint every four hours
        ingest_item(
            app,
            dict(
                LAMP,
                url=f"http://127.0.0.1/board/msg/{hour}",
                title=f"金沙村第{hour}号反映",
                content=f"东园镇金沙村供水问题第{hour}次反映,水压低。",
                published_at=NOW - timedelta(hours=hour, minutes=5),
            ),
            now=NOW - timedelta(hours=hour),
        )
    for i in range(12):  # then a burst within the last hour
        ingest_item(
            app,
            dict(
                source="app",
                url=f"http://127.0.0.1/api/b{i}",
                title="金沙村停水三天了",
                content=f"东园镇金沙村全村停水已经三天,没人管!网友{i}",
                published_at=NOW - timedelta(minutes=55 - i),
            ),
            now=NOW - timedelta(minutes=50 - i),
        )
    assert (None, "金沙村") in detect_bursts(app, now=NOW)
    with app.db.read() as session:
        emerging = session.scalars(select(Event).where(Event.emerging.is_(True))).all()
        assert emerging and all(e.urgency <= 3 for e in emerging)
        assert session.scalars(select(AuditLog).where(AuditLog.action == "emerging")).first() is not None


def test_first_crawl_backlog_is_not_a_burst(app):
    """On a new installation the first polls bring days of posts at once: no baseline yet, so no burst."""
    for i in range(15):
        ingest_item(
            app,
            dict(
                source="app",
                url=f"http://127.0.0.1/api/c{i}",
                title="金沙村停水三天了",
                content=f"东园镇金沙村全村停水已经三天,没人管!网友{i}",
                published_at=NOW - timedelta(hours=i * 3),
            ),
            now=NOW - timedelta(minutes=30 - i),
        )
    assert detect_bursts(app, now=NOW) == []
    with app.db.read() as session:
        assert session.scalars(select(Event).where(Event.emerging.is_(True))).all() == []


def _official_settings(settings_factory):
    return settings_factory(
        {
            "sources": [
                {
                    "name": "weibo",
                    "kind": "rss",
                    "url": "http://127.0.0.1/weibo.xml",
                    "source_type": "official",
                    "official": True,
                },
            ]
        }
    )


def test_official_post_joins_its_event_but_never_opens_one(settings_factory):
    from yuqing.app import open_app

    app = open_app(_official_settings(settings_factory))
    try:
        first = ingest_item(app, dict(EXPLOSION), now=NOW)
        notice = ingest_item(
            app,
            dict(
                source="weibo",
                url="http://127.0.0.1/weibo/1",
                title="【情况通报】关于郭滩村砖厂爆炸事故的情况通报",
                content="今天上午东园镇郭滩村一砖厂发生爆炸,造成3人死亡,事故原因正在调查。",
            ),
            now=NOW + timedelta(hours=1),
        )
        unrelated = ingest_item(
            app,
            dict(
                source="weibo",
                url="http://127.0.0.1/weibo/2",
                title="【丰收节】东园镇农民丰收节开幕",
                content="欢迎到东园村文化广场逛丰收节。",
            ),
            now=NOW + timedelta(hours=2),
        )
        assert notice.event_id == first.event_id
        assert unrelated.status == "new" and unrelated.event_id is None
        with app.db.read() as session:
            assert session.scalar(select(func.count()).select_from(Event)) == 1
    finally:
        app.close()


def test_event_is_renamed_after_the_post_that_made_it_serious(app):
    first = ingest_item(
        app,
        dict(
            source="bbs",
            url="http://127.0.0.1/t/9",
            title="郭滩村砖厂冒黑烟",
            content="东园镇郭滩村砖厂今天冒黑烟,气味很大,砖厂工人都跑出来了。",
        ),
        now=NOW,
    )
    worse = ingest_item(
        app,
        dict(
            source="app",
            url="http://127.0.0.1/api/77",
            title="郭滩村砖厂爆炸3人死亡",
            content="东园镇郭滩村砖厂冒黑烟后发生爆炸,3人死亡,砖厂工人受伤。",
        ),
        now=NOW + timedelta(minutes=10),
    )
    assert worse.event_id == first.event_id
    with app.db.read() as session:
        event = session.get(Event, first.event_id)
        assert event.urgency == 1 and event.title == "郭滩村砖厂爆炸3人死亡"
