"""Each demo endpoint over real HTTP: feeds parse, the forum is GBK, 304s, replies appear later, no label leaks."""

import json
import re
import urllib.robotparser
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from demo_support import fetch

from yuqing.demo.corpus import CST
from yuqing.demo.httpcommon import local
from yuqing.demo.pages_bbs import forum_time
from yuqing.demo.sites import start_sites
from yuqing.demo.timeline import FakeClock

ATOM = "{http://www.w3.org/2005/Atom}"


def test_robots_allows_our_paths(sites):
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(fetch(sites.base_url + "/robots.txt").text().splitlines())
    for s in sites.sources():
        assert rp.can_fetch("yuqing-crawler", s["url"]), s["url"]
    assert rp.can_fetch("yuqing-crawler", sites.base_url + "/bbs/thread-1001-1-1.html")
    assert not rp.can_fetch("yuqing-crawler", sites.base_url + "/private/x.html")


def test_news_rss(sites):
    r = fetch(sites.base_url + "/news/rss.xml")
    assert r.status == 200 and "charset=utf-8" in r.headers["Content-Type"]
    items = ET.fromstring(r.body).findall("./channel/item")
    published = {p.url: p for p in sites.published("news")}
    assert items and len(items) == min(30, len(published))
    for it in items:
        link = it.findtext("link")
        assert link in published and it.findtext("guid") == link
        assert parsedate_to_datetime(it.findtext("pubDate")) == published[link].published_at.replace(microsecond=0)
        page = fetch(link).text()
        assert published[link].title in page and "<p>" in it.findtext("description")


def test_weibo_atom(sites):
    root = ET.fromstring(fetch(sites.base_url + "/weibo/atom.xml").body)
    assert root.findtext(ATOM + "title") == "东园镇发布"
    entries = root.findall(ATOM + "entry")
    assert entries
    for e in entries:
        assert e.findtext(f"{ATOM}author/{ATOM}name") == "东园镇发布"
        datetime.fromisoformat(e.findtext(ATOM + "published"))
        href = e.find(ATOM + "link").get("href")
        assert fetch(href).status == 200
    assert any("情况通报" in e.findtext(ATOM + "title") for e in entries)


def test_forum_is_gbk(sites):
    r = fetch(sites.base_url + "/bbs/forum-1-1.html")
    assert r.headers["Content-Type"] == "text/html; charset=gbk"
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    page = r.text("gbk")
    assert 'charset=gbk"' in page and "民生热线" in page and "下一页" in page
    newest = sites.published("bbs")[::-1][:20]
    for p in newest:
        assert p.url.rsplit("/", 1)[1] in page
    detail = fetch(newest[0].url)
    assert "查看:" in detail.text("gbk") and newest[0].title in detail.text("gbk")


def test_forum_wrong_and_missing_charset(sites):
    page2 = fetch(sites.base_url + "/bbs/forum-1-2.html")
    assert page2.headers["Content-Type"] == "text/html" and "charset" not in page2.text("gbk")
    wrong = [p for p in sites.published("bbs") if re.search(r"thread-\d*7-1-1", p.url)][0]
    r = fetch(wrong.url)
    assert r.headers[
        "Content-Type"
    ] == "text/html" and '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />' in r.text("gbk")
    assert wrong.title in r.text("gbk")


def test_forum_time_formats():
    now = datetime(2026, 11, 25, 10, 0, 0, tzinfo=CST)
    assert forum_time(now - timedelta(seconds=20), now) == "20秒前"
    assert forum_time(now - timedelta(minutes=3), now) == "3分钟前"
    assert forum_time(now - timedelta(hours=2), now) == "2小时前"
    assert forum_time(now.replace(hour=1, minute=5), now) == "今天 01:05"
    assert forum_time(now - timedelta(days=1, hours=-4, minutes=-20), now) == "昨天 14:20"
    assert forum_time(now - timedelta(days=2), now) == "前天 10:00"
    assert forum_time(now - timedelta(days=5, minutes=-12), now) == "2026-11-20 10:12"


