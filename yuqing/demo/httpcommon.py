"""Request/response types shared by the demo pages, conditional GET (ETag/Last-Modified) and time formats."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from .corpus import CST

UTC = UTC


@dataclass
class Request:
    """What a page function sees: path, first value of each query parameter, headers, the site's base URL."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    base_url: str
    now: datetime

    def int_arg(self, name: str, default: int, lo: int = 1, hi: int = 10**9) -> int:
        try:
            return max(lo, min(hi, int(self.query.get(name, default))))
        except ValueError:
            return default


@dataclass
class Response:
    """A response; ``body`` may be an iterable of chunks (streamed), ``truncate_at`` cuts it short."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length to declare for a streamed body
    truncate_at: int | None = None  # send only this many bytes of the body, then close
    delay: float = 0.0  # seconds to wait before answering (slow endpoints)


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC).replace(microsecond=0), usegmt=True)


def rfc822(dt: datetime) -> str:
    """RSS pubDate in Beijing time, e.g. 'Wed, 25 Nov 2026 10:00:00 +0800'."""
    return format_datetime(dt.astimezone(CST).replace(microsecond=0))


def iso(dt: datetime) -> str:
    return dt.astimezone(CST).replace(microsecond=0).isoformat()


def local(dt: datetime, seconds: bool = True) -> str:
    return dt.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs(text: str) -> str:
    """Escaped text as HTML paragraphs (one per line)."""
    return "".join(f"<p>{esc(line)}</p>" for line in text.split("\n") if line.strip())


def etag_of(*parts: object) -> str:
    digest = hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:20]
    return f'"{digest}"'


def is_fresh(req: Request, etag: str, last_modified: datetime) -> bool:
    """True when the client's If-None-Match / If-Modified-Since validators still match."""
    inm = req.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return etag in tags or "*" in tags
    ims = req.headers.get("if-modified-since")
    if not ims:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and last_modified.replace(microsecond=0) <= since


def conditional(req: Request, resp: Response, etag: str, last_modified: datetime) -> Response:
    """Add ETag/Last-Modified; answer 304 when the client's validators still match."""
    headers = {"ETag": etag, "Last-Modified": http_date(last_modified), "Cache-Control": "no-cache"}
    resp.headers.update(headers)
    if is_fresh(req, etag, last_modified):
        return Response(304, b"", resp.content_type, headers)
    return resp


def not_found(what: str = "页面不存在") -> Response:
    body = (
        f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>"
        f"<body><h1>404 Not Found</h1><p>{esc(what)}</p></body></html>"
    )
    return Response(404, body.encode("utf-8"))


def grown(final: int, published: datetime, now: datetime, speed: float) -> int:
    """A repost/comment counter that grows in steps during the first ten (simulated) minutes."""
    age = (now - published).total_seconds() * speed
    step = max(0, min(5, int(age // 120)))
    return round(final * (step + 1) / 6)
