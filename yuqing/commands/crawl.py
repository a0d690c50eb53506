"""`yuqing crawl [--source NAME] [--once]`: crawl now with progress on stderr and a per-source summary table."""

from __future__ import annotations

import argparse
import sys
import threading
import time
import unicodedata
from datetime import datetime

from crawlers.runs import RunSummary
from yuqing.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError

QUIET_LINE_SECONDS = 60
HEADERS = ["来源", "结果", "页面", "条目", "新增", "更新", "304", "错误", "用时", "说明"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[list[str]]) -> str:
    """Rows under HEADERS, columns aligned for Chinese (double-width) characters; the last column is free."""
    widths = [max(_width(row[i]) for row in [HEADERS] + rows) for i in range(len(HEADERS) - 1)]
    lines = []
    for row in [HEADERS] + rows:
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
    return "\n".join(lines)


def summary_row(summary: RunSummary, runs: int = 1) -> list[str]:
    """One table row for a source (totals when it ran several times)."""
    result = "成功" if summary.ok else "失败"
    if runs > 1:
        result += f"(共{runs}轮)"
    return [
        summary.source,
        result,
        str(summary.pages),
        str(summary.fetched),
        str(summary.new),
        str(summary.updated),
        str(summary.not_modified),
        str(summary.errors),
        f"{summary.seconds:.1f}秒",
        summary.message,
    ]


class Progress:
    """Progress on stderr: a tqdm bar for --once, a live status line (or a line per run off a terminal) otherwise."""

    def __init__(self, total: int | None):
        from tqdm import tqdm

        self.lock = threading.Lock()
        self.totals: dict[str, RunSummary] = {}
        self.runs: dict[str, int] = {}
        self.live = sys.stderr.isatty()
        self.last_line = 0.0
        self.bar = tqdm(total=total, desc="采集", unit="个来源", file=sys.stderr, leave=False) if total else None

    def update(self, summary: RunSummary) -> None:
        """Called after each source run (on the reactor thread)."""
        with self.lock:
            self._accumulate(summary)
            if self.bar is not None:
                self.bar.set_postfix_str(f"{summary.source} 新增{summary.new}", refresh=False)
                self.bar.update(1)
                return
            new = sum(s.new for s in self.totals.values())
            updated = sum(s.updated for s in self.totals.values())
            errors = sum(s.errors for s in self.totals.values())
            line = (
                f"[{datetime.now():%H:%M:%S}] 已采集 {sum(self.runs.values())} 轮:新增 {new},更新 {updated},"
                f"错误 {errors} | 最近 {summary.source}:{'成功' if summary.ok else '失败'},新增 {summary.new}"
            )
            if self.live:
                sys.stderr.write("\r\033[K" + line)
            elif time.monotonic() - self.last_line >= QUIET_LINE_SECONDS:
                sys.stderr.write(line + "\n")  # off a terminal (a service log): one line a minute, not one a run
                self.last_line = time.monotonic()
            sys.stderr.flush()

    def _accumulate(self, summary: RunSummary) -> None:
        self.runs[summary.source] = self.runs.get(summary.source, 0) + 1
        total = self.totals.get(summary.source)
        if total is None:
            self.totals[summary.source] = RunSummary(summary.source, started_at=summary.started_at)
            total = self.totals[summary.source]
        for name in ("pages", "fetched", "new", "updated", "unchanged", "errors", "not_modified"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
        total.fatal, total.notes, total.finished_at = summary.fatal, summary.notes, summary.finished_at

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.live and self.runs:
            sys.stderr.write("\n")


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the configured (or named) sources once (--once) or on their schedules until Ctrl-C."""
    from crawlers import reactor as crawl_reactor

    crawl_reactor.install()
    from crawlers.service import CrawlService, UnknownSourceError
    from yuqing.commands import open_database
    from yuqing.config import load_settings
    from yuqing.logging_setup import setup_logging

    settings = load_settings(args.config)
    setup_logging(
        settings.logging, timezone=settings.general.timezone, console_level="DEBUG" if args.verbose else "WARNING"
    )
    app = open_database(settings)
    try:
        scheduler = None if args.once else _scheduler(settings)
        service = CrawlService(app, scheduler)
        try:
            names = service.resolve(args.source)
        except UnknownSourceError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from None
        if not names:
            raise CommandError("没有可采集的来源:请在配置文件中添加 [[sources]](或把 enabled 设为 true)", EXIT_USAGE)
        progress = Progress(len(names) if args.once else None)
        service.on_finished = progress.update
        try:
            if args.once:
                return _once(service, names, progress)
            return _forever(service, app, names, progress)
        finally:
            progress.close()
    finally:
        app.close()


def _scheduler(settings):
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(timezone=settings.general.timezone)


def _once(service, names: list[str], progress: Progress) -> int:
    try:
        results = service.crawl_now(names)
    except KeyboardInterrupt:
        progress.close()
        _print_totals(progress, "已中断。已完成的来源:")
        raise
    progress.close()
    print(format_table([summary_row(results[name]) for name in names if name in results]))
    failed = [name for name in names if name in results and not results[name].ok]
    if failed:
        print(f"\n{len(failed)} 个来源采集失败:{'、'.join(failed)}(原因见“说明”列和日志)", file=sys.stderr)
    return EXIT_FAILURE if failed else EXIT_OK


def _forever(service, app, names: list[str], progress: Progress) -> int:
    from twisted.internet import reactor

    from crawlers.reactor import stop_on_signals
    from yuqing.source_health import check_sources

    service.schedule_all(names)
    service.scheduler.add_job(
        check_sources,
        "interval",
        args=[app],
        id="crawl-health",
        seconds=app.settings.scheduler.health_check_seconds,
        max_instances=1,
        coalesce=True,
    )
    service.scheduler.start()
    print(f"按各来源的间隔持续采集 {len(names)} 个来源,按 Ctrl-C 停止。", file=sys.stderr)
    stop_on_signals(reactor)
    try:
        reactor.run(installSignalHandlers=False)  # Ctrl-C stops the reactor after the running crawls wind down
    finally:
        service.scheduler.shutdown(wait=False)
    progress.close()
    _print_totals(progress, "已停止。本次运行合计:")
    return EXIT_OK


def _print_totals(progress: Progress, heading: str) -> None:
    if not progress.totals:
        return
    print(heading)
    print(format_table([summary_row(s, progress.runs[name]) for name, s in sorted(progress.totals.items())]))
