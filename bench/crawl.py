"""Crawler benchmark: many RSS sources on loopback polled by `yuqing crawl`; fetch rate, CPU, detection latency.

The simulated sites (yuqing.demo.many: one feed per source over several 127.0.0.x addresses, ETag/304, new
items at random times) run in this process; the crawler is a separate `yuqing crawl` process, as in
production, so its CPU is measured alone (from /proc/PID/stat, after a warm-up in which the sources' backlog is
fetched). Detection latency = publication on the server → first_seen_at of the mention in the database.

    python bench/crawl.py                      # 1,000 sources, 60 s interval, 6 minutes
    python bench/crawl.py --minutes 3          # shorter
    python bench/crawl.py --sources 200 --minutes 2 --interval 30
    python bench/crawl.py --search 100         # plus 100 keyword-search sources (results link to the feeds' items)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from crawlers.urls import canonical_url  # noqa: E402
from yuqing.demo.many import start_many_sites  # noqa: E402
from yuqing.demo.sites import sources_toml  # noqa: E402

UTC = UTC
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="采集基准测试:本机模拟大量信息源,测量抓取速率、CPU 占用和发现时延")
    parser.add_argument("--sources", type=int, default=1000, help="信息源数量(默认 1000)")
    parser.add_argument("--minutes", type=float, default=6.0, help="总时长,分钟(默认 6,含预热)")
    parser.add_argument("--interval", type=int, default=60, help="每个来源的采集间隔,秒(默认 60)")
    parser.add_argument("--warmup", type=float, default=90.0, help="预热秒数:首轮采集积压信息,不计入统计(默认 90)")
    parser.add_argument("--hosts", type=int, default=50, help="分布到多少个回环地址 127.0.0.x(默认 50)")
    parser.add_argument("--mean-gap", type=float, default=300.0, help="每个来源平均多少秒发布一条新信息(默认 300)")
    parser.add_argument("--search", type=int, default=0, help="另加多少个关键词搜索来源(默认 0;如 100)")
    parser.add_argument("--dir", default=str(ROOT / "bench" / "out" / "crawl"), help="工作目录(每次清空)")
    return parser.parse_args(argv)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / CLOCK_TICKS


def write_config(workdir: Path, sources: list[dict]) -> Path:
    config = workdir / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{workdir / "yuqing.db"}"\n[logging]\nfile = "{workdir / "yuqing.log"}"\n'
        'level = "WARNING"\n[mail]\nadmin_emails = ["admin@example.gov.cn"]\n'
        '[[schemes]]\nname = "东园镇"\nregion = "东园|沙坡头|中卫"\n\n' + sources_toml(sources),
        encoding="utf-8",
    )
    return config


def start_crawler(config: Path, workdir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-c",
        "import sys; from yuqing.cli import main; sys.exit(main())",
        "--config",
        str(config),
        "crawl",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=(workdir / "crawl.out").open("w"), stderr=(workdir / "crawl.err").open("w")
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def first_seen(workdir: Path) -> tuple[dict[str, datetime], tuple]:
    engine = create_engine(f"sqlite:///{workdir / 'yuqing.db'}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT canonical_url, first_seen_at FROM mentions")).all()
        runs = connection.execute(
            text(
                "SELECT count(*), sum(ok), avg((julianday(finished_at) - "
                "julianday(started_at)) * 86400), sum(not_modified) FROM crawl_runs"
            )
        ).one()
    engine.dispose()
    seen = {url: datetime.fromisoformat(str(at)).replace(tzinfo=UTC) for url, at in rows}
    return seen, runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(args.dir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    sites = start_many_sites(args.sources, hosts=args.hosts, mean_gap=args.mean_gap, backlog=1)
    search = sites.search_sources(args.search, interval=args.interval) if args.search else []
    config = write_config(workdir, sites.sources(interval=args.interval) + search)
    print(
        (f"另加 {args.search} 个关键词搜索来源;" if args.search else "")
        + f"{args.sources} 个来源,分布在 {args.hosts} 个回环地址;每源间隔 {args.interval} 秒;"
        f"平均每源 {args.mean_gap:g} 秒一条新信息;共 {args.minutes:g} 分钟(预热 {args.warmup:g} 秒)",
        flush=True,
    )
    started = datetime.now(UTC)
    crawler = start_crawler(config, workdir)
    try:
        window = run_and_sample(crawler, args, started)
    finally:
        crawler.send_signal(signal.SIGINT)
        try:
            crawler.wait(timeout=60)
        except subprocess.TimeoutExpired:
            crawler.kill()
    ended = datetime.now(UTC)
    report(args, sites, workdir, window, started, ended)
    sites.stop()
    return 0


def run_and_sample(crawler: subprocess.Popen, args: argparse.Namespace, started: datetime) -> dict:
    """Wait out the run, printing progress; returns the measurement window's CPU figures."""
    total = args.minutes * 60
    window: dict = {}
    next_print = 30.0
    last_cpu, last_t = 0.0, 0.0
    while (elapsed := (datetime.now(UTC) - started).total_seconds()) < total:
        if crawler.poll() is not None:
            raise SystemExit(f"采集进程提前退出(返回码 {crawler.returncode}),见 {args.dir}/crawl.err")
        cpu = cpu_seconds(crawler.pid)
        if "cpu0" not in window and elapsed >= args.warmup:
            window.update(cpu0=cpu, t0=elapsed, at0=datetime.now(UTC))
        if elapsed >= next_print:
            share = (cpu - last_cpu) / max(elapsed - last_t, 1e-9)
            print(f"  {elapsed:5.0f} 秒:采集进程 CPU {share:6.1%}(最近 {elapsed - last_t:.0f} 秒)", flush=True)
            last_cpu, last_t, next_print = cpu, elapsed, next_print + 30
        time.sleep(1)
    window.update(cpu1=cpu_seconds(crawler.pid), t1=(datetime.now(UTC) - started).total_seconds())
    return window


