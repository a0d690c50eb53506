"""Polling on schedule (`yuqing crawl` until Ctrl-C), active hours, unknown sources, and the plain Scrapy commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from crawl_support import ROOT, open_config_app, run_yuqing, write_config, yuqing_command
from sqlalchemy import select

from yuqing.db.models import CrawlRun, Source
from yuqing.demo.sites import start_sites
from yuqing.demo.timeline import FakeClock

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    '<item><title>东园镇通知</title><link>http://127.0.0.1/n/1</link><description>停水通知</description></item>'
    "</channel></rss>"
).encode()


def outside_active_hours() -> str:
    start = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=2)
    return f"{start:%H}:00-{(start + timedelta(hours=1)):%H}:00"


@pytest.fixture(scope="module")
def demo_sites():
    sites = start_sites(clock=FakeClock())
    yield sites
    sites.stop()


@pytest.fixture(scope="module")
def config(tmp_path_factory, edge_server, demo_sites):
    feed = edge_server.route("/sched/feed.xml", FEED, "application/rss+xml")
    sources = [
        {"name": "quick", "kind": "rss", "url": feed, "interval": 5},
        {"name": "slow", "kind": "rss", "url": demo_sites.base_url + "/fail/slow?seconds=7", "interval": 5},
        {"name": "night", "kind": "rss", "url": feed + "?night", "interval": 5, "active_hours": outside_active_hours()},
        {"name": "off", "kind": "rss", "url": feed + "?off", "interval": 5, "enabled": False},
    ]
    return write_config(tmp_path_factory.mktemp("sched") / "config.toml", sources, {"download_timeout": 20})


def runs_by_source(config) -> dict[str, list[CrawlRun]]:
    app = open_config_app(config)
    try:
        with app.db.read() as session:
            rows = session.execute(
                select(Source.name, CrawlRun)
                .join(CrawlRun, CrawlRun.source_id == Source.id)
                .order_by(CrawlRun.started_at)
            ).all()
            session.expunge_all()
    finally:
        app.close()
    found: dict[str, list[CrawlRun]] = {}
    for name, run in rows:
        found.setdefault(name, []).append(run)
    return found


def test_polls_on_schedule_until_ctrl_c(config):
    process = subprocess.Popen(
        yuqing_command(config, "crawl"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(13)
    process.send_signal(signal.SIGINT)
    stopping = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - stopping < 10  # running crawls are wound down, not waited for
    assert process.returncode == 0, err
    assert "按 Ctrl-C 停止" in err and "已停止" in out
    runs = runs_by_source(config)
    quick = runs["quick"]
    assert len(quick) >= 2
    starts = [run.started_at for run in quick]
    assert all((b - a).total_seconds() >= 4 for a, b in zip(starts, starts[1:]))  # the interval, not faster
    slow = runs["slow"]
    assert 1 <= len(slow) <= 3
    for earlier, later in zip(slow, slow[1:]):
        assert later.started_at >= earlier.finished_at  # never two runs of one source at once
    assert "night" not in runs and "off" not in runs  # outside its active hours; disabled


def test_unknown_source_is_a_usage_error(config):
    result = run_yuqing(config, "crawl", "--once", "--source", "quick", "--source", "nope")
    assert result.returncode == 2
    assert "配置中没有来源 nope" in result.stderr and "quick" in result.stderr


def test_named_source_only(config, edge_server):
    before = len(edge_server.requested("/sched/feed.xml"))
    result = run_yuqing(config, "crawl", "--once", "--source", "quick")
    assert result.returncode == 0, result.stderr
    assert "quick" in result.stdout and "slow" not in result.stdout
    assert len(edge_server.requested("/sched/feed.xml")) == before + 1


# The scrapy command installed beside this interpreter (the venv's bin may not be on PATH, e.g. under make).
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def test_scrapy_list_and_crawl(config):
    env = {**os.environ, "YUQING_CONFIG": str(config)}
    listed = subprocess.run(
        [SCRAPY, "list"], cwd=ROOT / "crawlers", env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == ["night", "off", "quick", "slow"]
    before = len(runs_by_source(config).get("quick", []))
    crawled = subprocess.run(
        [SCRAPY, "crawl", "quick"], cwd=ROOT / "crawlers", env=env, capture_output=True, text=True, timeout=60
    )
    assert crawled.returncode == 0, crawled.stderr
    assert len(runs_by_source(config)["quick"]) == before + 1
