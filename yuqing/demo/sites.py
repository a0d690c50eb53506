"""The simulated public sources of 东园镇 on loopback: news RSS, 政务微博 Atom, GBK forum, message board, JSON API."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import pages_api, pages_bbs, pages_board, pages_feeds, pages_search
from .corpus import Post
from .faults import FIXED, encoding_sample, fault_response
from .httpcommon import Request, Response, esc, not_found
from .server import DemoServer, LoggedRequest
from .timeline import Entry, Timeline

CHANNEL_SOURCE = {
    "news": "dongyuan-news",
    "weibo": "dongyuan-weibo",
    "bbs": "shapotou-bbs",
    "board": "mayor-mailbox",
    "api": "city-api",
}
_ROUTES: list[tuple[re.Pattern, Callable]] = [
    (re.compile(r"/robots\.txt"), lambda r, tl: pages_feeds.robots(r)),
    (re.compile(r"/news/rss\.xml"), pages_feeds.news_rss),
    (re.compile(r"/news/?"), pages_feeds.news_index),
    (re.compile(r"/news/article/(\d+)\.html"), lambda r, tl, n: pages_feeds.news_article(r, tl, int(n))),
    (re.compile(r"/weibo/atom\.xml"), pages_feeds.weibo_atom),
    (re.compile(r"/weibo/status/(\d+)"), lambda r, tl, n: pages_feeds.weibo_status(r, tl, int(n))),
    (re.compile(r"/bbs/?"), pages_bbs.forum_home),
    (re.compile(r"/bbs/forum-(\d+)-(\d+)\.html"), lambda r, tl, f, p: pages_bbs.forum_list(r, tl, int(f), int(p))),
    (re.compile(r"/bbs/thread-(\d+)-\d+-\d+\.html"), lambda r, tl, n: pages_bbs.thread(r, tl, int(n))),
    (re.compile(r"/board/list"), pages_board.board_list),
    (re.compile(r"/board/msg/(\d+)"), lambda r, tl, n: pages_board.board_message(r, tl, int(n))),
    (re.compile(r"/api/posts"), pages_api.posts),
    (re.compile(r"/city/post/(\d+)\.html"), lambda r, tl, n: pages_api.post_page(r, tl, int(n))),
    (re.compile(r"/search/s"), pages_search.search),
    (
        re.compile(r"/search/doc/(news|bbs|api)-(\d+)\.html"),
        lambda r, tl, c, n: pages_search.search_doc(r, tl, c, int(n)),
    ),
    (re.compile(r"/search/captcha"), lambda r, tl: pages_search.captcha(r)),
    (re.compile(r"/rsshub/weibo/user/(\w+)"), pages_search.rsshub_weibo),
    (re.compile(r"/rsshub/wechat/mp/(\w+)"), pages_search.rsshub_wechat),
    (re.compile(r"/private/.*"), lambda r, tl: pages_feeds.private(r)),
    (re.compile(r"/"), lambda r, tl: _home(r)),
]


def _home(req: Request) -> Response:
    links = "".join(
        f'<li><a href="{esc(s["url"])}">{esc(s["title"])}</a> ({s["kind"]})</li>' for s in demo_sources(req.base_url)
    )
    body = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>东园镇模拟信息源</title></head>'
        f"<body><h1>东园镇模拟信息源(演示用)</h1><ul>{links}</ul></body></html>"
    )
    return Response(200, body.encode("utf-8"))


def route(req: Request, tl: Timeline) -> Response:
    """Dispatch one request to its page (or a fixed failure endpoint)."""
    if req.path in FIXED:
        return fault_response(FIXED[req.path], req)
    if req.path.startswith("/enc/"):
        return encoding_sample(req, req.path[5:]) or not_found()
    for pattern, page in _ROUTES:
        m = pattern.fullmatch(req.path)
        if m:
            return page(req, tl, *m.groups())
    return not_found()


@dataclass(frozen=True)
class PublishedItem:
    """A published post as a benchmark sees it: which source, which URL, when (and when replied)."""

    source: str
    url: str
    published_at: datetime
    reply_at: datetime | None
    title: str
    content: str  # as served (dates filled in)
    post: Post  # carries the expected topic/urgency/relevant labels


class SitesHandle:
    """A running set of demo sites; ``stop()`` shuts it down (also usable as a context manager)."""

    def __init__(self, server: DemoServer, timeline: Timeline):
        self.server = server
        self.timeline = timeline
        self.base_url = server.base_url
        self.host, self.port = server.server_address[:2]
        self._thread = server.start()

    def sources(self, interval: int = 20) -> list[dict]:
        return demo_sources(self.base_url, interval)

    def url(self, entry: Entry) -> str:
        return self.base_url + entry.path

    def item(self, e: Entry) -> PublishedItem:
        return PublishedItem(CHANNEL_SOURCE[e.channel], self.url(e), e.at, e.reply_at, e.title, e.content, e.post)

    def published(self, channel: str | None = None) -> list[PublishedItem]:
        """Posts visible now, oldest first (``reply_at`` may still be in the future)."""
        return [self.item(e) for e in self.timeline.published(channel)]

    def publish_now(self, n: int = 1, channel: str | None = None) -> list[PublishedItem]:
        return [self.item(e) for e in self.timeline.publish_now(n, channel)]

    def reply_now(self, n: int = 1) -> list[PublishedItem]:
        return [self.item(e) for e in self.timeline.reply_now(n)]

    def set_fault(self, prefix: str, mode: str, **opts) -> None:
        """Make every path under ``prefix`` fail in ``mode`` (see faults.MODES) until cleared."""
        self.server.faults.set(prefix, mode, **opts)

    def clear_faults(self, prefix: str | None = None) -> None:
        self.server.faults.clear(prefix)

    @property
    def requests(self) -> list[LoggedRequest]:
        return list(self.server.requests)

    def stop(self) -> None:
        self.server.stop()
        self._thread.join(timeout=5)

    def __enter__(self) -> SitesHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_sites(
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = 1.0,
    seed: int = 2026,
    start_time: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
    archive: list[Entry] | None = None,
    **timeline_options,
) -> SitesHandle:
    """Serve the demo sites in a background thread; ``port=0`` picks a free port (see ``.base_url``).
    ``archive``: older entries (the demo's history) served on their own pages, listed nowhere."""
    timeline = Timeline(seed=seed, speed=speed, start_time=start_time, clock=clock, **timeline_options)
    if archive:
        timeline.add_archive(archive)
    server = DemoServer((host, port), lambda req: route(req, timeline), timeline.now)
    return SitesHandle(server, timeline)


def demo_sources(base_url: str, interval: int = 20) -> list[dict]:
    """The ``[[sources]]`` entries for the demo sites (selectors are parsel CSS, or XPath when starting with /)."""
    b = base_url.rstrip("/")
    return [
        {
            "name": "dongyuan-news",
            "title": "中卫新闻网·东园频道",
            "kind": "rss",
            "url": b + "/news/rss.xml",
            "interval": interval,
            "source_type": "news",
        },
        {
            "name": "dongyuan-weibo",
            "title": "东园镇发布(政务微博)",
            "kind": "rss",
            "url": b + "/weibo/atom.xml",
            "interval": interval,
            "source_type": "official",
            "official": True,
        },
        {
            "name": "shapotou-bbs",
            "title": "沙坡头论坛·民生热线",
            "kind": "html",
            "url": b + "/bbs/forum-1-1.html",
            "interval": interval,
            "source_type": "forum",
            "max_pages": 3,
            "html": {
                "item_links": "table.threadlist th a.s.xst::attr(href)",
                "title": "h1#thread_subject::text",
                "body": "#postlist div.post-first div.t_f",
                "time": "#postlist div.post-first em.post-time::text",
                "author": "#postlist div.post-first a.xw1::text",
                "next_page": "div.pg a.nxt::attr(href)",
                "reposts": "span.shares::text",
                "comments": "span.replies::text",
                "comment": "#postlist div.post-reply",
                "comment_author": "a.xw1::text",
                "comment_body": "div.t_f",
                "comment_time": "em.post-time::attr(title)",
                "comment_id": "::attr(id)",
            },
        },
        {
            "name": "mayor-mailbox",
            "title": "书记信箱·镇长信箱",
            "kind": "board",
            "url": b + "/board/list?page=1",
            "interval": interval,
            "source_type": "board",
            "max_pages": 3,
            "board": {
                "item_links": "//ul[@class='msg-list']/li/a[@class='msg-title']/@href",
                "title": "h2.msg-title::text",
                "body": "div.msg-content",
                "time": "div.msg-meta span.msg-time::text",
                "author": "div.msg-meta span.msg-author::text",
                "next_page": "a.next-page::attr(href)",
                "status": "//div[@class='msg-meta']/span[@class='msg-status']/text()",
                "reply": "div.reply-content",
                "reply_time": "span.reply-time::text",
                "reply_office": "span.reply-office::text",
            },
        },
        {
            "name": "city-api",
            "title": "中卫同城APP",
            "kind": "json",
            "url": b + "/api/posts?page=1",
            "interval": interval,
            "source_type": "forum",
            "max_pages": 3,
            "json": {
                "items": "data.list",
                "id": "id",
                "title": "title",
                "content": "content",
                "url": "url",
                "time": "pub_time",
                "author": "user.nick",
                "reposts": "stats.share",
                "comments": "stats.comment",
                "next_page": "data.has_more",
                "comment_list": "hot_comments",
                "comment_id": "cid",
                "comment_content": "text",
                "comment_author": "nick",
                "comment_time": "time",
            },
        },
    ]


def reach_sources(base_url: str, interval: int = 30) -> list[dict]:
    """The sources that reach where people talk: the 塞上搜索 keyword search (keywords from the monitoring schemes)
    and two RSSHub routes of the stand-in instance (a local blogger's 微博, the town's 微信公众号)."""
    b = base_url.rstrip("/")
    return [
        {
            "name": "saishang-search",
            "title": "塞上搜索(关键词全网搜索)",
            "kind": "search",
            "url": b + "/search/s?q={keyword}&page={page}",
            "interval": interval,
            "source_type": "news",
            "max_pages": 3,
            "search": {
                "results": "div#content_left div.result",
                "link": "h3.t a::attr(href)",
                "title": "h3.t a",
                "snippet": "div.c-summary",
                "time": "span.c-time::text",
                "author": "span.c-author::text",
                "detail_title": "h1.art-title::text",
                "detail_body": "div.art-body",
                "detail_time": "span.art-time::text",
                "keywords_per_run": 3,
            },
        },
        {
            "name": "rsshub-weibo",
            "title": "中卫身边事(微博,经 RSSHub)",
            "kind": "rsshub",
            "instance": b + "/rsshub",
            "route": "/weibo/user/5823001",
            "interval": interval,
        },
        {
            "name": "rsshub-wechat",
            "title": "东园镇发布(微信公众号,经 RSSHub)",
            "kind": "rsshub",
            "instance": b + "/rsshub",
            "route": "/wechat/mp/dongyuanfabu",
            "interval": interval,
            "source_type": "official",
            "official": True,
        },
    ]


def _toml_value(v) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_toml(sources: list[dict]) -> str:
    """``[[sources]]`` blocks (with their selector sub-tables) ready to paste into config.toml."""
    out = []
    for s in sources:
        out.append("[[sources]]")
        out += [f"{k} = {_toml_value(v)}" for k, v in s.items() if not isinstance(v, dict)]
        for k, v in s.items():
            if isinstance(v, dict):
                out.append(f"[sources.{k}]")
                out += [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items()]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m yuqing.demo.sites", description="启动东园镇模拟信息源(仅本机回环地址)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="监听地址(默认 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8901, help="端口(默认 8901;0 表示自动选择)")
    parser.add_argument("--speed", type=float, default=1.0, help="时间线倍速(默认 1.0)")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子(默认 2026)")
    parser.add_argument("--many", type=int, default=0, metavar="N", help="改为启动 N 个压测用 RSS 源")
    parser.add_argument("--hosts", type=int, default=1, help="压测模式下使用的回环地址个数")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="压测模式下每次应答前等待的毫秒数(模拟远方网站)"
    )
    args = parser.parse_args(argv)
    if args.many:
        from .many import start_many_sites

        handle = start_many_sites(
            args.many, hosts=args.hosts, port=args.port, speed=args.speed, seed=args.seed, latency=args.latency / 1000
        )
        print(f"压测信息源已启动:{args.many} 个 RSS 源,分布在 {len(handle.servers)} 个地址:")
        for srv in handle.servers:
            print(f"  {srv.base_url}")
        print(f"示例:{handle.sources()[0]['url']}")
    else:
        handle = start_sites(args.host, args.port, args.speed, args.seed)
        print(f"东园镇模拟信息源已启动:{handle.base_url}/")
        for s in handle.sources():
            print(f"  {s['title']}({s['kind']}):{s['url']}")
        for s in reach_sources(handle.base_url):
            print(f"  {s['title']}({s['kind']}):{s.get('url') or s['instance'] + s['route']}")
        print("\n可粘贴到 config.toml 的来源配置:\n")
        print(sources_toml(handle.sources() + reach_sources(handle.base_url)))
    print("按 Ctrl+C 停止。", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\n已停止。")
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
