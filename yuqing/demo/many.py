"""Benchmark mode: many RSS sources (/s/{i}/rss.xml) over several loopback addresses, items at random times."""

from __future__ import annotations

import bisect
import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape as xesc

from .corpus import build_corpus, ordinary_specs
from .corpus.expand import filler_post
from .httpcommon import Request, Response, esc, http_date, is_fresh, local, not_found, paragraphs, rfc822
from .pages_feeds import robots
from .server import DemoServer, LoggedRequest
from .timeline import system_clock

UTC = UTC
FEED_SIZE = 20
_FEED = re.compile(r"/s/(\d+)/rss\.xml")
_ITEM = re.compile(r"/s/(\d+)/item/(\d+)\.html")
_SEARCH = re.compile(r"/q/(\d+)/s")
SEARCH_PER_PAGE = 10


@dataclass(frozen=True)
class ManyItem:
    """One benchmark item: its source name, URL and publication time on the server."""

    source: str
    index: int
    seq: int
    url: str
    published_at: datetime


class ManyTimeline:
    """Per source: a few backlog items, then a Poisson stream (mean gap ``mean_gap`` s at speed 1)."""

    def __init__(
        self,
        n_sources: int,
        seed: int,
        speed: float,
        start: datetime,
        clock: Callable[[], datetime],
        mean_gap: float,
        backlog: int,
    ):
        self.n, self.seed, self.speed, self.start, self.clock = n_sources, seed, speed, start, clock
        self.mean_gap = mean_gap
        self._lock = threading.Lock()
        self._times: list[list[datetime]] = []
        self._next: list[float] = []  # next live offset (s at speed 1) per source
        self._rngs: list[random.Random] = []
        for i in range(n_sources):
            rng = random.Random(f"{seed}/{i}")
            past = sorted(start - timedelta(seconds=rng.uniform(600, 48 * 3600)) for _ in range(backlog))
            self._times.append(past)
            self._next.append(rng.expovariate(1.0 / mean_gap))
            self._rngs.append(rng)
        self._texts: dict[tuple[int, int], tuple[str, str, str]] = {}
        self.n_search = 0  # keyword-search engines: engine j indexes the sources i with i % n_search == j
        self._specs = ordinary_specs()
        posts = build_corpus(seed).posts
        self._sentences = [
            s
            for p in posts
            if not p.emergency and p.relevant and "{" not in p.content
            for s in re.findall(r"[^。!?]+[。!?]", p.content)
        ]

    def _ensure(self, i: int, now: datetime) -> None:
        times = self._times[i]
        while self.start + timedelta(seconds=self._next[i] / self.speed) <= now:
            times.append(self.start + timedelta(seconds=self._next[i] / self.speed))
            self._next[i] += self._rngs[i].expovariate(1.0 / self.mean_gap)

    def items(self, i: int, now: datetime | None = None) -> list[datetime]:
        """Publication times of source ``i`` visible at ``now``, oldest first (item k has seq k+1)."""
        now = now or self.clock()
        with self._lock:
            self._ensure(i, now)
            times = self._times[i]
            return times[: bisect.bisect_right(times, now)]

    def publish_now(self, i: int, n: int = 1) -> list[int]:
        now = self.clock()
        with self._lock:
            self._ensure(i, now)
            times = self._times[i]
            times.extend([now] * n)
            times.sort()
            return list(range(len(times) - n + 1, len(times) + 1))

    def text(self, i: int, seq: int) -> tuple[str, str, str]:
        """Deterministic (title, content, author) of item ``seq`` of source ``i``."""
        key = (i, seq)
        if key not in self._texts:
            self._texts[key] = self._make_text(i, seq)
        return self._texts[key]

    def _make_text(self, i: int, seq: int) -> tuple[str, str, str]:
        rng = random.Random(f"{self.seed}/{i}/{seq}")
        post = filler_post(self._specs, rng, seq)
        extra = "".join(rng.sample(self._sentences, 2)) if len(self._sentences) >= 2 else ""
        return post.title, f"{post.content}\n{extra}", post.author


