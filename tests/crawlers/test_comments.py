"""Comments and replies: read with forum threads (GBK) and API objects, stored de-identified under their post,
counted into the event, raising it when they turn hostile, shown escaped on the event page."""

from __future__ import annotations

import time

import pytest
from crawl_support import open_config_app, run_yuqing, write_config
from sqlalchemy import select

from dashboard.event_panels import render_timeline
from dashboard.queries.event_detail import query_event_mentions
from pipeline.comments import comment_tone, judge_comments
from yuqing.db.models import Comment, Event, Mention
from yuqing.demo.sites import demo_sources, start_sites
from yuqing.demo.timeline import FakeClock
from yuqing.timeutil import utcnow

FORUM_SELECTORS = {
    "item_links": "a.t::attr(href)",
    "title": "h1::text",
    "body": "div.first div.t_f",
    "time": "div.first em::text",
    "author": "div.first a.u::text",
    "comment": "div.reply",
    "comment_author": "a.u::text",
    "comment_body": "div.t_f",
    "comment_time": "em::text",
    "comment_id": "::attr(id)",
}


def thread_page(replies: list[tuple[str, str]]) -> bytes:
    floors = "".join(
        f'<div class="reply" id="pid{n}"><a class="u">{who}</a><em>2026-12-01 10:{n:02d}</em>'
        f'<div class="t_f">{text}</div></div>'
        for n, (who, text) in enumerate(replies, start=2)
    )
    page = (
        '<html><head><meta charset="gbk"><title>t</title></head><body><h1>东园镇柔新村垃圾站臭气熏天没人管</h1>'
        '<div class="first"><a class="u">楼主</a><em>2026-12-01 10:00</em>'
        '<div class="t_f">柔新村垃圾站夏天臭气熏天,反映了多次。</div></div>' + floors + "</body></html>"
    )
    return page.encode("gbk")


def walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def is_comment_text(component) -> bool:
    return getattr(component, "className", None) == "comment-text"


