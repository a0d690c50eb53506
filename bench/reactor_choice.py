"""How a worker should run Scrapy: one long-lived Twisted reactor thread per worker process (what `yuqing worker`
does), or a child process per batch (`yuqing crawl --once --source …`). Same loopback feeds, same batches of
sources, two rounds (the first fetches each feed's backlog, the second mostly gets 304 Not Modified); wall time
and CPU seconds per batch.

    python bench/reactor_choice.py                # 8 batches of 5 sources, two rounds
    python bench/reactor_choice.py --batches 4 --size 10
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _config(workdir: Path, sources: list[dict]) -> Path:
    from yuqing.demo.sites import sources_toml

    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{workdir / "yuqing.db"}"\n[logging]\nfile = ""\nlevel = "WARNING"\n'
        '[crawl]\nautothrottle = false\n[[schemes]]\nname = "东园镇"\nregion = "东园|沙坡头|中卫"\n\n'
        + sources_toml(sources),
        encoding="utf-8",
    )
    return path


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl_batch(service, batch: list[str]) -> None:
    """Crawl a batch on the service's reactor; stop the benchmark when a source failed (it would time failures)."""
    summaries = service._call_in_reactor(service.crawl_many, batch) or {}
    failed = [name for name in batch if name not in summaries or summaries[name].fatal or summaries[name].errors]
    if failed:
        raise SystemExit(f"采集失败,基准结果无效:{failed}")


def inner(config: str, batches: list[list[str]], rounds: int) -> None:
    """The long-lived reactor: one process, the reactor on a thread, each batch handed to it (as a worker does)."""
    import threading

    from crawlers import reactor as crawl_reactor

    crawl_reactor.install()
    from twisted.internet import reactor

    from crawlers.service import CrawlService
    from yuqing.app import open_app
    from yuqing.config import load_settings

    started = time.perf_counter()
    cpu0 = _cpu_self()
    app = open_app(load_settings(config))
    service = CrawlService(app)
    ready = threading.Event()
    reactor.callWhenRunning(ready.set)
    thread = threading.Thread(target=lambda: reactor.run(installSignalHandlers=False), daemon=True)
    thread.start()
    ready.wait(30)
    out = {"startup_wall": time.perf_counter() - started, "startup_cpu": _cpu_self() - cpu0, "rounds": []}
    for _ in range(rounds):
        figures = []
        for batch in batches:
            t0, c0 = time.perf_counter(), _cpu_self()
            crawl_batch(service, batch)
            figures.append((time.perf_counter() - t0, _cpu_self() - c0))
        out["rounds"].append(figures)
    reactor.callFromThread(reactor.stop)
    thread.join(10)
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="比较两种运行 Scrapy 的方式:常驻反应器线程 与 每批一个子进程")
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--size", type=int, default=5, help="每批来源数")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args.inner[0], json.loads(args.inner[1]), args.rounds)
        return 0
    from yuqing.demo.many import start_many_sites

    n = args.batches * args.size
    sites = start_many_sites(n, hosts=4, mean_gap=1e9, backlog=2)
    sources = sites.sources()
    names = [s["name"] for s in sources]
    batches = [names[i : i + args.size] for i in range(0, n, args.size)]
    work = ROOT / "bench" / "out" / "reactor_choice"
    shutil.rmtree(work, ignore_errors=True)
    python = [sys.executable, "-c", "import sys; from yuqing.cli import main; sys.exit(main())"]
    try:
        # long-lived reactor (one process for all batches)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--rounds",
                str(args.rounds),
                "--inner",
                str(_config(work / "thread", sources)),
                json.dumps(batches),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        thread = json.loads(proc.stdout.strip().splitlines()[-1])
        # one child process per batch
        config = _config(work / "process", sources)
        subprocess.run(
            [*python, "--config", str(config), "check"], check=False, capture_output=True, cwd=ROOT
        )  # migrate once
        child_rounds = []
        for _ in range(args.rounds):
            figures = []
            for batch in batches:
                t0, c0 = time.perf_counter(), _cpu_children()
                child = subprocess.run(
                    [*python, "--config", str(config), "crawl", "--once", *sum((["--source", s] for s in batch), [])],
                    check=False,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                if child.returncode:
                    raise SystemExit(f"yuqing crawl --once 失败(返回码 {child.returncode}):{child.stderr[-2000:]}")
                figures.append((time.perf_counter() - t0, _cpu_children() - c0))
            child_rounds.append(figures)
    finally:
        sites.stop()
    print(f"{args.batches} 批 × {args.size} 个来源,{args.rounds} 轮(第 1 轮取积压信息,之后多为 304)")
    print(f"常驻反应器:进程启动一次 {thread['startup_wall']:.2f} 秒(CPU {thread['startup_cpu']:.2f} 秒)")
    for label, rounds in (("常驻反应器线程", thread["rounds"]), ("每批一个子进程", child_rounds)):
        for k, figures in enumerate(rounds, start=1):
            wall = statistics.mean(w for w, _ in figures)
            cpu = statistics.mean(c for _, c in figures)
            print(f"  {label} 第 {k} 轮:每批平均耗时 {wall:.3f} 秒,CPU {cpu:.3f} 秒")
    steady_thread = statistics.mean(c for _, c in thread["rounds"][-1])
    steady_child = statistics.mean(c for _, c in child_rounds[-1])
    print(f"稳定状态每批 CPU:子进程方式是常驻反应器的 {steady_child / max(steady_thread, 1e-6):.1f} 倍")
    return 0


if __name__ == "__main__":
    sys.exit(main())
