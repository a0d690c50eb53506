"""End to end: `yuqing crawl --once` against the demo sites and edge-case pages on 127.0.0.1, into SQLite."""

from __future__ import annotations

import gzip
import json

import pytest
from crawl_support import open_config_app, run_yuqing, write_config
from sqlalchemy import select

from crawlers.urls import canonical_url
from yuqing.db.models import CrawlRun, Mention, Snapshot, Source
from yuqing.demo.sites import demo_sources, start_sites
from yuqing.demo.timeline import FakeClock

TEXT = "郭滩村村民反映自来水已经停了三天,群众生活受到很大影响,希望镇政府尽快组织抢修。"
BIG5_TEXT = "中衛市沙坡頭區東園鎮村民反映,這裡的自來水已經停了三天,請政府盡快處理問題。"
FAILURES = {  # source name → (kind, path on the demo site, words expected in the run's message)
    "fail-500": ("rss", "/fail/500", "HTTP 500"),
    "fail-404": ("rss", "/fail/404", "HTTP 404"),
    "fail-loop": ("rss", "/fail/loop-a", "重定向"),
    "fail-huge": ("rss", "/fail/huge.xml", "响应过大"),
    "fail-malformed": ("rss", "/fail/malformed.xml", "XML"),
    "fail-truncated": ("rss", "/fail/truncated.xml", "不完整"),
    "fail-slow": ("rss", "/fail/slow", "超时"),
    "fail-empty": ("rss", "/fail/empty.xml", "空"),
    "fail-nomatch": ("html", "/fail/nomatch.html", "没有匹配到任何链接"),
    "fail-garbage": ("html", "/fail/garbage.html", "没有匹配到任何链接"),
}


def html_page(title: str, body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1><div class='c'>{body}</div></body></html>"


def edge_sources(server) -> list[dict]:
    """Sources on the edge-case server: wrong charsets, ETag feed, robots-forbidden feed, bad and paged APIs."""
    a = server.route("/wrong/a.html", html_page("甲页", TEXT).encode("gbk"), "text/html")
    b = server.route("/wrong/b.html", html_page("乙页", TEXT, '<meta charset="gb2312">').encode("utf-8"), "text/html")
    c = server.route("/wrong/c.html", html_page("丙頁", BIG5_TEXT).encode("big5"), "text/html")
    links = "".join(f'<li><a href="{u}">x</a></li>' for u in (a, b, c))
    server.route(
        "/wrong/list.html", html_page("列表", f"<ul class='l'>{links}</ul>").encode("gbk"), "text/html; charset=utf-8"
    )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>东园镇通知</title><link>{server.base_url}/n/1</link><description>{TEXT}</description></item>"
        "</channel></rss>"
    )
    server.route("/etag/feed.xml", feed.encode(), "application/rss+xml", ETag='"v1"')
    server.route("/robots.txt", b"User-agent: *\nDisallow: /secret/\n", "text/plain")
    server.route("/secret/feed.xml", feed.encode(), "application/rss+xml")
    server.route("/edge/503.xml", b"busy", "text/plain", status=503)
    server.route("/api/bad.json", b"<html><body>502 Bad Gateway</body></html>", "application/json")
    for page in range(1, 6):
        data = {
            "data": {
                "has_more": True,
                "list": [
                    {"id": page * 10 + n, "title": f"第{page}页第{n}条", "content": TEXT, "url": f"/p/{page}/{n}"}
                    for n in range(3)
                ],
            }
        }
        server.route(f"/api/p?page={page}", json.dumps(data, ensure_ascii=False).encode(), "application/json")
    selectors = {"item_links": "ul.l a::attr(href)", "title": "h1::text", "body": "div.c"}
    paths = {"items": "data.list"}
    base = server.base_url
    return [
        {"name": "edge-charset", "kind": "html", "url": base + "/wrong/list.html", "html": selectors},
        {"name": "edge-etag", "kind": "rss", "url": base + "/etag/feed.xml"},
        {"name": "edge-robots", "kind": "rss", "url": base + "/secret/feed.xml"},
        {"name": "edge-503", "kind": "rss", "url": base + "/edge/503.xml"},
        {"name": "edge-bad-api", "kind": "json", "url": base + "/api/bad.json", "json": paths},
        {
            "name": "edge-paged-api",
            "kind": "json",
            "url": base + "/api/p?page=1",
            "max_pages": 2,
            "json": {**paths, "next_page": "data.has_more"},
        },
    ]


