"""Benchmark mode: many feeds over several loopback addresses, random publication times, 304s, ground truth."""

import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

from demo_support import fetch

from yuqing.demo.many import start_many_sites
from yuqing.demo.timeline import FakeClock


def test_many_feeds_over_several_addresses():
    clock = FakeClock()
    with start_many_sites(60, hosts=3, clock=clock, mean_gap=60, backlog=2) as h:
        sources = h.sources(interval=60)
        assert len(sources) == 60 and len({s["name"] for s in sources}) == 60
        hosts = {s["url"].split("/")[2].split(":")[0] for s in sources}
        assert hosts == {"127.0.0.1", "127.0.0.2", "127.0.0.3"}
        assert fetch(sources[1]["url"].replace("127.0.0.2", "127.0.0.1")).status == 404  # lives elsewhere
        assert len(h.published()) == 120
        clock.advance(600)
        grown = h.published()
        assert 400 < len(grown) < 1000  # ~10 new items per source in 10 minutes
        truth = {p.url: p.published_at for p in grown}
        feed = fetch(sources[7]["url"])
        items = ET.fromstring(feed.body).findall("./channel/item")
        assert 0 < len(items) <= 20
        for it in items:
            assert parsedate_to_datetime(it.findtext("pubDate")) == truth[it.findtext("link")].replace(microsecond=0)
            assert fetch(it.findtext("link")).status == 200
        titles = {it.findtext("description") for it in items}
        assert len(titles) == len(items)  # no two items alike


def test_many_conditional_get_and_publish_now():
    clock = FakeClock()
    with start_many_sites(10, clock=clock, mean_gap=3600) as h:
        url = h.feed_url(4)
        first = fetch(url)
        etag = first.headers["ETag"]
        assert fetch(url, {"If-None-Match": etag}).status == 304
        assert fetch(url, {"If-Modified-Since": first.headers["Last-Modified"]}).status == 304
        clock.advance(1)
        new = h.publish_now(4, 2)
        assert [p.published_at for p in new] == [clock(), clock()]
        again = fetch(url, {"If-None-Match": etag})
        assert again.status == 200
        links = [it.findtext("link") for it in ET.fromstring(again.body).findall("./channel/item")]
        assert links[:2] == [new[1].url, new[0].url]
        assert {r.path for r in h.requests} == {"/s/4/rss.xml"}


def test_many_deterministic_times():
    clock = FakeClock()
    with start_many_sites(5, clock=clock) as a, start_many_sites(5, clock=clock) as b:
        clock.advance(3600)
        assert [p.published_at for p in a.published()] == [p.published_at for p in b.published()]


def test_many_latency_answers_alike_and_waits_apart():
    """With latency set every answer waits first (the same content as without), and a waiting request holds up no
    other: two requests are inside the wait at once (a barrier of two; serialised requests would break it)."""
    clock = FakeClock()
    with (
        start_many_sites(4, clock=clock, mean_gap=60, backlog=2) as plain,
        start_many_sites(4, clock=clock, mean_gap=60, backlog=2, latency=0.25) as slow,
    ):
        both_waiting = threading.Barrier(2, timeout=20)
        waits: list[float] = []

        def wait(seconds: float) -> bool:
            waits.append(seconds)
            both_waiting.wait()
            return False  # not stopping: answer

        slow.servers[0].wait = wait
        plain.servers[0].wait = wait  # never called: no latency, no delay
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(fetch, [slow.feed_url(1), slow.feed_url(2)]))
        assert waits == [0.25, 0.25]
        for i, answer in zip((1, 2), answers):
            expected = fetch(plain.feed_url(i))
            assert answer.status == expected.status == 200
            assert answer.body.replace(slow.base_url(i).encode(), b"") == expected.body.replace(
                plain.base_url(i).encode(), b""
            )
        assert waits == [0.25, 0.25]
