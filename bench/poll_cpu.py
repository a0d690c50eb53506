"""CPU per poll of the worker's crawl path, in one process: a CrawlService on its reactor thread crawls loopback feeds
(yuqing.demo.many, in the parent process) in batches of 10, four at once, as `yuqing worker` does, on PostgreSQL.
After a first round (the feeds' backlog) every round is mostly 304 Not Modified answers; CPU seconds of the crawling
process per poll. Variants compare the settings copy per crawl (crawlers/settings_copy.py) with Scrapy's deepcopy,
and Scrapy's remote-control extension turned on again (as before it was turned off); runs interleave.

    python bench/poll_cpu.py                       # quick, deepcopy, deepcopy+remote, three times each
    python bench/poll_cpu.py --sources 400 --rounds 6 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VARIANTS = ("quick", "deepcopy", "deepcopy+remote")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def inner(config: str, variant: str, rounds: int) -> None:
    from crawlers import reactor as crawl_reactor

    crawl_reactor.install()
    import crawlers.settings as project
    import crawlers.settings_copy as settings_copy

    if "deepcopy" in variant:
        from scrapy.settings import Settings

        settings_copy.QuickCopySettings.copy = Settings.copy  # type: ignore[method-assign]
    if "remote" in variant:
        project.REMOTE_CONTROL_ENABLED = True
        project.EXTENSIONS = {k: v for k, v in project.EXTENSIONS.items() if "remote_control" not in k}
    from reactor_choice import crawl_batch  # this folder: the script's own
    from twisted.internet import reactor

    from crawlers.service import CrawlService
    from yuqing.app import open_app
    from yuqing.config import load_settings

    app = open_app(load_settings(config))
    service = CrawlService(app)
    started = threading.Event()
    reactor.callWhenRunning(started.set)
    thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False}, daemon=True)
    thread.start()
    started.wait(30)
    names = [s.name for s in app.settings.sources]
    batches = [names[i : i + 10] for i in range(0, len(names), 10)]

    def one_round() -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda batch: crawl_batch(service, batch), batches))

    one_round()  # the backlog
    before = _cpu()
    for _ in range(rounds):
        one_round()
    print(json.dumps({"variant": variant, "ms": (_cpu() - before) / (rounds * len(names)) * 1000}), flush=True)
    reactor.callFromThread(reactor.stop)
    thread.join(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="采集节点每次采集的 CPU 用量(毫秒),比较几种做法")
    parser.add_argument("--sources", type=int, default=200, help="信息源数量(默认 200)")
    parser.add_argument("--rounds", type=int, default=4, help="测量轮数(默认 4)")
    parser.add_argument("--repeat", type=int, default=3, help="每种做法重复几次(默认 3,取中位数)")
    parser.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args.inner[0], args.inner[1], args.rounds)
        return 0
    from yuqing.demo import cluster as harness
    from yuqing.demo.many import start_many_sites

    sites = start_many_sites(args.sources, hosts=20, mean_gap=1e9, backlog=1)
    figures: dict[str, list[float]] = {v: [] for v in VARIANTS}
    try:
        for _ in range(args.repeat):
            for variant in VARIANTS:
                url = harness.create_database()
                work = ROOT / "bench" / "out" / "poll_cpu" / variant.replace("+", "-")
                work.mkdir(parents=True, exist_ok=True)
                config = harness.write_config(work, url, sites.sources(interval=60), log_level="WARNING")
                out = subprocess.run(
                    [sys.executable, __file__, "--rounds", str(args.rounds), "--inner", str(config), variant],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    check=False,
                )
                harness.drop_database(url)
                if out.returncode:
                    print(out.stderr[-3000:], file=sys.stderr)
                    return 1
                figures[variant].append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
                print(f"  {variant}: {figures[variant][-1]:.1f} 毫秒/次", flush=True)
    finally:
        sites.stop()
    names = {
        "quick": "设置快速复制(现行)",
        "deepcopy": "Scrapy 深复制设置",
        "deepcopy+remote": "深复制 + 远程控制扩展(改前)",
    }
    for variant in VARIANTS:
        values = ", ".join(f"{v:.1f}" for v in figures[variant])
        print(f"{names[variant]}:每次采集 CPU 中位数 {statistics.median(figures[variant]):.1f} 毫秒({values})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
