"""Per-site politeness shared by every source and every worker process (scale-out, PostgreSQL): before each request
to a domain the worker reserves the domain's next slot in the domain_slots table, one statement:

    INSERT … ON CONFLICT (domain) DO UPDATE SET next_at = GREATEST(next_at, now) + delay RETURNING next_at

and waits until its slot begins. The database's clock is used, so workers on machines with skewed clocks still
keep the pace. Two sources on one site, crawled by two workers, share one budget of one request per `delay`.
Enabled by [cluster] domain_delay > 0 on PostgreSQL; otherwise Scrapy's per-crawl pacing applies as before."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from sqlalchemy import text

log = logging.getLogger("yuqing.crawl.politeness")
MAX_WAIT = 300.0  # a reservation further out than this means a far too small delay budget for the site: go anyway

RESERVE = text(
    """
    INSERT INTO domain_slots (domain, next_at) VALUES (:domain, clock_timestamp() + make_interval(secs => :delay))
    ON CONFLICT (domain) DO UPDATE
        SET next_at = GREATEST(domain_slots.next_at, clock_timestamp()) + make_interval(secs => :delay)
    RETURNING EXTRACT(EPOCH FROM (next_at - make_interval(secs => :delay))),
              EXTRACT(EPOCH FROM (next_at - make_interval(secs => :delay) - clock_timestamp()))
    """
)


def reserve_slot(app: Any, domain: str, delay: float) -> tuple[float, float]:
    """Reserve the domain's next request slot: (when it begins, as a Unix time on the database's clock; seconds
    to wait until then, 0 or more)."""
    with app.db.write() as session:
        begins, wait = session.execute(RESERVE, {"domain": domain[:200], "delay": delay}).one()
    return float(begins), max(0.0, float(wait or 0.0))


def reserve(app: Any, domain: str, delay: float) -> float:
    """Reserve the domain's next request slot; seconds to wait until it begins."""
    return reserve_slot(app, domain, delay)[1]


class SharedDomainPaceMiddleware:
    """Waits for the domain's shared slot before each request (never on the reactor thread: the reservation runs
    in a pool thread)."""

    def __init__(self, crawler, delay: float):
        self.crawler = crawler
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler):
        delay = crawler.settings.getfloat("YUQING_DOMAIN_DELAY", 0.0)
        if delay <= 0:
            raise NotConfigured
        return cls(crawler, delay)

    async def process_request(self, request: Request) -> None:
        from twisted.internet import reactor, task, threads

        app = getattr(self.crawler.spider, "app", None)
        if app is None or app.db.is_sqlite:
            return None
        domain = urlparse_cached(request).hostname or ""
        try:
            wait = await maybe_deferred_to_future(threads.deferToThread(reserve, app, domain, self.delay))
        except Exception as exc:  # noqa: BLE001 - the database away: this request goes at Scrapy's own pace
            log.warning("无法预约站点 %s 的访问时段(%s),按本进程节奏访问", domain, exc)
            return None
        if wait > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, min(wait, MAX_WAIT), lambda: None))
        return None
