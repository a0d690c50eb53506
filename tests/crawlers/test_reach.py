"""Keyword search, captcha / 403 back-off and RSSHub routes, crawled for real against the demo stand-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crawl_support import open_config_app, run_yuqing, write_config
from sqlalchemy import select

from yuqing.db.models import CrawlRun, Mention, SearchKeyword, Source
from yuqing.demo.sites import reach_sources, start_sites
from yuqing.demo.timeline import FakeClock
from yuqing.timeutil import utcnow


@pytest.fixture(scope="module")
def sites():
    # A clock that stands still: nothing is published unless a test says so (publish_now).
    with start_sites(port=0, speed=1.0, seed=2026, clock=FakeClock(utcnow())) as handle:
        yield handle


def search_source(sites, **search) -> dict:
    source = dict(reach_sources(sites.base_url)[0])
    source["search"] = {**source["search"], **search}
    return source


def rows(config, model, *where):
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            found = list(session.scalars(select(model).where(*where)))
            for row in found:
                session.expunge(row)
            return found
    finally:
        app.close()


def search_requests(sites, since: int) -> list[str]:
    return [r.path.split("?")[0] for r in sites.requests[since:] if r.path.startswith("/search/")]


def result_pages(sites, since: int) -> list[str]:
    return [r.path for r in sites.requests[since:] if r.path.startswith("/search/s?")]


def test_search_pages_keywords_in_rotation_and_stops_at_what_it_has(tmp_path, sites):
    source = search_source(sites, keywords=["东园"], from_schemes=False, keywords_per_run=1)
    source["max_pages"] = 2
    config = write_config(tmp_path / "config.toml", [source])
    before = len(sites.requests)
    result = run_yuqing(config, "crawl", "--once")
    assert result.returncode == 0, result.stderr
    asked = search_requests(sites, before)
    pages = [p for p in asked if p == "/search/s"]
    assert len(pages) == 2, asked  # two result pages (max_pages), then no more
    stored = rows(config, Mention)
    indexed = ("/news/", "/bbs/", "/city/")
    expected = [p for p in sites.published() if "东园" in p.title + p.content and any(i in p.url for i in indexed)]
    assert len(stored) == min(20, len(expected)) and len(stored) >= 11
    assert all(m.search_keyword == "东园" and "/search/doc/" in m.url for m in stored)
    assert all(m.published_at is not None and m.content for m in stored)  # detail pages were read
    keyword = rows(config, SearchKeyword)[0]
    assert keyword.keyword == "东园" and keyword.hits == len(stored) and keyword.last_seen_url

    # Next run: nothing new was published; one result page is read and the search stops at the newest it knows.
    before = len(sites.requests)
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    asked = search_requests(sites, before)
    assert asked == ["/search/s"], asked
    assert len(rows(config, Mention)) == len(stored)

    # Something new: only it is fetched, from the first result page.
    fresh = [p for p in sites.publish_now(8, channel="bbs") if "东园" in p.title + p.content]
    assert fresh
    before = len(sites.requests)
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    asked = search_requests(sites, before)
    assert asked.count("/search/s") == 1 and len(asked) == 1 + len(fresh), asked
    assert len(rows(config, Mention)) == len(stored) + len(fresh)


def test_keywords_come_from_the_schemes_and_rotate(tmp_path, sites):
    source = search_source(sites, keywords_per_run=2)
    source["max_pages"] = 1
    config = write_config(tmp_path / "config.toml", [source])  # the scheme's region words: 东园|沙坡头|中卫|郭滩|…
    searched = []
    for _ in range(3):
        before = len(sites.requests)
        assert run_yuqing(config, "crawl", "--once").returncode == 0
        searched.append(result_pages(sites, before))
    assert [len(s) for s in searched] == [2, 2, 2]
    keywords = rows(config, SearchKeyword)
    assert sorted(k.keyword for k in keywords) == sorted(["东园", "沙坡头", "中卫", "郭滩", "金沙", "柔新"])
    assert all(k.searches == 1 for k in keywords)  # six different keywords in three runs: rotated, none twice


def test_results_without_detail_pages_are_stored_from_the_list(tmp_path, sites):
    source = search_source(sites, keywords=["东园"], from_schemes=False, keywords_per_run=1, detail_body="")
    source["max_pages"] = 1
    config = write_config(tmp_path / "config.toml", [source])
    before = len(sites.requests)
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    assert not [p for p in search_requests(sites, before) if p.startswith("/search/doc/")]
    stored = rows(config, Mention)
    assert len(stored) == 10 and all(m.title and "东园" in m.title + m.content for m in stored)


def test_captcha_page_marks_the_source_blocked_and_backs_off(tmp_path, sites):
    source = search_source(sites, keywords=["东园", "中卫"], from_schemes=False, keywords_per_run=2)
    config = write_config(tmp_path / "config.toml", [source], {"blocked_backoff_minutes": 10})
    sites.set_fault("/search/s", "captcha")
    try:
        result = run_yuqing(config, "crawl", "--once")
        row = rows(config, Source)[0]
        assert row.blocked_reason and "验证码" in row.blocked_reason, result.stderr
        assert row.blocked_count == 1
        pause = row.blocked_until - utcnow()
        assert timedelta(minutes=9) < pause <= timedelta(minutes=10)
        # While backing off, the site is not asked at all.
        before = len(sites.requests)
        run_yuqing(config, "crawl", "--once")
        assert search_requests(sites, before) == []
        assert len(rows(config, CrawlRun)) == 1
    finally:
        sites.clear_faults()


def test_a_second_block_doubles_the_pause_and_a_clean_run_clears_it(tmp_path, sites):
    source = search_source(sites, keywords=["东园"], from_schemes=False, keywords_per_run=1)
    source["max_pages"] = 1
    config = write_config(tmp_path / "config.toml", [source], {"blocked_backoff_minutes": 0.001})
    sites.set_fault("/search/s", "403")
    try:
        run_yuqing(config, "crawl", "--once")
        run_yuqing(config, "crawl", "--once")
        row = rows(config, Source)[0]
        assert row.blocked_count == 2 and row.blocked_reason.startswith("HTTP 403")
        runs = rows(config, CrawlRun)
        assert len(runs) == 2 and not runs[0].ok and "403" in runs[0].message
        assert len([r for r in sites.requests if r.path.startswith("/search/s?") and r.status == 403]) >= 2
    finally:
        sites.clear_faults()
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    row = rows(config, Source)[0]
    assert row.blocked_count == 0 and row.blocked_reason is None and row.blocked_until is None


def test_robots_txt_is_obeyed_by_search_sources(tmp_path, sites):
    source = search_source(sites, keywords=["东园"], from_schemes=False)
    source["url"] = sites.base_url + "/search/private/s?q={keyword}&page={page}"
    config = write_config(tmp_path / "config.toml", [source])
    before = len(sites.requests)
    run_yuqing(config, "crawl", "--once")
    assert not [r for r in sites.requests[before:] if r.path.startswith("/search/private/")]
    run = rows(config, CrawlRun)[0]
    assert not run.ok and "robots.txt" in run.message


def test_rsshub_routes_give_platform_and_author(tmp_path, sites):
    config = write_config(tmp_path / "config.toml", reach_sources(sites.base_url)[1:])
    result = run_yuqing(config, "crawl", "--once")
    assert result.returncode == 0, result.stderr
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            found = list(session.execute(select(Mention.platform, Mention.author, Mention.source_type, Mention.url)))
    finally:
        app.close()
    weibo = [m for m in found if m.platform == "微博"]
    wechat = [m for m in found if m.platform == "微信公众号"]
    assert weibo and wechat
    assert {m.author for m in weibo} == {"中卫身边事"} and {m.source_type for m in weibo} == {"weibo"}
    assert {m.author for m in wechat} == {"东园镇发布"} and all("mp.weixin.qq.com" in m.url for m in wechat)


def test_a_result_page_refusing_does_not_block_the_search_and_the_result_is_kept(tmp_path, edge_server):
    results = "".join(
        f'<div class="result"><h3 class="t"><a href="/gone/{n}.html">东园镇第{n}条消息</a></h3>'
        f'<div class="c-summary">东园镇摘要{n}</div><span class="c-time">2026-12-01 10:0{n}</span></div>'
        for n in range(3)
    )
    page = f'<html><div id="content_left">{results}</div></html>'.encode()
    edge_server.route_prefix("/se/s", lambda path: (200, {"Content-Type": "text/html; charset=utf-8"}, page))
    edge_server.route_prefix("/gone/", lambda path: (403, {"Content-Type": "text/html"}, b"forbidden"))
    source = {
        "name": "edge-search",
        "kind": "search",
        "url": edge_server.base_url + "/se/s?q={keyword}&p={page}",
        "obey_robots": False,
        "max_pages": 1,
        "search": {
            "results": "div#content_left div.result",
            "link": "h3.t a::attr(href)",
            "title": "h3.t a",
            "snippet": "div.c-summary",
            "time": "span.c-time::text",
            "detail_body": "div.art-body",
            "keywords": ["东园"],
            "from_schemes": False,
        },
    }
    config = write_config(tmp_path / "config.toml", [source])
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    row = rows(config, Source)[0]
    assert row.blocked_reason is None and row.blocked_count == 0
    stored = rows(config, Mention)
    assert len(stored) == 3 and all(m.content.startswith("东园镇摘要") for m in stored)