def hostile_replies() -> list[tuple[str, str]]:
    return [
        ("网友甲", "不作为!反映多少次了都没人管"),
        ("网友乙", "这帮当官的就知道糊弄老百姓,我电话13912345678随时作证"),
        ("网友丙", "太黑了,必须严查!&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("网友丁", "顶一下"),
        ("网友戊", "气愤!欺负老百姓没人撑腰"),
        ("网友己", "关注"),
    ]


@pytest.fixture
def forum(tmp_path, edge_server):
    edge_server.route("/f/list.html", b'<html><body><a class="t" href="/f/t1.html">t1</a></body></html>')
    edge_server.route("/f/t1.html", thread_page(hostile_replies()[:2]), "text/html; charset=gbk")
    source = {
        "name": "forum",
        "kind": "html",
        "url": edge_server.base_url + "/f/list.html",
        "source_type": "forum",
        "obey_robots": False,
        "recheck_minutes": 0.01,
        "html": FORUM_SELECTORS,
    }
    return write_config(tmp_path / "config.toml", [source]), edge_server


def test_comments_are_stored_masked_rechecked_and_raise_the_event(forum):
    config, server = forum
    assert run_yuqing(config, "crawl", "--once").returncode == 0
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            mention = session.scalar(select(Mention))
            comments = list(session.scalars(select(Comment).order_by(Comment.position)))
            assert [c.key for c in comments] == ["pid2", "pid3"] and mention.comments == 2
            assert "13912345678" not in comments[1].content and "139****5678" in comments[1].content
            assert all(c.hostile for c in comments)
            event = session.get(Event, mention.event_id)
            level_before = event.urgency
            assert not any("评论区" in r for r in event.reasons)  # two comments are not yet a turn
    finally:
        app.close()

    # More replies come; the stored thread is re-read (recheck) and only the new ones are added.
    time.sleep(1)  # recheck_minutes: a post is re-read at most every 0.6 s here
    server.route("/f/t1.html", thread_page(hostile_replies()), "text/html; charset=gbk")
    result = run_yuqing(config, "crawl", "--once")
    assert result.returncode == 0, result.stderr
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            assert session.query(Comment).count() == 6
            event = session.scalar(select(Event))
            assert event.urgency == min(3, level_before)
            reason = next(r for r in event.reasons if r.startswith("评论区情绪转向激烈"))
            assert "6 条评论中 4 条" in reason
            assert event.negativity > 0.3
            rows = query_event_mentions(session, app.settings, event.id)
        (row,) = rows
        assert row["comment_total"] == 6 and row["comment_hostile"] == 4
        shown = " ".join(c["content"] for c in row["comments"])
        assert "13912345678" not in shown and "<script>" in shown  # text as published, masked ...
        # ... and handed to Dash as plain text (React escapes it), never as markup.
        texts = [c.children for c in walk(render_timeline(rows, can_see_evidence=False)) if is_comment_text(c)]
        assert len(texts) == 6 and all(isinstance(t, str) for t in texts)
        assert any("<script>" in t for t in texts)
    finally:
        app.close()


def test_demo_forum_and_api_comments(tmp_path):
    with start_sites(port=0, clock=FakeClock(utcnow())) as sites:
        sources = [s for s in demo_sources(sites.base_url) if s["name"] in ("shapotou-bbs", "city-api")]
        config = write_config(tmp_path / "config.toml", sources)
        result = run_yuqing(config, "crawl", "--once")
        assert result.returncode == 0, result.stderr
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            by_source = dict(
                session.execute(
                    select(Mention.source_id, Comment.id).join(Comment, Comment.mention_id == Mention.id)
                ).all()
            )
            assert len(set(by_source)) == 2  # the forum's floors and the API's hot comments
            raised = [e for e in session.scalars(select(Event)) if any("评论区" in r for r in e.reasons)]
            assert raised and all(e.urgency <= 3 for e in raised)
    finally:
        app.close()


def test_comment_tone_and_verdict():
    assert comment_tone("垃圾政府不作为,滚下台").hostile and not comment_tone("支持楼主!").hostile
    assert comment_tone("明天大家一起去镇政府讨说法").mobilising
    assert judge_comments(4, 4, 0, []).level == 0  # too few to speak of a turn
    assert judge_comments(10, 4, 0, []).level == 0
    verdict = judge_comments(10, 6, 2, ["a", "a", "b"])
    assert verdict.level == 3 and "“a”、“b”" in verdict.reason and "号召聚集" in verdict.reason
    assert judge_comments(30, 25, 12, []).level == 2


def api_page(base: str, comments: list[tuple[str, str]]) -> bytes:
    import json

    post = {
        "id": 7,
        "title": "东园镇金沙村自来水连续三天停水",
        "content": "金沙村自来水已经停了三天,村里老人吃水困难。",
        "url": f"{base}/api/post/7",
        "time": "2026-12-01 09:00",
        "hot": [{"cid": cid, "text": text} for cid, text in comments],
    }
    return json.dumps({"data": {"list": [post]}}, ensure_ascii=False).encode("utf-8")


def test_api_comments_that_come_later_are_read_from_the_list_again(tmp_path, edge_server):
    """A JSON API lists each post with its comments: a post already stored, listed again with new comments, has
    only those added (and a post listed with nothing new is not handed to the database again)."""
    first = [("c1", "停水三天了,没人通知")]
    edge_server.route("/api/list", api_page(edge_server.base_url, first), "application/json")
    source = {
        "name": "api",
        "kind": "json",
        "url": edge_server.base_url + "/api/list",
        "source_type": "forum",
        "obey_robots": False,
        "json": {"items": "data.list", "comment_list": "hot", "comment_id": "cid", "comment_content": "text"},
    }
    config = write_config(tmp_path / "config.toml", [source])
    said = []
    for comments, expected in ((first, ["c1"]), (first, ["c1"]), (first + [("c2", "不作为!"), ("c3", "气愤")], None)):
        edge_server.route("/api/list", api_page(edge_server.base_url, comments), "application/json")
        result = run_yuqing(config, "crawl", "--once")
        assert result.returncode == 0, result.stderr
        said.append(next(line for line in result.stdout.splitlines() if line.startswith("api ")))
        app = open_config_app(config)
        try:
            with app.db.read() as session:
                keys = sorted(session.scalars(select(Comment.key)))
                assert session.query(Mention).count() == 1
        finally:
            app.close()
        assert keys == (expected or ["c1", "c2", "c3"])
    items_new_updated = [tuple(int(n) for n in line.split()[3:6]) for line in said]  # 条目 新增 更新
    assert items_new_updated == [(1, 1, 0), (0, 0, 0), (1, 0, 1)], said