def report(args, sites, workdir: Path, window: dict, started: datetime, ended: datetime) -> None:
    seen, (runs, ok_runs, run_seconds, not_modified) = first_seen(workdir)
    span = window["t1"] - window["t0"]
    cpu_share = (window["cpu1"] - window["cpu0"]) / span
    measured = [r for r in sites.requests if r.at >= window["at0"]]
    feeds = [r for r in measured if r.path.endswith("rss.xml")]
    searches = [r for r in measured if r.path.startswith("/q/")]
    cutoff = ended - timedelta(seconds=args.interval + 15)  # later items may not have had their poll yet
    lags, missed = [], 0
    for item in sites.published(ended):
        if not window["at0"] <= item.published_at <= cutoff:
            continue
        at = seen.get(canonical_url(item.url))
        if at is None:
            missed += 1
        else:
            lags.append(max((at - item.published_at).total_seconds(), 0.0))
    print()
    print(f"测量窗口:{span:.0f} 秒(预热后)")
    print(
        f"抓取速率:{len(measured) / span:.1f} 次请求/秒(订阅源 {len(feeds) / span:.1f} 次/秒,其中 304 占 "
        f"{sum(r.status == 304 for r in feeds) / max(len(feeds), 1):.0%})"
        + (f";搜索结果页 {len(searches) / span:.1f} 次/秒" if searches else "")
    )
    print(f"采集进程 CPU:{cpu_share:.1%} 个核(目标 < 50%)")
    print(f"采集轮次:{runs} 轮,成功 {ok_runs or 0} 轮,平均每轮 {run_seconds or 0:.2f} 秒,304 共 {not_modified or 0} 次")
    if lags:
        p95 = percentile(lags, 0.95)
        print(
            f"发现时延({len(lags)} 条新信息):中位数 {statistics.median(lags):.1f} 秒,P95 {p95:.1f} 秒,"
            f"最大 {max(lags):.1f} 秒(目标 P95 < 75 秒)"
        )
    print(f"窗口内发布但截至结束仍未采到:{missed} 条")
    print(f"数据与日志:{workdir}")


if __name__ == "__main__":
    sys.exit(main())
