"""Run records: CrawlRun rows, source health fields, validators kept only from clean runs, pending board messages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from crawlers import store
from crawlers.runs import RunSummary
from yuqing.app import open_app
from yuqing.db.models import CrawlRun, HttpCacheEntry, Mention, Source

SOURCES = [
    {"name": "board", "kind": "board", "url": "http://127.0.0.1:9/list", "board": {"item_links": "a::attr(href)"}}
]


@pytest.fixture
def run_app(settings_factory):
    app = open_app(settings_factory({"sources": SOURCES}))
    yield app
    app.close()


def source(app):
    with app.db.read() as session:
        row = session.scalar(select(Source).where(Source.name == "board"))
        session.expunge(row)
        return row


def test_summary_message_groups_repeated_problems():
    summary = RunSummary("s")
    for n in range(3):
        summary.problem("入库失败:数据库忙", url=f"http://h/{n}")
    summary.problem("标题选择器未匹配", url="http://h/9", error=False)
    assert summary.ok and summary.errors == 3
    assert summary.message == "入库失败:数据库忙(共 3 处,如 http://h/0);标题选择器未匹配(http://h/9)"
    summary.problem("HTTP 500:网站服务器内部错误", url="http://h/", fatal=True)
    assert not summary.ok and summary.message.startswith("HTTP 500")


def test_successful_run_recorded_with_validators(run_app):
    summary = RunSummary("board", pages=1, fetched=2, new=2)
    summary.validators["http://127.0.0.1:9/list"] = ('"v1"', "Tue, 25 Nov 2026 08:00:00 GMT")
    store.record_run(run_app, summary)
    row = source(run_app)
    assert row.last_success_at == summary.finished_at and row.last_new_item_at == summary.finished_at
    assert row.consecutive_failures == 0 and row.last_error is None
    assert store.load_validators(run_app, ["http://127.0.0.1:9/list", "http://other/"]) == {
        "http://127.0.0.1:9/list": ('"v1"', "Tue, 25 Nov 2026 08:00:00 GMT")
    }
    with run_app.db.read() as session:
        run = session.scalar(select(CrawlRun))
        assert (run.ok, run.pages, run.fetched, run.new, run.message) == (True, 1, 2, 2, "新增 2 条")


def test_failed_runs_count_up_and_keep_no_validators(run_app):
    for _ in range(2):
        summary = RunSummary("board")
        summary.validators["http://127.0.0.1:9/list"] = ('"v2"', None)
        summary.problem("请求超时(超过 20 秒无响应)", fatal=True)
        store.record_run(run_app, summary)
    row = source(run_app)
    assert row.consecutive_failures == 2 and row.last_error.startswith("请求超时")
    assert row.last_success_at is None
    assert store.load_validators(run_app, ["http://127.0.0.1:9/list"]) == {}


def test_run_with_item_errors_keeps_no_validators(run_app):
    summary = RunSummary("board", pages=1)
    summary.validators["http://127.0.0.1:9/list"] = ('"v3"', None)
    summary.problem("入库失败:x", url="http://127.0.0.1:9/m/1")
    store.record_run(run_app, summary)
    assert source(run_app).consecutive_failures == 0
    with run_app.db.read() as session:
        assert session.scalar(select(HttpCacheEntry)) is None


def test_seen_and_pending_board_messages_rotate(run_app, monkeypatch):
    with run_app.db.write() as session:
        board = session.scalar(select(Source).where(Source.name == "board"))
        for n in range(5):
            session.add(
                Mention(
                    source_id=board.id,
                    url=f"http://127.0.0.1:9/m/{n}",
                    canonical_url=f"http://c/{n}",
                    content_hash=str(n),
                    board_status="已回复" if n == 2 else "未回复",
                )
            )
        session.add(
            Mention(
                source_id=board.id,
                url="http://127.0.0.1:9/m/old",
                canonical_url="http://c/old",
                content_hash="old",
                board_status="未回复",
                first_seen_at=store.utcnow() - store.PENDING_MAX_AGE - timedelta(days=1),
            )
        )
    assert store.seen_urls(run_app, ["http://c/1", "http://c/9"]) == {"http://c/1"}
    monkeypatch.setattr(store, "_board_cursor", {})
    first = store.pending_board_messages(run_app, "board", limit=3)
    second = store.pending_board_messages(run_app, "board", limit=3)
    assert [c for _, c in first] == ["http://c/0", "http://c/1", "http://c/3"]
    assert [c for _, c in second] == ["http://c/4", "http://c/0", "http://c/1"]