class ManySitesHandle:
    """Running benchmark servers; ``sources()`` gives the config entries, ``published()`` the ground truth."""

    def __init__(self, servers: list[DemoServer], timeline: ManyTimeline):
        self.servers = servers
        self.timeline = timeline
        self._threads = [s.start() for s in servers]

    def base_url(self, i: int) -> str:
        return self.servers[i % len(self.servers)].base_url

    def feed_url(self, i: int) -> str:
        return f"{self.base_url(i)}/s/{i}/rss.xml"

    def item_url(self, i: int, seq: int) -> str:
        return f"{self.base_url(i)}/s/{i}/item/{seq}.html"

    def sources(self, interval: int = 60) -> list[dict]:
        return [
            {
                "name": f"bench-{i:04d}",
                "title": f"压测源{i}",
                "kind": "rss",
                "url": self.feed_url(i),
                "interval": interval,
                "source_type": "news",
            }
            for i in range(self.timeline.n)
        ]

    def search_sources(self, n: int, interval: int = 60, keywords_per_run: int = 1) -> list[dict]:
        """``n`` keyword-search sources (engine j indexes the feeds i with i % n == j; results link to the items'
        own pages, so what a feed already brought is deduplicated); keywords come from the schemes."""
        self.timeline.n_search = n
        return [
            {
                "name": f"search-{j:03d}",
                "title": f"压测搜索{j}",
                "kind": "search",
                "url": f"{self.base_url(j)}/q/{j}/s?q={{keyword}}&page={{page}}",
                "interval": interval,
                "source_type": "news",
                "max_pages": 2,
                "search": {
                    "results": "div.result",
                    "link": "a::attr(href)",
                    "title": "a",
                    "snippet": "p.abs",
                    "time": "span.t::text",
                    "keywords_per_run": keywords_per_run,
                },
            }
            for j in range(n)
        ]

    def published(self, now: datetime | None = None) -> list[ManyItem]:
        out = []
        for i in range(self.timeline.n):
            for k, at in enumerate(self.timeline.items(i, now), start=1):
                out.append(ManyItem(f"bench-{i:04d}", i, k, self.item_url(i, k), at))
        return out

    def publish_now(self, i: int, n: int = 1) -> list[ManyItem]:
        seqs = self.timeline.publish_now(i, n)
        times = self.timeline.items(i)
        return [ManyItem(f"bench-{i:04d}", i, k, self.item_url(i, k), times[k - 1]) for k in seqs]

    @property
    def requests(self) -> list[LoggedRequest]:
        return [r for s in self.servers for r in s.requests]

    def stop(self) -> None:
        for s in self.servers:
            s.stop()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> ManySitesHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _route(req: Request, tl: ManyTimeline, slot: int, n_servers: int) -> Response:
    if req.path == "/robots.txt":
        return robots(req)
    search = _SEARCH.fullmatch(req.path)
    if search:
        return _search(req, tl, int(search.group(1)))
    m = _FEED.fullmatch(req.path) or _ITEM.fullmatch(req.path)
    if not m or int(m.group(1)) >= tl.n or int(m.group(1)) % n_servers != slot:
        return not_found()
    i = int(m.group(1))
    times = tl.items(i, req.now)
    if m.re is _ITEM:
        seq = int(m.group(2))
        if not 1 <= seq <= len(times):
            return not_found()
        title, content, author = tl.text(i, seq)
        body = (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
            f'<body><h1>{esc(title)}</h1><div class="meta">{esc(author)} {local(times[seq - 1])}</div>'
            f'<div class="content">{paragraphs(content)}</div></body></html>'
        )
        return Response(200, body.encode("utf-8"))
    last = times[-1] if times else tl.start
    etag = f'"s{i}-{len(times)}"'
    headers = {"ETag": etag, "Last-Modified": http_date(last), "Cache-Control": "no-cache"}
    ctype = "application/rss+xml; charset=utf-8"
    if is_fresh(req, etag, last):
        return Response(304, b"", ctype, headers)
    items = []
    for seq in range(len(times), max(0, len(times) - FEED_SIZE), -1):
        title, content, author = tl.text(i, seq)
        url = f"{req.base_url}/s/{i}/item/{seq}.html"
        items.append(
            f"<item><title>{xesc(title)}</title><link>{url}</link><guid isPermaLink=\"true\">{url}</guid>"
            f"<pubDate>{rfc822(times[seq - 1])}</pubDate><author>{xesc(author)}</author>"
            f"<description>{xesc(content)}</description></item>"
        )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>压测源{i}</title>'
        f"<link>{req.base_url}/s/{i}/</link><description>东园镇压测信息源</description>"
        f"<lastBuildDate>{rfc822(last)}</lastBuildDate>{''.join(items)}</channel></rss>\n"
    )
    return Response(200, xml.encode("utf-8"), ctype, headers)


