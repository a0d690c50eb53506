"""The benchmarks under bench/ keep running as the code changes: each one whose tiny mode takes seconds runs here on
tiny parameters (this checks they run and print their figures, not how fast). Those that read the development
data folder (../shared/data, not part of the repository) are skipped without it. bench/dashboard.py has its own
test (test_bench_dashboard.py); the long ones (crawl, scale, soak, learning, classify_eval, pipeline) run by hand."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TIPDM = DATA / "tipdm2020_messages_with_votes.csv"


def run_bench(script: str, *args: str) -> str:
    """Run bench/SCRIPT with ARGS; its standard output, after checking it exited 0."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def shares(line: str) -> list[float]:
    """The decimal figures of a line."""
    return [float(x) for x in re.findall(r"\d+\.\d+", line)]


def test_clustering_bench_scores_the_demo_corpus():
    out = run_bench("clustering.py", "--show", "1")
    line = next(line for line in out.splitlines() if "B-cubed precision" in line)
    assert len(shares(line)) == 3 and all(0 < x <= 1 for x in shares(line)), out
    assert "matters split over several events" in out


def test_alerts_bench_delivers_every_alert_and_checks_deadlines():
    out = run_bench("alerts.py", "--events", "5", "--open", "50")
    assert "经 yuqing.ingest.ingest_item" in out, out  # the real ingest path, not the fallback
    assert "新事件 5 个" in out and "全部到达:True" in out, out
    assert re.search(r"中位数 [\d.]+ ms,p95 [\d.]+ ms", out), out
    assert "时限检查(50 个未办结事件" in out and "CheckReport(" in out, out


def test_reactor_choice_bench_times_both_ways_of_crawling():
    out = run_bench("reactor_choice.py", "--batches", "1", "--size", "2", "--rounds", "2")
    for label in ("常驻反应器线程 第 2 轮", "每批一个子进程 第 2 轮"):
        assert re.search(label + r":每批平均耗时 [\d.]+ 秒,CPU [\d.]+ 秒", out), out
    assert "稳定状态每批 CPU" in out, out


@pytest.mark.postgres
def test_poll_cpu_bench_measures_each_variant():
    out = run_bench("poll_cpu.py", "--sources", "10", "--rounds", "1", "--repeat", "1")
    for name in ("设置快速复制(现行)", "Scrapy 深复制设置", "深复制 + 远程控制扩展(改前)"):
        assert re.search(re.escape(name) + r":每次采集 CPU 中位数 [\d.]+ 毫秒", out), out


@pytest.mark.skipif(not (DATA / "duee" / "train_event.jsonl").is_file(), reason="needs ../shared/data (DuEE, TipDM)")
def test_events_real_bench_scores_events_and_judgement_on_real_reports():
    out = run_bench("events_real.py", "--split", "valid")
    line = next(line for line in out.splitlines() if "B-cubed precision" in line)
    assert all(0 < x <= 1 for x in shares(line)[:2]), out
    assert "disaster recall (level ≤ 3)" in out and "judgement on TipDM" in out, out


@pytest.mark.skipif(not TIPDM.is_file(), reason="needs ../shared/data (TipDM)")
def test_schemes_bench_times_preview_rebuild_and_reapply():
    out = run_bench("schemes.py", "--mentions", "300")
    row = next(line for line in out.splitlines() if line.startswith("300\t"))
    assert len(row.split("\t")) == 7 and "秒" in row, out
