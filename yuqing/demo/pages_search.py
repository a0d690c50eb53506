"""A news search engine stand-in (塞上搜索: keyword, paging, newest first, reprint pages), its captcha page, and an
RSSHub stand-in instance with a 微博 route and a 微信公众号 route."""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape as xesc

from .httpcommon import Request, Response, esc, local, not_found, paragraphs, rfc822
from .timeline import Entry, Timeline

PER_PAGE = 10
ENGINE = "塞上搜索"
PORTAL = "塞上网·全网转载"
INDEXED = ("news", "bbs", "api")  # what the engine finds: the news site, the forum and the app, reprinted
SITE_NAMES = {"news": "中卫新闻网", "bbs": "沙坡头论坛", "api": "中卫同城"}
WEIBO_UID = "5823001"
WEIBO_BLOGGER = "中卫身边事"
WECHAT_ID = "dongyuanfabu"
WECHAT_NAME = "东园镇发布"


def _page(title: str, body: str, site: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)} - {esc(site)}'
        f"</title></head>\n<body>{body}\n<div class=\"footer\">{esc(site)} · 本站为演示用模拟站点</div></body></html>\n"
    ).encode()


def _matches(entry: Entry, terms: list[str]) -> bool:
    text = entry.title + "\n" + entry.content
    return all(term in text for term in terms)


def _highlight(text: str, terms: list[str]) -> str:
    out = esc(text)
    for term in terms:
        out = out.replace(esc(term), f"<em>{esc(term)}</em>")
    return out


def _snippet(entry: Entry, terms: list[str], width: int = 80) -> str:
    text = " ".join(entry.content.split())
    at = min((text.find(t) for t in terms if t in text), default=0)
    start = max(0, at - width // 3)
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")


def search(req: Request, tl: Timeline) -> Response:
    """/search/s?q=关键词&page=N: results newest first, PER_PAGE a page, each a reprint on the portal."""
    keyword = req.query.get("q", "").strip()
    page = req.int_arg("page", 1)
    terms = keyword.split()
    found: list[Entry] = []
    if terms:
        found = sorted(
            (e for channel in INDEXED for e in tl.published(channel, req.now) if _matches(e, terms)),
            key=lambda e: e.at,
            reverse=True,
        )
    chunk = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    results = "".join(
        f'<div class="result" id="{(page - 1) * PER_PAGE + i + 1}">'
        f'<h3 class="t"><a href="/search/doc/{e.channel}-{e.num}.html" target="_blank">{_highlight(e.title, terms)}'
        f"</a></h3>\n<div class=\"c-summary\">{_highlight(_snippet(e, terms), terms)}</div>\n"
        f'<div class="c-info"><span class="c-author">{SITE_NAMES[e.channel]}</span> '
        f'<span class="c-time">{local(e.at, seconds=False)}</span></div></div>\n'
        for i, e in enumerate(chunk)
    )
    more = page * PER_PAGE < len(found)
    pager = (
        f'<div id="page"><span class="cur">{page}</span>'
        + (f'<a class="n" href="/search/s?q={quote(keyword)}&amp;page={page + 1}">下一页&gt;</a>' if more else "")
        + "</div>"
    )
    summary = f'<div class="nums">{ENGINE}为您找到相关结果约 {len(found)} 个(按时间排序)</div>'
    empty = "" if chunk else f'<div class="nors">抱歉,没有找到与“{esc(keyword)}”相关的网页。</div>'
    body = (
        f'<form action="/search/s"><input name="q" value="{esc(keyword)}"><button>搜索</button></form>'
        f'{summary}<div id="content_left">{results}{empty}</div>{pager}'
    )
    return Response(200, _page(f"{keyword}_{ENGINE}", body, ENGINE), headers={"Cache-Control": "no-cache"})


def search_doc(req: Request, tl: Timeline, channel: str, num: int) -> Response:
    """A reprint page the engine links to (the portal republishes news, forum and app posts)."""
    e = tl.get(channel, num, req.now) if channel in INDEXED else None
    if e is None:
        return not_found("该文章不存在或已被删除")
    body = (
        f'<div class="art"><h1 class="art-title">{esc(e.title)}</h1>\n'
        f'<div class="art-meta">转载自:<span class="art-origin">{SITE_NAMES[channel]}</span> '
        f'<span class="art-time">{local(e.at, seconds=False)}</span></div>\n'
        f'<div class="art-body">{paragraphs(e.content)}</div></div>'
    )
    return Response(200, _page(e.title, body, PORTAL))


CAPTCHA_PAGE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>安全验证 - 塞上搜索</title></head><body>'
    '<div class="verify"><h2>安全验证</h2><p>检测到您的网络存在异常访问,请输入验证码后继续访问。</p>'
    '<img src="/search/captcha.png" alt="验证码"><input name="code" placeholder="请输入验证码">'
    "<button>提交</button></div></body></html>"
)


