"""Soak benchmark: `yuqing run` for an hour on the demo's sources plus 1,000 loopback feeds; does it stay flat?

The simulated sites (the demo's news, forum, board and API, and yuqing.demo.many's feeds over several 127.0.0.x
addresses) run in this process; `yuqing run` (crawler, scheduler, alert delivery, dashboard) is a child process,
as in production. Every 30 s its resident memory, open files and threads, and the database size are sampled.
Figures: at start, after the warm-up (the backlog is fetched then; 10 minutes by default) and at the end; the
growth after the warm-up (target: memory < 10 %); and how long SIGTERM takes at the end. With --hostile, one more
html source lists 100,000 links on its list page (issue 13): memory must stay flat with it too.

    python bench/soak.py                          # 60 minutes
    python bench/soak.py --minutes 15             # shorter (warm-up: a third of the run, at most 10 minutes)
    python bench/soak.py --minutes 15 --hostile
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from yuqing.demo.many import start_many_sites  # noqa: E402
from yuqing.demo.sites import demo_sources, sources_toml, start_sites  # noqa: E402

HOSTILE_LINKS = 100_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="长时间运行基准:演示来源 + 大量本机模拟来源,观察内存、打开文件数和数据库大小"
    )
    parser.add_argument("--minutes", type=float, default=60.0, help="总时长,分钟(默认 60)")
    parser.add_argument("--warmup", type=float, default=None, help="预热分钟数(默认总时长的三分之一,最多 10)")
    parser.add_argument("--sources", type=int, default=1000, help="模拟 RSS 来源数量(默认 1000)")
    parser.add_argument("--interval", type=int, default=60, help="模拟来源的采集间隔,秒(默认 60)")
    parser.add_argument("--hosts", type=int, default=50, help="模拟来源分布到多少个回环地址(默认 50)")
    parser.add_argument("--hostile", action="store_true", help="另加一个列表页有 10 万个链接的来源")
    parser.add_argument("--dir", default=str(ROOT / "bench" / "out" / "soak"), help="工作目录(每次清空)")
    return parser.parse_args(argv)


class HostileSite(ThreadingHTTPServer):
    """A forum whose list page links to 100,000 threads (each thread page answers quickly)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        rows = "".join(f'<li><a class="t" href="/t/{n}.html">帖子{n}</a></li>' for n in range(HOSTILE_LINKS))
        self.list_page = f"<html><body><ul>{rows}</ul></body></html>".encode()
        self.details = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def source(self) -> dict:
        return {
            "name": "hostile-forum",
            "kind": "html",
            "url": f"http://127.0.0.1:{self.server_address[1]}/list.html",
            "interval": 300,
            "max_pages": 1,
            "source_type": "forum",
            "html": {"item_links": "a.t::attr(href)", "title": "h1::text", "body": "div.c"},
        }


