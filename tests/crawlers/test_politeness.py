"""Per-site politeness shared across sources and workers (crawlers.politeness, PostgreSQL): reservations made by
two writers at once are spaced by the delay, and one crawl of two sources on one site keeps the pace."""

from __future__ import annotations

import threading

import pytest
from crawl_support import EdgeServer, run_yuqing, write_config

from crawlers.politeness import reserve, reserve_slot
from yuqing.app import open_app

pytestmark = pytest.mark.postgres

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>东园镇通知{n}</title><link>http://127.0.0.1/p/{n}</link><description>停水通知{n}</description></item>"
    "</channel></rss>"
)


@pytest.fixture
def pg_url(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("共享访问节奏需要 PostgreSQL")
    return db_url


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_share_one_budget_per_site(settings_factory, pg_url):
    settings = settings_factory(db_url=pg_url)
    apps = [open_app(settings), open_app(settings, migrate=False)]
    starts: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def go(app) -> None:
        barrier.wait()
        for _ in range(6):
            begin, _ = reserve_slot(app, "news.example.cn", 0.2)
            with lock:
                starts.append(begin)
        reserve(app, "other.example.cn", 0.2)  # another site: its own budget

    threads = [threading.Thread(target=go, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for app in apps:
        app.close()
    starts.sort()
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 12 and min(gaps) >= 0.199, gaps
    assert starts[-1] - starts[0] < 0.2 * 11 + 1.0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_sources_on_one_site_keep_the_shared_pace(tmp_path, pg_url):
    server = EdgeServer()
    try:
        sources = []
        for n in range(3):
            url = server.route(f"/pace/{n}.xml", FEED.format(n=n).encode(), "application/rss+xml")
            sources.append({"name": f"pace-{n}", "kind": "rss", "url": url, "interval": 60})
        config = write_config(tmp_path / "config.toml", sources)
        text = config.read_text(encoding="utf-8")
        text = text.replace(f'url = "sqlite:///{tmp_path / "yuqing.db"}"', f'url = "{pg_url}"', 1)
        config.write_text(text + "\n[cluster]\ndomain_delay = 0.6\n", encoding="utf-8")
        proc = run_yuqing(config, "crawl", "--once")
        assert proc.returncode == 0, proc.stderr
        times = sorted(t for n in range(3) for t in server.request_times(f"/pace/{n}.xml"))
        assert len(times) == 3
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert min(gaps) >= 0.5, gaps
    finally:
        server.stop()