def captcha(req: Request) -> Response:
    """What the engine answers a crawler it has spotted: a captcha page with status 200."""
    return Response(200, CAPTCHA_PAGE.encode("utf-8"), headers={"Cache-Control": "no-store"})


def _rss(title: str, link: str, description: str, items: list[str], now) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel>\n<title><![CDATA[{title}]]></title>\n<link>{xesc(link)}</link>\n"
        f'<atom:link href="{xesc(link)}" rel="self" type="application/rss+xml"/>\n'
        f"<description><![CDATA[{description} - Made with love by RSSHub(https://github.com/DIYgod/RSSHub)]]>"
        f"</description>\n<generator>RSSHub</generator>\n<language>zh-cn</language>\n"
        f"<lastBuildDate>{rfc822(now)}</lastBuildDate>\n<ttl>5</ttl>\n" + "\n".join(items) + "\n</channel>\n</rss>\n"
    ).encode()


def _item(title: str, description: str, link: str, at, author: str | None) -> str:
    creator = f"<author><![CDATA[{author}]]></author>" if author else ""
    return (
        f"<item><title><![CDATA[{title}]]></title><description><![CDATA[{description}]]></description>"
        f"<pubDate>{rfc822(at)}</pubDate><guid isPermaLink=\"false\">{xesc(link)}</guid>"
        f"<link>{xesc(link)}</link>{creator}</item>"
    )


def rsshub_weibo(req: Request, tl: Timeline, uid: str) -> Response:
    """/rsshub/weibo/user/{uid}: a local blogger's 微博 retelling forum posts (entries name no author; RSSHub's
    weibo route puts the account in the channel title)."""
    if uid != WEIBO_UID:
        return not_found("RSSHub:该微博用户不存在")
    entries = tl.newest("bbs", req.now)[:20]
    items = [
        _item(
            e.title[:60],
            f"【{esc(e.title)}】{paragraphs(e.content)}",
            f"https://weibo.com/{uid}/{e.num}",
            e.at,
            None,
        )
        for e in entries
    ]
    return Response(
        200,
        _rss(f"{WEIBO_BLOGGER}的微博", f"https://weibo.com/{uid}/", "沙坡头身边的新鲜事", items, req.now),
        "application/xml; charset=utf-8",
    )


def rsshub_wechat(req: Request, tl: Timeline, account: str) -> Response:
    """/rsshub/wechat/mp/{account}: the town's 微信公众号 (its official posts, author named per item)."""
    if account != WECHAT_ID:
        return not_found("RSSHub:该公众号不存在")
    entries = tl.newest("weibo", req.now)[:20]
    items = [
        _item(e.title, paragraphs(e.content), f"https://mp.weixin.qq.com/s/{account}-{e.num}", e.at, WECHAT_NAME)
        for e in entries
    ]
    return Response(
        200,
        _rss(WECHAT_NAME, f"https://mp.weixin.qq.com/{account}", "东园镇人民政府微信公众号", items, req.now),
        "application/xml; charset=utf-8",
    )