def failure_sources(base_url: str) -> list[dict]:
    sources = []
    for name, (kind, path, _) in FAILURES.items():
        source = {"name": name, "kind": kind, "url": base_url + path}
        if kind == "html":
            source["html"] = {"item_links": "table.threadlist a::attr(href)"}
        sources.append(source)
    return sources


class Crawl:
    """The state around one module's crawls: sites, config, and each run's output."""

    def __init__(self, sites, clock, server, config):
        self.sites, self.clock, self.server, self.config = sites, clock, server, config
        self.runs: list = []

    def run(self):
        result = run_yuqing(self.config, "crawl", "--once")
        self.runs.append(result)
        return result

    def query(self, function):
        app = open_config_app(self.config)
        try:
            with app.db.read() as session:
                result = function(session)
                session.expunge_all()  # keep loaded rows usable after the session ends
                return result
        finally:
            app.close()

    def last_runs(self) -> dict[str, CrawlRun]:
        def fetch(session):
            rows = session.execute(
                select(Source.name, CrawlRun).join(CrawlRun, CrawlRun.source_id == Source.id).order_by(CrawlRun.id)
            ).all()
            return {name: run for name, run in rows}

        return self.query(fetch)

    def mentions(self, source: str) -> dict[str, Mention]:
        return self.query(
            lambda s: {
                m.canonical_url: m
                for m in s.scalars(
                    select(Mention).join(Source, Mention.source_id == Source.id).where(Source.name == source)
                )
            }
        )


@pytest.fixture(scope="module")
def crawl(tmp_path_factory, edge_server):
    clock = FakeClock()
    sites = start_sites(clock=clock)
    clock.advance(600)
    config = write_config(
        tmp_path_factory.mktemp("e2e") / "config.toml",
        demo_sources(sites.base_url) + failure_sources(sites.base_url) + edge_sources(edge_server),
    )
    state = Crawl(sites, clock, edge_server, config)
    state.run()
    yield state
    sites.stop()


@pytest.fixture(scope="module")
def crawled_twice(crawl):
    """A second poll after replies were posted on the board and new threads in the forum."""
    crawl.replied = crawl.sites.reply_now(2)
    crawl.new_threads = crawl.sites.publish_now(2, "bbs")
    crawl.requests_before = len(crawl.sites.requests)
    crawl.run()
    return crawl


def test_command_output(crawl):
    first = crawl.runs[0]
    assert first.returncode == 1, first.stderr  # some sources are broken on purpose
    assert "来源" in first.stdout and "新增" in first.stdout and "dongyuan-news" in first.stdout
    assert "个来源采集失败" in first.stderr
    assert "Traceback" not in first.stderr


@pytest.mark.parametrize(
    "channel, source",
    [
        ("news", "dongyuan-news"),
        ("weibo", "dongyuan-weibo"),
        ("bbs", "shapotou-bbs"),
        ("board", "mayor-mailbox"),
        ("api", "city-api"),
    ],
)
def test_every_published_post_stored_with_its_text(crawl, channel, source):
    stored = crawl.mentions(source)
    published = crawl.sites.published(channel)
    assert published
    for item in published[-30:]:
        mention = stored.get(canonical_url(item.url))
        assert mention is not None, f"{source} 漏采 {item.url}"
        assert mention.published_at is not None
    run = crawl.last_runs()[source]
    assert run.ok and run.errors == 0, run.message


def test_gbk_forum_decoded_and_snapshot_kept(crawl):
    def check(session):
        rows = session.execute(
            select(Mention, Snapshot)
            .join(Snapshot, Snapshot.mention_id == Mention.id)
            .join(Source, Mention.source_id == Source.id)
            .where(Source.name == "shapotou-bbs")
        ).all()
        assert rows
        for mention, snapshot in rows:
            assert "\ufffd" not in mention.title and "锟" not in mention.title
            assert snapshot.encoding == "gb18030"
            page = gzip.decompress(snapshot.body_gz).decode("gb18030")
            assert "Discuz" in page and snapshot.url == mention.url
        return len(rows)

    assert crawl.query(check) >= 20


