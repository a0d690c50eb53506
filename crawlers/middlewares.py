"""Downloader middlewares: right encoding, conditional GET, retries with backoff, robots.txt shared across runs."""

from __future__ import annotations

import random
import time

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import task

from crawlers.encoding import choose_encoding

RESPONSE_CLASSES = {
    "rss": XmlResponse,
    "rsshub": XmlResponse,
    "json": TextResponse,
    "html": HtmlResponse,
    "board": HtmlResponse,
    "search": HtmlResponse,
}


class EncodingMiddleware:
    """Re-reads the body with the encoding the bytes support (see crawlers.encoding) and the class the kind needs.

    Only for requests our spiders mark with meta["kind"]; robots.txt and others pass untouched.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get("kind")
        if not kind or not response.body:
            return response
        override = getattr(self.crawler.spider, "encoding_override", None)
        encoding = choose_encoding(response.body, response.headers.get(b"Content-Type"), override)
        return response.replace(cls=RESPONSE_CLASSES.get(kind, TextResponse), encoding=encoding)


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for pages marked meta["conditional"]; remembers new validators.

    Validators come from the spider (`validators`, loaded from the http_cache table at start) and new ones go
    to the run summary, which saves them only when the run was clean (crawlers.store.record_run).
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        etag, modified = getattr(self.crawler.spider, "validators", {}).get(request.url, (None, None))
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified)

    def process_response(self, request: Request, response: Response) -> Response:
        summary = getattr(self.crawler.spider, "summary", None)
        if request.meta.get("conditional") and response.status == 200 and summary is not None:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                # Keyed by the URL first asked for: the next poll asks for it again and follows the redirect.
                url = request.meta.get("redirect_urls", [request.url])[0]
                summary.validators[url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, waiting base·2ⁿ seconds (with jitter, or the server's Retry-After) before retry n."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.maximum = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def process_response(self, request: Request, response: Response):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response.headers.get(b"Retry-After"))
        return result

    async def process_exception(self, request: Request, exception: Exception):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result

    async def _wait(self, retry: Request, retry_after: bytes | None) -> None:
        from twisted.internet import reactor

        attempt = retry.meta.get("retry_times", 1)
        delay = self.base * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        delay = min(delay, self.maximum)
        if delay > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, delay))


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt obeyed as usual, but parsed rules are kept for an hour across runs instead of re-fetched each poll."""

    TTL = 3600.0
    FAILED_TTL = 600.0
    _shared: dict[str, tuple[float, object]] = {}

    async def robot_parser(self, request: Request):
        url = urlparse_cached(request)
        key = f"{url.scheme}://{url.netloc}"
        cached = self._shared.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        parser = await super().robot_parser(request)
        ttl = self.TTL if parser is not None else self.FAILED_TTL
        self._shared[key] = (time.monotonic() + ttl, parser)
        return parser