def test_board_reply_appears_after_its_time(sites, clock):
    pending = [e for e in sites.timeline.published("board") if e.reply_at and e.reply_at > clock()]
    assert pending
    e = pending[0]
    url = sites.url(e)
    before = fetch(url).text()
    assert '<span class="msg-status">未回复</span>' in before and "reply-content" not in before
    listing = fetch(sites.base_url + "/board/list?page=1").text()
    clock.now = e.reply_at + timedelta(seconds=1)
    after = fetch(url).text()
    assert '<span class="msg-status">已回复</span>' in after
    assert f'<span class="reply-time">{local(e.reply_at)}</span>' in after
    assert f'<span class="reply-office">{e.post.reply.office}</span>' in after
    assert "特此回复" in after and "东园镇人民政府" in after
    assert fetch(sites.base_url + "/board/list?page=1").text() != listing


@pytest.mark.parametrize(
    "path,channel",
    [
        ("/news/rss.xml", "news"),
        ("/weibo/atom.xml", "weibo"),
        ("/bbs/forum-1-1.html", "bbs"),
        ("/board/list?page=1", "board"),
        ("/api/posts?page=1", "api"),
    ],
)
def test_conditional_get(sites, clock, path, channel):
    url = sites.base_url + path
    first = fetch(url)
    etag, lm = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status == 200 and etag and lm
    assert fetch(url, {"If-None-Match": etag}).status == 304
    assert fetch(url, {"If-Modified-Since": lm}).status == 304
    assert fetch(url, {"If-None-Match": '"other"'}).status == 200
    clock.advance(1)
    sites.publish_now(1, channel)
    again = fetch(url, {"If-None-Match": etag})
    assert again.status == 200 and again.headers["ETag"] != etag
    assert fetch(url, {"If-Modified-Since": lm}).status == 200


def test_json_api(sites):
    body = json.loads(fetch(sites.base_url + "/api/posts?page=1").body)
    assert body["code"] == 0
    items, total = body["data"]["list"], body["data"]["total"]
    assert len(items) == 20 and body["data"]["has_more"] is (total > 20)
    first = items[0]
    assert {"id", "title", "content", "pub_time", "url"} <= set(first)
    assert first["user"]["nick"] and isinstance(first["stats"]["share"], int)
    assert isinstance(first["stats"]["comment"], int)
    assert datetime.strptime(first["pub_time"], "%Y-%m-%d %H:%M:%S")
    assert fetch(first["url"]).status == 200
    last_page = -(-total // 20)
    tail = json.loads(fetch(sites.base_url + f"/api/posts?page={last_page}").body)
    assert tail["data"]["has_more"] is False and tail["data"]["list"]
    since = items[5]["pub_time"]
    newer = json.loads(fetch(sites.base_url + "/api/posts?page=1&since=" + since.replace(" ", "%20")).body)
    assert newer["data"]["list"] and all(i["pub_time"] >= since for i in newer["data"]["list"])
    assert fetch(sites.base_url + "/api/posts?since=yesterday").status == 400


def test_unpublished_and_unknown_pages_are_404(sites):
    with start_sites(clock=FakeClock()) as fresh:
        future = [e for e in fresh.timeline.scheduled() if e.at > fresh.timeline.now()]
        assert len(future) > 100
        assert {fetch(fresh.url(e)).status for e in future[:: len(future) // 10]} == {404}
    assert fetch(sites.base_url + "/bbs/thread-999999-1-1.html").status == 404
    assert fetch(sites.base_url + "/nope").status == 404


def test_request_log(sites):
    fetch(sites.base_url + "/news/rss.xml", {"If-None-Match": '"x"', "User-Agent": "t"})
    last = sites.requests[-1]
    assert last.path == "/news/rss.xml" and last.if_none_match == '"x"' and last.user_agent == "t"