def test_board_status_and_replies(crawl):
    stored = crawl.mentions("mayor-mailbox").values()
    assert {m.board_status for m in stored} == {"已回复", "未回复"}
    assert all(m.reply_text for m in stored if m.board_status == "已回复")
    assert all(not m.reply_text for m in stored if m.board_status == "未回复")


@pytest.mark.parametrize("name", FAILURES)
def test_broken_sources_fail_with_chinese_reason(crawl, name):
    run = crawl.last_runs()[name]
    assert not run.ok
    assert FAILURES[name][2] in run.message, run.message
    source = crawl.query(lambda s: s.scalar(select(Source).where(Source.name == name)))
    assert source.consecutive_failures >= 1 and source.last_error


def test_retries_back_off(crawl):
    first, retry = crawl.server.request_times("/edge/503.xml")[:2]
    assert retry - first >= 0.4  # RETRY_BACKOFF_BASE = download_timeout / 4 = 0.5 s, ±20 % jitter
    assert "HTTP 503" in crawl.last_runs()["edge-503"].message


def test_wrong_charsets_decoded(crawl):
    def pages(session):
        rows = session.execute(
            select(Mention, Snapshot)
            .join(Snapshot, Snapshot.mention_id == Mention.id)
            .join(Source, Mention.source_id == Source.id)
            .where(Source.name == "edge-charset")
        )
        return {mention.url.rsplit("/", 1)[1]: (mention, snapshot) for mention, snapshot in rows}

    stored = crawl.query(pages)
    assert sorted(stored) == ["a.html", "b.html", "c.html"]
    for name, original in [("a.html", TEXT), ("b.html", TEXT), ("c.html", BIG5_TEXT)]:
        mention, snapshot = stored[name]
        assert "\ufffd" not in mention.title + mention.content
        # the evidence keeps the page as published (traditional characters included) and says how to read it
        assert original in gzip.decompress(snapshot.body_gz).decode(snapshot.encoding)
    assert stored["a.html"][0].content == TEXT and stored["b.html"][0].title == "乙页"
    assert stored["c.html"][1].encoding == "big5hkscs"


def test_robots_txt_obeyed(crawl):
    assert crawl.server.requested("/robots.txt")
    assert crawl.server.requested("/secret/feed.xml") == []
    assert "robots.txt" in crawl.last_runs()["edge-robots"].message
    assert not [r for r in crawl.sites.requests if r.path.startswith("/private/")]


def test_api_errors_and_paging_limit(crawl):
    runs = crawl.last_runs()
    assert not runs["edge-bad-api"].ok and "JSON" in runs["edge-bad-api"].message
    assert runs["edge-paged-api"].pages == 2 and runs["edge-paged-api"].new == 6


def test_second_poll_notices_replies(crawled_twice):
    stored = crawled_twice.mentions("mayor-mailbox")
    for item in crawled_twice.replied:
        mention = stored[canonical_url(item.url)]
        assert mention.board_status == "已回复" and mention.reply_text
    assert crawled_twice.last_runs()["mayor-mailbox"].updated >= len(crawled_twice.replied)


def test_second_poll_is_incremental_and_conditional(crawled_twice):
    runs = crawled_twice.last_runs()
    forum = runs["shapotou-bbs"]
    assert forum.new == 2 and forum.pages == 1
    assert all(canonical_url(t.url) in crawled_twice.mentions("shapotou-bbs") for t in crawled_twice.new_threads)
    later = crawled_twice.sites.requests[crawled_twice.requests_before :]
    forum_pages = [r.path for r in later if r.path.startswith("/bbs/thread-")]
    assert sorted(forum_pages) == sorted(
        t.url.split(crawled_twice.sites.base_url)[1] for t in crawled_twice.new_threads
    )
    etag = runs["edge-etag"]
    assert etag.ok and etag.not_modified == 1 and etag.new == 0
    assert crawled_twice.server.requested("/etag/feed.xml")[-1].get("If-None-Match") == '"v1"'
    assert runs["dongyuan-news"].not_modified == 1  # nothing new in the news feed: a 304


def test_failures_accumulate(crawled_twice):
    source = crawled_twice.query(lambda s: s.scalar(select(Source).where(Source.name == "fail-500")))
    assert source.consecutive_failures == 2
    healthy = crawled_twice.query(lambda s: s.scalar(select(Source).where(Source.name == "dongyuan-news")))
    assert healthy.consecutive_failures == 0 and healthy.last_success_at