class _HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/list.html":
            body = self.server.list_page
        elif self.path == "/robots.txt":
            body = b""
        else:
            self.server.details += 1
            body = (
                f"<html><body><h1>帖子 {self.path}</h1><div class='c'>东园镇郭滩村村民反映道路积水,"
                f"希望尽快处理。{self.path}</div></body></html>"
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the crawler stopped reading (a capped or stopped crawl)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(workdir: Path, sources: list[dict]) -> Path:
    config = workdir / "config.toml"
    config.write_text(
        f'[general]\ndata_dir = "{workdir / "data"}"\n[database]\nurl = "sqlite:///{workdir / "yuqing.db"}"\n'
        f'[logging]\nfile = "{workdir / "yuqing.log"}"\nlevel = "WARNING"\n[dashboard]\nport = {free_port()}\n'
        f'[mail]\noutbox_dir = "{workdir / "outbox"}"\nadmin_emails = ["admin@example.gov.cn"]\n'
        '[[offices]]\ncode = "dzb"\nname = "镇党政办"\nemail = "dzb@example.gov.cn"\nlead = true\n'
        '[[schemes]]\nname = "东园镇"\nregion = "东园|沙坡头|中卫|郭滩|金沙|柔新|新星|八里|新园|瑞丰|黄湾|丰台"\n\n'
        + sources_toml(sources),
        encoding="utf-8",
    )
    return config


def sample(pid: int, workdir: Path) -> dict:
    """Resident memory (MB), open files, threads of the process; database size (MB, with its WAL)."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    database = sum(p.stat().st_size for p in workdir.glob("yuqing.db*"))
    return {
        "rss": int(status["VmRSS"].split()[0]) / 1024,
        "files": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(status["Threads"]),
        "db": database / 1024 / 1024,
    }


def line(label: str, figures: dict) -> str:
    return (
        f"{label}:内存 {figures['rss']:7.1f} MB,打开文件 {figures['files']:4d},线程 {figures['threads']:3d},"
        f"数据库 {figures['db']:7.1f} MB"
    )


def growth(before: float, after: float) -> str:
    return f"{(after - before) / before:+.1%}" if before else "—"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warmup = args.warmup if args.warmup is not None else min(10.0, args.minutes / 3)
    workdir = Path(args.dir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    demo = start_sites()
    many = start_many_sites(args.sources, hosts=args.hosts, mean_gap=300.0, backlog=1)
    hostile = HostileSite() if args.hostile else None
    sources = (
        demo_sources(demo.base_url) + many.sources(interval=args.interval) + ([hostile.source()] if hostile else [])
    )
    config = write_config(workdir, sources)
    print(
        f"来源 {len(sources)} 个(演示 5 个,模拟 RSS {args.sources} 个{',另有 10 万链接的恶意列表页' if hostile else ''});"
        f"共 {args.minutes:g} 分钟,预热 {warmup:g} 分钟",
        flush=True,
    )
    command = [
        sys.executable,
        "-c",
        "import sys; from yuqing.cli import main; sys.exit(main())",
        "--config",
        str(config),
        "run",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=(workdir / "run.out").open("w"), stderr=(workdir / "run.err").open("w")
    )
    started = time.monotonic()
    samples: list[tuple[float, dict]] = []
    try:
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            if process.poll() is not None:
                raise SystemExit(f"yuqing run 提前退出(返回码 {process.returncode}),见 {workdir}/run.err")
            if elapsed >= 30 * (len(samples) + 1):  # the first at 30 s, when the process has started
                samples.append((elapsed, sample(process.pid, workdir)))
                print(f"  {elapsed / 60:5.1f} 分钟 " + line("", samples[-1][1]), flush=True)
            time.sleep(1)
        samples.append((time.monotonic() - started, sample(process.pid, workdir)))
    finally:
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
        stop_seconds = time.monotonic() - stopping
    report(samples, warmup * 60, stop_seconds, process.returncode, hostile, workdir)
    for site in (demo, many):
        site.stop()
    return 0


def report(samples, warmup_seconds: float, stop_seconds: float, returncode: int, hostile, workdir: Path) -> None:
    first = samples[0][1]
    after = next((s for t, s in samples if t >= warmup_seconds), samples[-1][1])
    last = samples[-1][1]
    peak = max(s["rss"] for _, s in samples)
    print()
    print(line("开始    ", first))
    print(line("预热后  ", after))
    print(line("结束    ", last))
    print(
        f"预热后至结束:内存 {growth(after['rss'], last['rss'])}(目标 < +10%),打开文件 "
        f"{growth(after['files'], last['files'])},数据库 {growth(after['db'], last['db'])};内存峰值 {peak:.1f} MB"
    )
    if hostile:
        print(f"恶意列表页:共请求详情页 {hostile.details} 个(列表页有 {HOSTILE_LINKS} 个链接)")
    print(f"SIGTERM 后 {stop_seconds:.1f} 秒退出,返回码 {returncode}")
    print(f"数据与日志:{workdir}")


if __name__ == "__main__":
    sys.exit(main())
