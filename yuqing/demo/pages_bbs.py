"""The 沙坡头论坛 forum (Discuz!-like): GBK list and thread pages with relative post times."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .corpus import CST
from .httpcommon import Request, Response, conditional, esc, etag_of, grown, local, not_found
from .timeline import Entry, Timeline

PER_PAGE = 20
FORUM = "民生热线"
SITE = "沙坡头论坛"
STICKY_NUM = 1000  # a 版规 thread pinned on top of page 1 (old, not on the timeline)
STICKY_TITLE = "【版规】民生热线版块发帖须知(发帖前必读)"
STICKY_BODY = (
    "欢迎各位网友在民生热线版块反映身边的民生问题。发帖请注明所在村组和具体情况,文明用语,"
    "不得发布谣言和人身攻击内容,不得泄露他人隐私。版主将及时将网友反映的问题转交相关部门。"
)
REPLY_POOL = (
    "顶一下,希望有人管管",
    "同样的情况,我们村也是",
    "支持楼主!",
    "已经反映过好几次了,没用",
    "坐等官方回复",
    "帮顶",
    "这事得往上反映",
    "楼主说的是真的,我也看见了",
    "唉,老百姓太难了",
    "关注一下后续",
    "转给村干部了",
    "希望早点解决🙏",
)


def forum_time(at: datetime, now: datetime) -> str:
    """Discuz-style display time: 'N秒前', 'N分钟前', 'N小时前', '今天 HH:MM', '昨天 HH:MM', '前天 HH:MM' or a date."""
    secs = int((now - at).total_seconds())
    a, n = at.astimezone(CST), now.astimezone(CST)
    days = (n.date() - a.date()).days
    if secs < 60:
        return f"{max(secs, 1)}秒前"
    if secs < 3600:
        return f"{secs // 60}分钟前"
    if days == 0:
        return f"{secs // 3600}小时前" if secs < 6 * 3600 else f"今天 {a:%H:%M}"
    if days in (1, 2):
        return f"{'昨天' if days == 1 else '前天'} {a:%H:%M}"
    return f"{a:%Y-%m-%d %H:%M}"


def _encode(markup: str) -> bytes:
    return markup.encode("gbk", errors="xmlcharrefreplace")  # emoji become &#128545; as Discuz stores them


def _head(title: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n' if charset else ""
    return (
        f"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
        f"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html>\n<head>\n{meta}"
        f"<title>{esc(title)} - {SITE} - Powered by Discuz!</title>\n"
        f'<meta name="keywords" content="{FORUM},中卫,沙坡头" />\n</head>\n<body id="nv_forum">\n'
        f'<div id="pt" class="bm cl"><a href="/bbs/">{SITE}</a> <em>&rsaquo;</em> '
        f'<a href="forum-1-1.html">{FORUM}</a></div>\n'
    )


def _uid(name: str) -> int:
    return 10000 + sum(ord(c) for c in name) % 90000


def _row(
    tbody_id: str, num: int, title: str, author: str, at: datetime, now: datetime, replies: int, views: int
) -> str:
    return (
        f'<tbody id="{tbody_id}"><tr>\n'
        f'<th class="common"><a href="thread-{num}-1-1.html" class="s xst">{esc(title)}</a></th>\n'
        f'<td class="by"><cite><a href="space-uid-{_uid(author)}.html">{esc(author)}</a></cite>'
        f'<em><span>{forum_time(at, now)}</span></em></td>\n'
        f'<td class="num"><a href="thread-{num}-1-1.html" class="xi2">{replies}</a><em>{views}</em></td>\n'
        f"</tr></tbody>\n"
    )


def forum_list(req: Request, tl: Timeline, fid: int, page: int) -> Response:
    if fid != 1:
        return not_found("指定的版块不存在")
    now, speed = req.now, tl.speed
    entries = tl.newest("bbs", now)
    pages = max(1, -(-len(entries) // PER_PAGE))
    if page > pages:
        return not_found("页码超出范围")
    chunk = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
    rows = []
    if page == 1:
        rows.append(
            _row(
                f"stickthread_{STICKY_NUM}",
                STICKY_NUM,
                STICKY_TITLE,
                "版主",
                tl.start - timedelta(days=400),
                now,
                0,
                5231,
            )
        )
    counts = []
    for e in chunk:
        replies = grown(e.post.comments, e.at, now, speed)
        counts.append(replies)
        rows.append(_row(f"normalthread_{e.num}", e.num, e.title, e.post.author, e.at, now, replies, replies * 9 + 37))
    pager = "".join(
        f'<a href="forum-1-{p}.html">{p}</a>' if p != page else f"<strong>{p}</strong>" for p in range(1, pages + 1)
    )
    if page < pages:
        pager += f'<a href="forum-1-{page + 1}.html" class="nxt">下一页</a>'
    charset = None if page == 2 else "gbk"  # page 2 declares no charset at all (detection test)
    markup = (
        _head(FORUM, charset) + '<div id="threadlist" class="tl bm"><table summary="forum_1" cellspacing="0" '
        'cellpadding="0" id="threadlisttableid" class="threadlist">\n'
        + "".join(rows)
        + f'</table></div>\n<div class="pg">{pager}</div>\n</body>\n</html>\n'
    )
    ctype = "text/html; charset=gbk" if charset else "text/html"
    resp = Response(200, _encode(markup), ctype)
    last = max((e.at for e in chunk), default=tl.start)
    return conditional(req, resp, etag_of("bbs", page, [e.num for e in chunk], counts), last)


def _floor(pid: int, author: str, at: datetime, now: datetime, text: str, first: bool) -> str:
    cls = "post-first" if first else "post-reply"
    return (
        f'<div id="post_{pid}" class="{cls}"><table class="plhin" cellspacing="0" cellpadding="0"><tr>\n'
        f'<td class="pls"><div class="authi"><a href="space-uid-{_uid(author)}.html" class="xw1">{esc(author)}'
        f'</a></div></td>\n<td class="plc"><div class="pi"><div class="authi">发表于 '
        f'<em class="post-time" title="{local(at)}">{forum_time(at, now)}</em></div></div>\n'
        f'<div class="pct"><div class="pcb"><div class="t_f" id="postmessage_{pid}">'
        + esc(text).replace("\n", "<br />\n")
        + "</div></div></div></td></tr></table></div>\n"
    )


HOSTILE_POOL = (
    "这帮当官的就知道糊弄老百姓",
    "太黑了,必须严查!",
    "不作为!反映多少次了都没人管",
    "镇上干部是干什么吃的,寒心",
    "明天大家一起去镇政府讨说法",
    "再不解决就拉横幅,把事闹大",
    "官官相护,发帖肯定又要被删帖",
    "气愤!欺负老百姓没人撑腰",
)


def hostile_thread(e: Entry) -> bool:
    """Threads whose replies turn hostile (about one relevant thread in five): more floors, angrier ones."""
    return e.post.relevant and e.num % 5 == 0


def reply_texts(e: Entry, now: datetime, replies: int) -> list[tuple[int, str, datetime, str]]:
    """(floor id, author, time, text) of the replies shown under a thread (at most 3; 8 when it turned hostile)."""
    rng = random.Random(e.num)
    hostile = hostile_thread(e)
    out, at = [], e.at
    for k in range(min(replies, 8 if hostile else 3)):
        at = min(now, at + timedelta(seconds=rng.uniform(20, 400)))
        author = rng.choice(("路过的网友", "沙坡头老王", "黄河边的风", "东园小李子", "热心市民", "潜水员007"))
        text = rng.choice(HOSTILE_POOL if hostile and k % 4 != 3 else REPLY_POOL)
        out.append((e.num * 10 + k + 1, author, at, text))
    return out


def _floors(e: Entry, now: datetime, replies: int) -> str:
    return "".join(_floor(pid, author, at, now, text, False) for pid, author, at, text in reply_texts(e, now, replies))


def thread(req: Request, tl: Timeline, num: int) -> Response:
    now = req.now
    if num == STICKY_NUM:
        title, author, at, content, replies, body_floors = (
            STICKY_TITLE,
            "版主",
            tl.start - timedelta(days=400),
            STICKY_BODY,
            0,
            "",
        )
    else:
        e = tl.get("bbs", num, now)
        if e is None:
            return not_found("抱歉,指定的主题不存在或已被删除或正在被审核")
        title, author, at, content = e.title, e.post.author, e.at, e.content
        replies = grown(e.post.comments, e.at, now, tl.speed)
        body_floors = _floors(e, now, replies)
    shares = 0 if num == STICKY_NUM else grown(e.post.reposts, e.at, now, tl.speed)
    # every tenth thread declares the wrong charset (utf-8) in its meta tag and none in the header
    wrong = num % 10 == 7
    markup = (
        _head(title, "utf-8" if wrong else "gbk")
        + '<div id="postlist" class="pl bm">\n<table cellspacing="0" cellpadding="0"><tr>\n'
        f'<td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> '
        f'<span class="xi1 views">{replies * 9 + 37}</span><span class="pipe">|</span>'
        f'<span class="xg1">回复:</span> <span class="xi1 replies">{replies}</span>'
        f'<span class="pipe">|</span><span class="xg1">分享:</span> <span class="xi1 shares">{shares}</span>'
        f"</div></td>\n"
        f'<td class="plc ptm pbn vwthd"><h1 class="ts" id="thread_subject">{esc(title)}</h1></td>\n'
        "</tr></table>\n"
        + _floor(num * 10, author, at, now, content, True)
        + body_floors
        + '</div>\n<div class="pgbtn"><a href="forum-1-1.html">返回列表</a></div>\n</body>\n</html>\n'
    )
    return Response(200, _encode(markup), "text/html" if wrong else "text/html; charset=gbk")


def forum_home(req: Request, tl: Timeline) -> Response:
    markup = _head(SITE, "gbk") + f'<div class="fl"><a href="forum-1-1.html">{FORUM}</a></div>\n</body></html>\n'
    return Response(200, _encode(markup), "text/html; charset=gbk")
