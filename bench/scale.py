"""Scale-out benchmark: `yuqing scheduler` + 1, 2, 4 `yuqing worker` processes on PostgreSQL and RabbitMQ, against
many RSS sources on loopback (yuqing.demo.many over several 127.0.0.x addresses, so per-site limits apply as on the
web). For each worker count, after a warm-up (first polls fetch every feed's backlog):

- polls per minute achieved against the target (sources × 60 / interval),
- schedule lag: how late each poll came (gap between a source's polls minus its interval), p50 / p95,
- detection latency: publication on the server → first_seen_at in the database, p50 / p95,
- CPU seconds per worker per minute, polls per CPU-minute (throughput per core),
- scaling efficiency T(N) / (N · T(1)) on polls per minute (meaningful when the target is above one worker's reach),
- failover: the leader SIGKILLed with a standby running; seconds until the standby leads and batches flow again.

    python bench/scale.py                                  # 400 sources, 15 s interval, 1/2/4 workers, 60 s each
    python bench/scale.py --workers 1 2 --sources 1000 --interval 60 --measure 120   # the town's load
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from crawlers.urls import canonical_url  # noqa: E402
from yuqing.demo import cluster as harness  # noqa: E402
from yuqing.demo.many import start_many_sites  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="多机部署基准:1、2、4 个采集节点的采集速率、调度延迟、发现时延、CPU、扩展效率、接替用时"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="采集节点数(默认 1 2 4)")
    parser.add_argument("--sources", type=int, default=400, help="信息源数量(默认 400)")
    parser.add_argument("--interval", type=int, default=15, help="每源采集间隔,秒(默认 15)")
    parser.add_argument("--hosts", type=int, default=20, help="回环地址个数(默认 20)")
    parser.add_argument("--mean-gap", type=float, default=240.0, help="每源平均多少秒一条新信息(默认 240)")
    parser.add_argument("--warmup", type=float, default=40.0, help="预热秒数(默认 40)")
    parser.add_argument("--measure", type=float, default=60.0, help="每种节点数的测量秒数(默认 60)")
    parser.add_argument("--batch", type=int, default=10, help="每批来源数(默认 10)")
    parser.add_argument("--no-failover", action="store_true", help="不测接替用时")
    parser.add_argument("--dir", default=str(ROOT / "bench" / "out" / "scale"))
    return parser.parse_args(argv)


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(args, workers: int, workdir: Path, failover: bool) -> dict:
    url = harness.create_database()
    sites = start_many_sites(args.sources, hosts=args.hosts, mean_gap=args.mean_gap, backlog=1)
    config = harness.write_config(
        workdir,
        url,
        sites.sources(interval=args.interval),
        cluster={"batch_size": args.batch, "lease_seconds": max(60, args.interval * 2), "heartbeat_seconds": 2},
        log_level="WARNING",
    )
    engine = create_engine(url)
    from yuqing.app import open_app
    from yuqing.config import load_settings

    open_app(load_settings(config)).close()  # migrate once
    cluster = harness.Cluster(config, workdir)
    result: dict = {"workers": workers}
    try:
        leader = cluster.start("scheduler")
        procs = [cluster.start("worker") for _ in range(workers)]
        time.sleep(args.warmup)
        cpu0 = {r.name: harness.cpu_seconds(r.proc.pid) for r in procs}
        start = datetime.now(UTC)
        time.sleep(args.measure)
        end = datetime.now(UTC)
        cpu = {r.name: harness.cpu_seconds(r.proc.pid) - cpu0[r.name] for r in procs}
        if failover:
            result["failover"] = _failover(cluster, leader, engine)
    finally:
        cluster.stop()
    with engine.connect() as conn:
        runs = conn.execute(
            text(
                "SELECT s.name, r.started_at FROM crawl_runs r JOIN sources s ON s.id = r.source_id ORDER BY r.started_at"
            )
        ).all()
        seen = dict(conn.execute(text("SELECT canonical_url, first_seen_at FROM mentions")).all())
    engine.dispose()
    sites.stop()
    harness.drop_database(url)
    by_source: dict[str, list[datetime]] = defaultdict(list)
    for name, at in runs:
        by_source[name].append(at)
    in_window = [at for _, at in runs if start <= at < end]
    minutes = (end - start).total_seconds() / 60
    lags = []
    for times in by_source.values():
        for a, b in zip(times, times[1:]):
            if start <= b < end:
                lags.append(max(0.0, (b - a).total_seconds() - args.interval))
    detection = []
    for item in sites.published(end - timedelta(seconds=args.interval)):
        if start <= item.published_at:
            at = seen.get(canonical_url(item.url))
            detection.append((at - item.published_at).total_seconds() if at else float("inf"))
    result.update(
        polls_per_min=len(in_window) / minutes,
        target=args.sources * 60 / args.interval,
        lag_p50=pct(lags, 0.5),
        lag_p95=pct(lags, 0.95),
        detect_p50=pct(detection, 0.5),
        detect_p95=pct(detection, 0.95),
        detected=sum(d != float("inf") for d in detection),
        published=len(detection),
        cpu_per_worker_min=statistics.mean(cpu.values()) / minutes,
        cpu_total_min=sum(cpu.values()) / minutes,
    )
    return result


def _failover(cluster: harness.Cluster, leader, engine) -> dict:
    """Start a standby, SIGKILL the leader; time until the standby leads, and until it queues a batch."""
    import socket

    standby = cluster.start("scheduler")
    node = f"scheduler@{socket.gethostname()}:{standby.proc.pid}"
    with engine.connect() as conn:  # the standby is up (its first heartbeat) before the leader dies
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and not conn.execute(text("SELECT 1 FROM cluster_nodes WHERE node = :n"), {"n": node}).first()
        ):
            time.sleep(0.2)
    cluster.kill(leader)
    killed, killed_at = time.monotonic(), datetime.now(UTC)
    leads = queued = None
    with engine.connect() as conn:
        while time.monotonic() - killed < 60 and (leads is None or queued is None):
            conn.commit()
            if (
                leads is None
                and conn.execute(text("SELECT 1 FROM cluster_nodes WHERE node = :n AND leader"), {"n": node}).first()
            ):
                leads = time.monotonic() - killed
            if (
                queued is None
                and conn.execute(text("SELECT 1 FROM source_schedule WHERE queued_at > :t"), {"t": killed_at}).first()
            ):
                queued = time.monotonic() - killed
            time.sleep(0.1)
    return {"leads": leads, "queued": queued}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    print(
        f"{args.sources} 个来源({args.hosts} 个回环地址),间隔 {args.interval} 秒(目标 {args.sources * 60 / args.interval:.0f} 次/分);"
        f"每种节点数预热 {args.warmup:g} 秒、测量 {args.measure:g} 秒",
        flush=True,
    )
    results = []
    for index, n in enumerate(args.workers):
        workdir = base / f"w{n}"
        workdir.mkdir(parents=True)
        failover = not args.no_failover and index == len(args.workers) - 1
        results.append(measure(args, n, workdir, failover))
        r = results[-1]
        print(
            f"{n} 个采集节点:{r['polls_per_min']:.0f} 次/分(目标 {r['target']:.0f});调度延迟 p50 {r['lag_p50']:.1f} 秒 "
            f"p95 {r['lag_p95']:.1f} 秒;发现时延 p50 {r['detect_p50']:.1f} 秒 p95 {r['detect_p95']:.1f} 秒"
            f"({r['detected']}/{r['published']} 条);每节点 CPU {r['cpu_per_worker_min']:.1f} 秒/分;"
            f"每核每分钟 {r['polls_per_min'] / max(r['cpu_total_min'] / 60, 1e-9):.0f} 次采集",
            flush=True,
        )
    one = results[0]["polls_per_min"]
    for r in results[1:]:
        print(
            f"扩展效率 {r['workers']} 个节点:T({r['workers']})/({r['workers']}·T(1)) = {r['polls_per_min'] / (r['workers'] * one):.2f}"
        )
    for r in results:
        if "failover" in r:
            f = r["failover"]
            print(f"接替:待命调度节点 {f['leads']:.1f} 秒后成为主节点,{f['queued']:.1f} 秒后送出第一个采集批次")
    best = max(results, key=lambda r: r["polls_per_min"])
    per_cpu_min = best["polls_per_min"] / max(best["cpu_total_min"] / 60, 1e-9)  # polls per minute per busy core
    for sources in (10_000, 100_000):
        need = sources / max(per_cpu_min, 1e-9)
        print(f"按每核每分钟 {per_cpu_min:.0f} 次采集推算:{sources} 个来源每分钟一次约需 {need:.1f} 个核(仅采集节点)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
