"""The 中卫同城 app's JSON API (nested field paths, paging, ``since``) and its post pages."""

from __future__ import annotations

import json
from datetime import datetime

from .corpus import CST
from .httpcommon import Request, Response, conditional, esc, etag_of, grown, local, not_found, paragraphs
from .timeline import Timeline

PER_PAGE = 20
SITE = "中卫同城"


def parse_since(value: str) -> datetime | None:
    """``since`` as epoch seconds or 'YYYY-MM-DD HH:MM:SS' (Beijing time); None if absent or invalid."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromtimestamp(float(value), CST)
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=CST)
        except ValueError:
            continue
    return None


def posts(req: Request, tl: Timeline) -> Response:
    now = req.now
    page = req.int_arg("page", 1)
    size = req.int_arg("size", PER_PAGE, 1, 100)
    raw_since = req.query.get("since", "")
    since = parse_since(raw_since)
    if raw_since and since is None:
        body = {"code": 400, "msg": "参数 since 格式错误,应为时间戳或 YYYY-MM-DD HH:MM:SS", "data": None}
        return Response(400, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")
    entries = [e for e in tl.newest("api", now) if since is None or e.at >= since]
    chunk = entries[(page - 1) * size : page * size]
    items = []
    for e in chunk:
        items.append(
            {
                "id": e.num,
                "title": e.title,
                "content": e.content,
                "pub_time": local(e.at),
                "user": {"nick": e.post.author, "uid": 300000 + e.num % 99991, "avatar": None},
                "stats": {
                    "share": grown(e.post.reposts, e.at, now, tl.speed),
                    "comment": grown(e.post.comments, e.at, now, tl.speed),
                    "like": grown(e.post.reposts * 3 + 2, e.at, now, tl.speed),
                },
                "url": req.base_url + e.path,
                "tags": [],
                "hot_comments": hot_comments(e, now, tl.speed),
            }
        )
    data = {
        "code": 0,
        "msg": "success",
        "data": {
            "page": page,
            "size": size,
            "total": len(entries),
            "list": items,
            "has_more": page * size < len(entries),
        },
    }
    resp = Response(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")
    last = max((e.at for e in chunk), default=tl.start)
    stats = [(i["id"], i["stats"]["share"], i["stats"]["comment"]) for i in items]
    return conditional(req, resp, etag_of("api", page, size, raw_since, stats, len(entries)), last)


HOT_POOL = ("同问,有没有人管", "坐等回复", "我家也遇到过", "转发扩散", "希望早日解决", "太气人了")


def hot_comments(e, now: datetime, speed: float) -> list[dict]:
    """Up to three comments shown with a post in the list (hot comments), growing with its comment counter."""
    count = min(3, grown(e.post.comments, e.at, now, speed))
    return [
        {
            "cid": e.num * 10 + k,
            "nick": ("同城网友", "中卫小马", "沙坡头阿姨")[k],
            "text": HOT_POOL[(e.num + k) % len(HOT_POOL)],
            "time": local(e.at),
        }
        for k in range(count)
    ]


def post_page(req: Request, tl: Timeline, num: int) -> Response:
    e = tl.get("api", num, req.now)
    if e is None:
        return not_found("内容不存在或已被删除")
    body = (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(e.title)} - {SITE}</title>'
        f'</head><body><div class="post"><h1 class="post-title">{esc(e.title)}</h1>\n'
        f'<div class="post-meta"><span class="nick">{esc(e.post.author)}</span> '
        f'<span class="time">{local(e.at)}</span></div>\n<div class="post-content">{paragraphs(e.content)}</div>'
        "</div></body></html>\n"
    )
    return Response(200, body.encode("utf-8"))