def _search(req: Request, tl: ManyTimeline, engine: int) -> Response:
    """A search engine over the feeds ``i % n_search == engine``: items whose text has every word, newest first."""
    if not tl.n_search or engine >= tl.n_search:
        return not_found()
    terms = req.query.get("q", "").split()
    page = req.int_arg("page", 1)
    hits: list[tuple[datetime, int, int, str, str]] = []
    for i in range(engine, tl.n, tl.n_search):
        times = tl.items(i, req.now)
        for seq in range(len(times), max(0, len(times) - FEED_SIZE), -1):
            title, content, _ = tl.text(i, seq)
            if terms and all(t in title + content for t in terms):
                hits.append((times[seq - 1], i, seq, title, content))
    hits.sort(reverse=True)
    chunk = hits[(page - 1) * SEARCH_PER_PAGE : page * SEARCH_PER_PAGE]
    results = "".join(
        f'<div class="result"><a href="{req.base_url}/s/{i}/item/{seq}.html">{esc(title)}</a>'
        f'<p class="abs">{esc(content[:80])}</p><span class="t">{local(at)}</span></div>'
        for at, i, seq, title, content in chunk
    )
    body = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索</title></head><body>{results}</body></html>'
    return Response(200, body.encode("utf-8"), headers={"Cache-Control": "no-cache"})


def start_many_sites(
    n_sources: int = 1000,
    hosts: int | Sequence[str] = 1,
    port: int = 0,
    speed: float = 1.0,
    seed: int = 2026,
    start_time: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
    mean_gap: float = 300.0,
    backlog: int = 3,
    latency: float = 0.0,
) -> ManySitesHandle:
    """Serve ``n_sources`` feeds; source i lives on address ``i % len(hosts)`` (127.0.0.1, 127.0.0.2, …).
    ``latency``: seconds each answer waits, as a distant government site's would (a thread per connection, so a
    waiting request holds up no other)."""
    addrs = [f"127.0.0.{j + 1}" for j in range(hosts)] if isinstance(hosts, int) else list(hosts)
    clock = clock or system_clock
    tl = ManyTimeline(n_sources, seed, speed, (start_time or clock()).astimezone(UTC), clock, mean_gap, backlog)
    servers: list[DemoServer] = []
    try:
        for slot, addr in enumerate(addrs):
            router = (lambda s: lambda req: _route(req, tl, s, len(addrs)))(slot)
            want = servers[0].server_address[1] if servers else port
            try:
                servers.append(DemoServer((addr, want), router, clock, latency))
            except OSError:
                servers.append(DemoServer((addr, 0), router, clock, latency))
    except Exception:
        for s in servers:
            s.server_close()
        raise
    return ManySitesHandle(servers, tl)
