"""The news site (RSS 2.0 + article pages) and the 东园镇发布 政务微博 account (Atom + status pages)."""

from __future__ import annotations

from xml.sax.saxutils import escape as xesc

from .httpcommon import Request, Response, conditional, esc, etag_of, iso, local, not_found, paragraphs, rfc822
from .timeline import Timeline

FEED_SIZE = 30
NEWS_SITE = "中卫新闻网·东园频道"
WEIBO_NAME = "东园镇发布"


def _page(title: str, body: str, site: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)} - {esc(site)}'
        f'</title></head>\n<body><div class="header"><a href="/">{esc(site)}</a></div>\n{body}\n'
        f'<div class="footer">{esc(site)} 版权所有 · 本站为演示用模拟站点</div></body></html>\n'
    ).encode()


def news_rss(req: Request, tl: Timeline) -> Response:
    entries = tl.newest("news", req.now)[:FEED_SIZE]
    base = req.base_url
    items = []
    for e in entries:
        url = base + e.path
        items.append(
            f"  <item>\n    <title>{xesc(e.title)}</title>\n    <link>{xesc(url)}</link>\n"
            f"    <guid isPermaLink=\"true\">{xesc(url)}</guid>\n    <pubDate>{rfc822(e.at)}</pubDate>\n"
            f"    <dc:creator>{xesc(e.post.author)}</dc:creator>\n"
            f"    <description>{xesc(paragraphs(e.content))}</description>\n  </item>"
        )
    last = tl.last_change("news", req.now)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel>\n  <title>{NEWS_SITE}</title>\n  <link>{base}/news/</link>\n"
        "  <description>沙坡头区东园镇新闻、通知与民生资讯</description>\n  <language>zh-cn</language>\n"
        f"  <lastBuildDate>{rfc822(last)}</lastBuildDate>\n  <ttl>5</ttl>\n"
        f'  <atom:link href="{base}/news/rss.xml" rel="self" type="application/rss+xml"/>\n'
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )
    resp = Response(200, xml.encode("utf-8"), "application/rss+xml; charset=utf-8")
    return conditional(req, resp, etag_of("news", [e.num for e in entries]), last)


def news_article(req: Request, tl: Timeline, num: int) -> Response:
    e = tl.get("news", num, req.now)
    if e is None:
        return not_found("该新闻不存在或已被删除")
    body = (
        f'<div class="article"><h1 class="article-title">{esc(e.title)}</h1>\n'
        f'<div class="article-meta"><span class="source">来源:{esc(e.post.author)}</span> '
        f'<span class="pubtime">{local(e.at, seconds=False)}</span></div>\n'
        f'<div class="article-content">{paragraphs(e.content)}</div></div>'
    )
    return Response(200, _page(e.title, body, NEWS_SITE))


def news_index(req: Request, tl: Timeline) -> Response:
    rows = "".join(
        f'<li><a href="{e.path}">{esc(e.title)}</a> <span class="date">{local(e.at, False)}</span></li>'
        for e in tl.newest("news", req.now)[:FEED_SIZE]
    )
    return Response(200, _page("东园要闻", f'<ul class="news-list">{rows}</ul>', NEWS_SITE))


def weibo_atom(req: Request, tl: Timeline) -> Response:
    entries = tl.newest("weibo", req.now)[:FEED_SIZE]
    base = req.base_url
    last = tl.last_change("weibo", req.now)
    parts = []
    for e in entries:
        url = base + e.path
        parts.append(
            f"  <entry>\n    <title>{xesc(e.title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{xesc(url)}"/>\n    <id>{xesc(url)}</id>\n'
            f"    <published>{iso(e.at)}</published>\n    <updated>{iso(e.at)}</updated>\n"
            f"    <author><name>{WEIBO_NAME}</name></author>\n"
            f'    <content type="html">{xesc(paragraphs(e.content))}</content>\n  </entry>'
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
        f"  <title>{WEIBO_NAME}</title>\n  <subtitle>中卫市沙坡头区东园镇人民政府官方微博</subtitle>\n"
        f'  <link rel="alternate" type="text/html" href="{base}/weibo/"/>\n'
        f'  <link rel="self" type="application/atom+xml" href="{base}/weibo/atom.xml"/>\n'
        f"  <id>{base}/weibo/</id>\n  <updated>{iso(last)}</updated>\n" + "\n".join(parts) + "\n</feed>\n"
    )
    resp = Response(200, xml.encode("utf-8"), "application/atom+xml; charset=utf-8")
    return conditional(req, resp, etag_of("weibo", [e.num for e in entries]), last)


def weibo_status(req: Request, tl: Timeline, num: int) -> Response:
    e = tl.get("weibo", num, req.now)
    if e is None:
        return not_found("该微博已被删除")
    body = (
        f'<div class="weibo-detail"><div class="weibo-author">{WEIBO_NAME} <span class="v">政务</span></div>\n'
        f'<div class="weibo-time">{local(e.at, False)} 来自 微博 weibo.com</div>\n'
        f'<div class="weibo-text">{paragraphs(e.content)}</div>\n'
        f'<div class="weibo-stats">转发 {e.post.reposts} · 评论 {e.post.comments}</div></div>'
    )
    return Response(200, _page(e.title, body, WEIBO_NAME))


ROBOTS = """# 演示站点 robots.txt
User-agent: *
Allow: /news/
Allow: /weibo/
Allow: /bbs/
Allow: /board/
Allow: /api/
Allow: /city/
Allow: /s/
Allow: /search/
Allow: /rsshub/
Disallow: /search/private/
Disallow: /private/
Disallow: /bbs/space-uid-
Disallow: /admin/

User-agent: BadBot
Disallow: /
"""


def robots(req: Request) -> Response:
    return Response(200, ROBOTS.encode("utf-8"), "text/plain; charset=utf-8")


def private(req: Request) -> Response:
    """Disallowed by robots.txt: a polite crawler never asks for it (tests check the request log)."""
    return Response(200, _page("内部页面", "<p>本页面禁止抓取。</p>", "后台"))
