"""Failure modes for crawler tests: fixed /fail/* endpoints, odd encodings, and faults switchable per path prefix."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from .httpcommon import Request, Response, esc, rfc822

MODES = (
    "500",
    "503",
    "404",
    "403",
    "captcha",
    "slow",
    "truncated",
    "malformed",
    "redirect_loop",
    "huge",
    "nomatch",
    "empty",
    "garbage",
)
SAMPLE_TEXT = "东園镇黄河岸边的枸杞熟了,沙坡头景区游客络绎不绝。"


def small_feed(now: datetime, title: str = "慢速源") -> bytes:
    items = "".join(
        f"<item><title>{title}第{i}条</title><link>http://127.0.0.1/fail/item/{i}</link>"
        f"<guid>fail-item-{i}</guid><pubDate>{rfc822(now - timedelta(minutes=i))}</pubDate>"
        f"<description>东园镇测试内容{i}</description></item>"
        for i in range(1, 4)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>测试</description>{items}</channel></rss>\n"
    ).encode()


def _huge(mb: float, now: datetime) -> Response:
    total = int(mb * 1024 * 1024)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>huge</title>'
    item = ("<item><title>超大响应</title><description>" + "东园镇" * 300 + "</description></item>").encode("utf-8")
    tail = b"</channel></rss>\n"
    n_items = max(0, (total - len(head) - len(tail)) // len(item))
    pad = total - len(head) - len(tail) - n_items * len(item)

    def chunks():
        yield head
        block = item * 64
        left = n_items
        while left >= 64:
            yield block
            left -= 64
        yield item * left + b" " * pad + tail

    return Response(200, chunks(), "application/rss+xml; charset=utf-8", length=total)


def fault_response(mode: str, req: Request, opts: dict | None = None) -> Response:
    """The response of one failure mode (``opts``: seconds for slow, mb for huge)."""
    opts = opts or {}
    now = req.now
    if mode in ("500", "503", "404"):
        code = int(mode)
        text = {500: "服务器内部错误", 503: "服务暂时不可用,请稍后再试", 404: "页面不存在"}[code]
        headers = {"Retry-After": "30"} if code == 503 else {}
        body = f"<html><head><meta charset=\"utf-8\"><title>{code}</title></head><body><h1>{text}</h1></body></html>"
        return Response(code, body.encode("utf-8"), headers=headers)
    if mode == "403":
        body = '<html><head><meta charset="utf-8"><title>403 Forbidden</title></head><body><h1>访问被拒绝</h1></body></html>'
        return Response(403, body.encode("utf-8"))
    if mode == "captcha":
        from .pages_search import CAPTCHA_PAGE

        return Response(200, CAPTCHA_PAGE.encode("utf-8"), headers={"Cache-Control": "no-store"})
    if mode == "slow":
        seconds = float(opts.get("seconds", req.query.get("seconds", 5)))
        return Response(200, small_feed(now), "application/rss+xml; charset=utf-8", delay=min(seconds, 600))
    if mode == "truncated":
        body = small_feed(now, "截断的源") * 1
        return Response(200, body, "application/rss+xml; charset=utf-8", truncate_at=len(body) // 2)
    if mode == "malformed":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>坏掉的源</title>'
            "<item><title>东园镇&nbsp;未闭合<title><link>http://127.0.0.1/x</link>"
            "<description>缺少结束标签 & 非法实体 &#xFFFF; <b>粗体</description></item>\x00\x01"
            "<item><title>第二条</item></channel>"
        ).encode()
        return Response(200, body, "application/rss+xml; charset=utf-8")
    if mode == "redirect_loop":
        target = "/fail/loop-b" if req.path.endswith("loop-a") else "/fail/loop-a"
        return Response(302, b"", headers={"Location": target})
    if mode == "huge":
        return _huge(float(opts.get("mb", req.query.get("mb", 50))), now)
    if mode == "nomatch":
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网站改版中</title></head><body>'
            '<div class="new-layout"><section class="cards"><article data-id="1"><p>本站已全新改版,'
            "原有栏目地址已变更。</p></article></section></div></body></html>"
        )
        return Response(200, body.encode("utf-8"))
    if mode == "empty":
        return Response(200, b"", "application/rss+xml; charset=utf-8")
    if mode == "garbage":
        seed = bytes(range(256)) * 64
        return Response(200, seed[::-7] + seed, "text/html; charset=gbk")
    raise ValueError(f"unknown fault mode {mode!r}; expected one of {', '.join(MODES)}")


FIXED = {
    "/fail/500": "500",
    "/fail/503": "503",
    "/fail/404": "404",
    "/fail/slow": "slow",
    "/fail/truncated.xml": "truncated",
    "/fail/malformed.xml": "malformed",
    "/fail/loop-a": "redirect_loop",
    "/fail/loop-b": "redirect_loop",
    "/fail/huge.xml": "huge",
    "/fail/nomatch.html": "nomatch",
    "/fail/empty.xml": "empty",
    "/fail/garbage.html": "garbage",
}


def encoding_sample(req: Request, name: str) -> Response | None:
    """/enc/big5.html, /enc/gb18030.html, /enc/nocharset-gbk.html: the same page in other encodings."""
    codecs = {
        "big5.html": ("big5", "big5", True),
        "gb18030.html": ("gb18030", "gb18030", True),
        "nocharset-gbk.html": ("gbk", None, False),
        "wrongcharset-gbk.html": ("gbk", "utf-8", True),
    }
    if name not in codecs:
        return None
    codec, declared, meta = codecs[name]
    text = "中衛市沙坡頭區東園鎮黃河沿岸" if codec == "big5" else SAMPLE_TEXT + "𠀀"  # 𠀀 needs GB18030
    head = f'<meta charset="{declared}">' if meta and declared else ""
    markup = f"<html><head>{head}<title>编码测试</title></head><body><p class=\"t\">{esc(text)}</p></body></html>"
    body = markup.encode(codec, errors="xmlcharrefreplace")
    return Response(200, body, f"text/html; charset={declared}" if declared and codec != "gbk" else "text/html")


class FaultTable:
    """Faults switched on per path prefix, e.g. ``set('/bbs/', '500')`` makes the forum fail until cleared."""

    def __init__(self):
        self._faults: dict[str, tuple[str, dict]] = {}
        self._lock = threading.Lock()

    def set(self, prefix: str, mode: str, **opts) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {', '.join(MODES)}")
        with self._lock:
            self._faults[prefix] = (mode, opts)

    def clear(self, prefix: str | None = None) -> None:
        with self._lock:
            if prefix is None:
                self._faults.clear()
            else:
                self._faults.pop(prefix, None)

    def match(self, path: str) -> tuple[str, dict] | None:
        with self._lock:
            best = max((p for p in self._faults if path.startswith(p)), key=len, default=None)
            return self._faults[best] if best is not None else None
