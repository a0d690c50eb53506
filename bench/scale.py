"""Scale-out benchmark: `yuqing scheduler` + 1, 2, 4 `yuqing worker` processes on PostgreSQL and RabbitMQ, against
many RSS sources on loopback (yuqing.demo.many over several 127.0.0.x addresses, so per-site limits apply as on the
web). For each worker count, after a warm-up (first polls fetch every feed's backlog):

- polls per minute achieved against the target (sources × 60 / interval),
- schedule lag: how late each poll came (gap between a source's polls minus its interval), p50 / p95,
- detection latency: publication on the server → first_seen_at in the database, p50 / p95,
- CPU seconds per worker per minute, polls per CPU-minute (throughput per core),
- scaling efficiency T(N) / (N · T(1)) on polls per minute (meaningful when the target is above one worker's reach),
- failover: the leader SIGKILLed with a standby running; seconds until the standby leads and batches flow again.

Two regimes. With --latency 0 (the default) the loopback sites answer at once: the workers are CPU-bound, and on a
small machine they compete for the cores with PostgreSQL, the scheduler and the simulated sites, so the efficiency
measures the machine more than the workers; polls per worker CPU-second is then the capacity figure. With
--latency MS every answer waits MS milliseconds (in its own server thread, as a distant government site's would):
a worker is bound by its crawl slots (worker_batches × batch_size) and the network, and the efficiency measures
what the cluster adds (queue, leases, database) when workers are added. `--latency 0 200` runs both.

    python bench/scale.py                                  # 400 sources, 15 s interval, 1/2/4 workers, 60 s each
    python bench/scale.py --workers 1 2 --sources 1000 --interval 60 --measure 120   # the town's load
    python bench/scale.py --workers 1 2 --sources 600 --interval 5 --latency 0 200 --worker-batches 1
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--worker-batches", type=int, default=4, help="每个采集节点同时采集的批次数(默认 4)")
    parser.add_argument(
        "--latency",
        type=float,
        nargs="+",
        default=[0.0],
        metavar="MS",
        help="模拟网站每次应答前等待的毫秒数,可给多个值依次测量(默认 0,即本机立即应答;政府网站常见 100~500)",
    )
    parser.add_argument("--no-failover", action="store_true", help="不测接替用时")
    parser.add_argument("--dir", default=str(ROOT / "bench" / "out" / "scale"))
    return parser.parse_args(argv)


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def machine_cpu() -> tuple[int, int]:
    """(all, idle) jiffies of the whole machine since boot, from /proc/stat (every process, this bench's too)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle + iowait


def measure(args, workers: int, latency_ms: float, workdir: Path, failover: bool) -> dict:
    url = harness.create_database()
    sites = start_many_sites(
        args.sources, hosts=args.hosts, mean_gap=args.mean_gap, backlog=1, latency=latency_ms / 1000
    )
    config = harness.write_config(
        workdir,
        url,
        sites.sources(interval=args.interval),
        cluster={
            "batch_size": args.batch,
            "worker_batches": args.worker_batches,
            "lease_seconds": max(60, args.interval * 2),
            "heartbeat_seconds": 2,
        },
        log_level="WARNING",
    )
    engine = create_engine(url)
    from yuqing.app import open_app
    from yuqing.config import load_settings

    open_app(load_settings(config)).close()  # migrate once
    cluster = harness.Cluster(config, workdir)
    result: dict = {"workers": workers, "latency_ms": latency_ms}
    try:
        leader = cluster.start("scheduler")
        procs = [cluster.start("worker") for _ in range(workers)]
        time.sleep(args.warmup)
        cpu0 = {r.name: harness.cpu_seconds(r.proc.pid) for r in procs}
        leader0, machine0 = harness.cpu_seconds(leader.proc.pid), machine_cpu()
        start = datetime.now(UTC)
        time.sleep(args.measure)
        end = datetime.now(UTC)
        cpu = {r.name: harness.cpu_seconds(r.proc.pid) - cpu0[r.name] for r in procs}
        machine1 = machine_cpu()
        result["leader_cpu_min"] = (harness.cpu_seconds(leader.proc.pid) - leader0) / (args.measure / 60)
        result["machine_busy"] = 1 - (machine1[1] - machine0[1]) / max(machine1[0] - machine0[0], 1)
        if failover:
            result["failover"] = _failover(cluster, leader, engine)
    finally:
        cluster.stop()
    with engine.connect() as conn:
        runs = conn.execute(
            text(
                "SELECT s.name, r.started_at, r.finished_at FROM crawl_runs r JOIN sources s ON s.id = r.source_id"
                " ORDER BY r.started_at"
            )
        ).all()
        seen = dict(conn.execute(text("SELECT canonical_url, first_seen_at FROM mentions")).all())
    engine.dispose()
    sites.stop()
    harness.drop_database(url)
    by_source: dict[str, list[datetime]] = defaultdict(list)
    for name, at, _ in runs:
        by_source[name].append(at)
    in_window = [(at, done) for _, at, done in runs if start <= at < end]
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
    cpu_total = sum(cpu.values())
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
        polls_per_cpu_s=len(in_window) / max(cpu_total, 1e-9),
        poll_seconds=statistics.mean((done - at).total_seconds() for at, done in in_window if done)
        if in_window
        else float("nan"),
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


def report(args, latency_ms: float, results: list[dict]) -> None:
    """Print one regime: each worker count, the efficiency, the failover, and what it implies for 10,000 and
    100,000 sources."""
    regime = f"网站应答延迟 {latency_ms:g} 毫秒(网络受限)" if latency_ms else "本机立即应答(CPU 受限)"
    print(f"== {regime} ==", flush=True)
    one = results[0]["polls_per_min"] / results[0]["workers"]
    for r in results:
        n = r["workers"]
        print(
            f"{n} 个采集节点:{r['polls_per_min']:.0f} 次/分(目标 {r['target']:.0f},达成 "
            f"{r['polls_per_min'] / r['target']:.0%});调度延迟 p50 {r['lag_p50']:.1f} 秒 p95 {r['lag_p95']:.1f} 秒;"
            f"发现时延 p50 {r['detect_p50']:.1f} 秒 p95 {r['detect_p95']:.1f} 秒({r['detected']}/{r['published']} 条);"
            f"每节点 CPU {r['cpu_per_worker_min']:.1f} 秒/分;每 CPU 秒 {r['polls_per_cpu_s']:.1f} 次采集;"
            f"每次采集平均 {r['poll_seconds']:.2f} 秒;调度主节点 CPU {r['leader_cpu_min']:.1f} 秒/分;"
            f"本机 {os.cpu_count()} 个核忙 {r['machine_busy']:.0%};扩展效率 T({n})/({n}·T(1)) = {r['polls_per_min'] / (n * one):.2f}",
            flush=True,
        )
    if results[0]["polls_per_min"] >= 0.95 * results[0]["target"]:
        print("注意:1 个节点已达到目标,扩展效率只说明目标已满足,不反映扩展能力;请加大 --sources 或缩短 --interval")
    for r in results:
        if "failover" in r:
            f = r["failover"]
            print(f"接替:待命调度节点 {f['leads']:.1f} 秒后成为主节点,{f['queued']:.1f} 秒后送出第一个采集批次")
    best = max(results, key=lambda r: r["polls_per_cpu_s"])
    slots = args.worker_batches * args.batch
    for sources in (10_000, 100_000):
        rate = sources / 60  # each source once a minute
        cores = rate / max(best["polls_per_cpu_s"], 1e-9)
        in_flight = rate * best["poll_seconds"]  # Little's law: polls under way at once
        print(
            f"推算 {sources} 个来源每分钟一次({rate:.0f} 次/秒):按每 CPU 秒 {best['polls_per_cpu_s']:.1f} 次,"
            f"采集节点约需 {cores:.1f} 个核;每次采集 {best['poll_seconds']:.2f} 秒,同时进行约 {in_flight:.0f} 次,"
            f"按每节点 {slots} 个并发({args.worker_batches} 批 × {args.batch} 源)约需 {in_flight / slots:.0f} 个"
            f"采集节点;取两者较大者,另加数据库",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    print(
        f"{args.sources} 个来源({args.hosts} 个回环地址),间隔 {args.interval} 秒(目标 {args.sources * 60 / args.interval:.0f} 次/分);"
        f"每批 {args.batch} 个来源,每节点同时 {args.worker_batches} 批;每种节点数预热 {args.warmup:g} 秒、测量 {args.measure:g} 秒",
        flush=True,
    )
    regimes = []
    for latency_ms in args.latency:
        results = []
        for index, n in enumerate(args.workers):
            workdir = base / f"l{latency_ms:g}-w{n}"
            workdir.mkdir(parents=True)
            failover = not args.no_failover and index == len(args.workers) - 1 and latency_ms == args.latency[-1]
            results.append(measure(args, n, latency_ms, workdir, failover))
            r = results[-1]
            print(
                f"  ({latency_ms:g} 毫秒,{n} 个节点:{r['polls_per_min']:.0f} 次/分,每 CPU 秒 {r['polls_per_cpu_s']:.1f} 次)",
                flush=True,
            )
        regimes.append((latency_ms, results))
    for latency_ms, results in regimes:
        report(args, latency_ms, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
