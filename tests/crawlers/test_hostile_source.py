"""One hostile source (a list page with 100,000 links) must not stop collection: `yuqing run` against it.

The hostile html source is capped (links per page, items per run) and marked on the 来源 page; a control RSS
source polled every few seconds keeps its schedule and its new items are stored promptly; SIGTERM stops the
process within seconds.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from crawl_support import ROOT, open_config_app, run_yuqing, write_config, yuqing_command
from sqlalchemy import select

from yuqing.db.models import CrawlRun, Mention, Source
from yuqing.source_health import source_health

LINKS = 100_000
CONTROL_INTERVAL = 5
WATCH_SECONDS = 30
TEXT = "东园镇郭滩村村民反映,村口道路积水严重,出行十分不便,希望有关部门尽快处理。"


def hostile_list() -> bytes:
    rows = "".join(f'<li><a class="t" href="/hostile/item/{n}.html">帖子{n}</a></li>' for n in range(LINKS))
    return f"<html><head><title>论坛</title></head><body><ul>{rows}</ul></body></html>".encode()


def hostile_detail(path: str) -> tuple[int, dict, bytes]:
    number = path.rsplit("/", 1)[-1].split(".")[0]
    page = f"<html><head><title>帖子{number}</title></head><body><h1>帖子{number}</h1><div class='c'>{TEXT}{number}</div></body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def control_feed(_path: str) -> tuple[int, dict, bytes]:
    """A feed that gains an item every two seconds (published now), so each poll has something new."""
    tick = int(time.time()) // 2
    items = "".join(
        f"<item><title>东园镇通知{n}</title><link>http://control.example/n/{n}</link><description>{TEXT}</description>"
        f"<pubDate>{format_datetime(datetime.fromtimestamp(n * 2, UTC))}</pubDate></item>"
        for n in range(tick, tick - 5, -1)
    )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'
    return 200, {"Content-Type": "application/rss+xml"}, body.encode()


def hostile_details(server) -> int:
    return sum(1 for path, _, _ in list(server.log) if path.startswith("/hostile/item/"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hostile_config(tmp_path, edge_server):
    edge_server.route("/hostile/list.html", hostile_list())
    edge_server.route_prefix("/hostile/item/", hostile_detail)
    feed = edge_server.route_prefix("/control/feed.xml", control_feed)
    sources = [
        {
            "name": "hostile",
            "kind": "html",
            "url": edge_server.base_url + "/hostile/list.html",
            "interval": 600,
            "max_pages": 1,
            "html": {"item_links": "a.t::attr(href)", "title": "h1::text", "body": "div.c"},
        },
        {"name": "control", "kind": "rss", "url": feed, "interval": CONTROL_INTERVAL},
    ]
    config = write_config(tmp_path / "config.toml", sources, {"max_response_mb": 10})
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f"\n[dashboard]\nport = {free_port()}\n")
    return config


def test_hostile_list_page_is_capped_and_others_keep_their_schedule(hostile_config, edge_server):
    process = subprocess.Popen(
        yuqing_command(hostile_config, "run"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not hostile_details(edge_server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hostile_details(edge_server), "the hostile source was never crawled"
        attacked_at = datetime.now(UTC)
        time.sleep(WATCH_SECONDS)
        process.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        out, err = process.communicate(timeout=120)
        stopped_in = time.monotonic() - stopping
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert stopped_in < 10, f"SIGTERM took {stopped_in:.1f} s"
    assert process.returncode == 0, err

    details = hostile_details(edge_server)
    app = open_config_app(hostile_config)
    try:
        with app.db.read() as session:
            control = [
                (run.started_at, run.finished_at, run.ok)
                for run in session.scalars(
                    select(CrawlRun)
                    .join(Source)
                    .where(Source.name == "control", CrawlRun.started_at >= attacked_at)
                    .order_by(CrawlRun.started_at)
                )
            ]
            lags = [
                (m.first_seen_at - m.published_at).total_seconds()
                for m in session.scalars(
                    select(Mention).join(Source).where(Source.name == "control", Mention.published_at >= attacked_at)
                )
            ]
            limited = session.scalar(select(Source.limited_reason).where(Source.name == "hostile"))
            health = {row["name"]: row for row in source_health(session)}
    finally:
        app.close()

    assert details <= 1000, f"{details} detail pages fetched from one list page"
    # The control source keeps its schedule while the hostile one is crawled and stored.
    assert len(control) >= WATCH_SECONDS / CONTROL_INTERVAL / 2, control
    assert all(ok for _, _, ok in control)
    assert max((finished - started).total_seconds() for started, finished, _ in control) < 5
    starts = [started for started, _, _ in control]
    assert max((b - a).total_seconds() for a, b in zip(starts, starts[1:])) < 3 * CONTROL_INTERVAL + 2
    assert lags and max(lags) < 15, lags
    # The hostile source is marked as misbehaving where the administrator looks: the 来源 page.
    assert limited and "链接" in limited
    assert health["hostile"]["status"] == "超量受限" and health["hostile"]["status_level"] == "warning"
    assert "链接" in health["hostile"]["limited_reason"]


def test_feed_entries_are_capped_per_page_and_per_run(tmp_path, edge_server):
    items = "".join(
        f"<item><title>东园镇通知{n}</title><link>{edge_server.base_url}/capped/{n}</link>"
        f"<description>{TEXT}</description></item>"
        for n in range(100)
    )
    feed = edge_server.route(
        "/capped/feed.xml",
        f'<rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode(),
        "application/rss+xml",
    )
    source = {"name": "big-feed", "kind": "rss", "url": feed, "max_links_per_page": 40, "max_items_per_run": 25}
    config = write_config(tmp_path / "config.toml", [source])
    stored = []
    for _ in range(3):
        result = run_yuqing(config, "crawl", "--once")
        assert result.returncode == 0, result.stderr
        app = open_config_app(config)
        try:
            with app.db.read() as session:
                stored.append(len(session.scalars(select(Mention.id)).all()))
                limited = session.scalar(select(Source.limited_reason).where(Source.name == "big-feed"))
        finally:
            app.close()
        assert "100 个条目" in limited and "上限 40" in limited
    assert stored == [25, 40, 40]  # the budget, then the rest of the 40 read; the other 60 are never read
    assert "其余留待下一轮" in result.stdout or "上限 40" in result.stdout
