"""The government message board (书记信箱 / 镇长信箱): list with status, detail with the official reply."""

from __future__ import annotations

from .httpcommon import Request, Response, conditional, esc, etag_of, local, not_found, paragraphs
from .timeline import Entry, Timeline

PER_PAGE = 15
SITE = "沙坡头区人民政府网 · 东园镇网民留言"
BOX_CODES = {"shuji": "书记信箱", "zhenzhang": "镇长信箱"}


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)} - {SITE}</title>'
        f'</head>\n<body><div class="gov-header">中卫市沙坡头区人民政府 · 政民互动</div>\n'
        f'<div class="nav"><a href="/board/list?page=1">全部留言</a> '
        f'<a href="/board/list?box=shuji&amp;page=1">书记信箱</a> '
        f'<a href="/board/list?box=zhenzhang&amp;page=1">镇长信箱</a></div>\n{body}\n'
        '<div class="gov-footer">主办:中卫市沙坡头区人民政府办公室 承办:东园镇人民政府</div></body></html>\n'
    ).encode()


def _status(e: Entry, now) -> str:
    return "已回复" if e.replied(now) else "未回复"


def board_list(req: Request, tl: Timeline) -> Response:
    now = req.now
    page = req.int_arg("page", 1)
    box_code = req.query.get("box", "")
    box = BOX_CODES.get(box_code)
    entries = [e for e in tl.newest("board", now) if box is None or e.post.box == box]
    pages = max(1, -(-len(entries) // PER_PAGE))
    chunk = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
    rows = "".join(
        f'<li><span class="msg-no">{e.num}</span> <a class="msg-title" href="{e.path}">{esc(e.title)}</a> '
        f'<span class="msg-box">{esc(e.post.box or "镇长信箱")}</span> <span class="msg-date">{local(e.at, False)}'
        f'</span> <span class="msg-status">{_status(e, now)}</span></li>\n'
        for e in chunk
    )
    qs = f"box={box_code}&amp;" if box else ""
    pager = f'<span class="page-info">第{page}页 / 共{pages}页</span>'
    if page > 1:
        pager = f'<a class="prev-page" href="/board/list?{qs}page={page - 1}">上一页</a> ' + pager
    if page < pages:
        pager += f' <a class="next-page" href="/board/list?{qs}page={page + 1}">下一页</a>'
    body = (
        f'<h2 class="list-title">{esc(box or "全部留言")}</h2>\n<ul class="msg-list">\n{rows}</ul>\n'
        f'<div class="pager">{pager}</div>'
    )
    resp = Response(200, _page(box or "网民留言", body))
    last = max((e.changed_at(now) for e in chunk), default=tl.start)
    return conditional(req, resp, etag_of("board", box_code, page, [(e.num, e.replied(now)) for e in chunk]), last)


def board_message(req: Request, tl: Timeline, num: int) -> Response:
    now = req.now
    e = tl.get("board", num, now)
    if e is None:
        return not_found("留言不存在或未公开")
    status = _status(e, now)
    if e.replied(now):
        reply = (
            f'<div class="reply"><h3>答复内容</h3>\n<div class="reply-meta">答复单位:'
            f'<span class="reply-office">{esc(e.post.reply.office)}</span> 答复时间:'
            f'<span class="reply-time">{local(e.reply_at)}</span></div>\n'
            f'<div class="reply-content">{paragraphs(e.reply_text)}</div></div>'
        )
    else:
        reply = '<div class="reply reply-none">该留言已转交相关单位办理,请耐心等待答复。</div>'
    body = (
        f'<div class="msg-detail">\n<h2 class="msg-title">{esc(e.title)}</h2>\n'
        f'<div class="msg-meta">信箱:<span class="msg-box">{esc(e.post.box or "镇长信箱")}</span> '
        f'留言人:<span class="msg-author">{esc(e.post.author)}</span> '
        f'留言时间:<span class="msg-time">{local(e.at)}</span> '
        f'办理状态:<span class="msg-status">{status}</span></div>\n'
        f'<div class="msg-content">{paragraphs(e.content)}</div>\n{reply}\n</div>'
    )
    resp = Response(200, _page(e.title, body))
    return conditional(req, resp, etag_of("msg", num, e.replied(now)), e.changed_at(now))
