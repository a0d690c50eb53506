"""Polling every source on schedule: APScheduler jobs hop onto the one Twisted reactor, where the crawls run."""

from __future__ import annotations

import logging
import queue
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from crawlers import reactor as crawl_reactor
from crawlers import store
from crawlers.runs import RunSummary
from yuqing.app import App
from yuqing.settings_model import SourceSettings

log = logging.getLogger("yuqing.crawl")
MAX_PARALLEL_RUNS = 64  # worker threads waiting on crawls; a run stuck on timeouts holds one for about a minute
SHUTDOWN_GRACE = 3.0  # seconds granted to crawls in progress when the process stops
FIRST_RUN_SPREAD = 60.0  # seconds over which the first runs are spread, so 1,000 sources do not start at once


class UnknownSourceError(KeyError):
    """Source names that are not in config (Chinese message)."""

    def __str__(self) -> str:
        return str(self.args[0])


def in_active_hours(span: str, local: datetime) -> bool:
    """Whether local time falls in "HH:MM-HH:MM" (spans past midnight allowed; empty means always)."""
    if not span:
        return True
    start, end = span.split("-")
    now = local.strftime("%H:%M")
    return start <= now < end if start <= end else now >= start or now < end


class CrawlService:
    """Crawls sources once on demand (`crawl_now`) or forever on their intervals (`schedule_all`)."""

    def __init__(self, app: App, scheduler=None, *, on_finished: Callable[[RunSummary], None] | None = None):
        crawl_reactor.install()
        from scrapy.crawler import CrawlerRunner
        from twisted.internet import reactor

        from crawlers.settings_copy import QuickCopySettings
        from crawlers.spiders import build_spider_class

        self.app = app
        self.scheduler = scheduler
        self.on_finished = on_finished
        self.spiders = {s.name: build_spider_class(s, app.settings) for s in app.settings.sources}
        scrapy_settings = QuickCopySettings()  # copied for every crawl: see crawlers.settings_copy
        scrapy_settings.setmodule("crawlers.settings", priority="project")
        # Spider classes come from self.app's settings; the config-reading loader is for the scrapy command.
        scrapy_settings.set("SPIDER_LOADER_CLASS", "scrapy.spiderloader.DummySpiderLoader", priority="project")
        self.runner = CrawlerRunner(scrapy_settings)
        self._running: dict[str, list] = {}  # source → waiters for the run in progress
        app.source_listeners.append(self.add_source)
        self._stopping = False
        self._stopped = False
        self._scheduled = False  # schedule_all has run: sources added later get their jobs too
        reactor.addSystemEventTrigger("before", "shutdown", self._before_shutdown)
        reactor.addSystemEventTrigger("after", "shutdown", self._after_shutdown)

    # ---- which sources --------------------------------------------------------------------------------------
    def resolve(self, names: list[str] | None = None) -> list[str]:
        """The named sources (all enabled ones when None); UnknownSourceError for names not in config."""
        if names is None:
            return [s.name for s in self.app.settings.sources if s.enabled]
        unknown = [name for name in names if name not in self.spiders]
        if unknown:
            known = "、".join(self.spiders) or "(无)"
            raise UnknownSourceError(f"配置中没有来源 {'、'.join(unknown)}。已配置的来源:{known}")
        return list(dict.fromkeys(names))

    def _conf(self, name: str) -> SourceSettings:
        return self.spiders[name].source

    # ---- on the reactor thread ------------------------------------------------------------------------------
    def crawl(self, name: str):
        """Crawl one source once; a Deferred firing with its RunSummary. Never two runs of a source at once:
        a second request while one runs waits for that run's result."""
        from twisted.internet import defer

        if name in self._running:
            waiter: defer.Deferred = defer.Deferred()
            self._running[name].append(waiter)
            return waiter
        self._running[name] = []
        summary = RunSummary(name)
        if self._stopping:
            summary.problem("程序正在退出,未采集", fatal=True)
            return defer.succeed(self._finished(summary))
        d = self.runner.crawl(self.spiders[name], app=self.app, summary=summary)
        d.addCallbacks(lambda _: summary, lambda failure: self._crashed(summary, failure))
        d.addCallback(self._finished)
        return d

    def _crashed(self, summary: RunSummary, failure):
        log.error("来源 %s 采集程序出错:%s", summary.source, failure.getTraceback())
        summary.problem(f"采集程序出错:{failure.getErrorMessage()}", fatal=True)
        if summary.recorded:
            return summary
        d = store.in_db_thread(summary.source, store.record_run, self.app, summary)
        d.addErrback(lambda f: log.error("保存采集记录失败:%s", f.getErrorMessage()))
        return d.addBoth(lambda _: summary)

    def _finished(self, summary: RunSummary) -> RunSummary:
        summary.finish()
        for waiter in self._running.pop(summary.source, []):
            waiter.callback(summary)
        # A poll that found nothing is only in the crawl_runs table: with many sources the log would drown.
        busy = summary.new or summary.updated or summary.errors
        level = logging.WARNING if not summary.ok else logging.INFO if busy else logging.DEBUG
        logging.getLogger(f"yuqing.crawl.{summary.source}").log(
            level,
            "采集%s:页面 %d,条目 %d,新增 %d,更新 %d,304 %d,错误 %d。%s",
            "完成" if summary.ok else "失败",
            summary.pages,
            summary.fetched,
            summary.new,
            summary.updated,
            summary.not_modified,
            summary.errors,
            summary.message,
        )
        if self.on_finished:
            try:
                self.on_finished(summary)
            except Exception:
                log.exception("进度回调出错")
        return summary

    def crawl_many(self, names: list[str]):
        """Crawl several sources at once; a Deferred firing with {name: RunSummary}."""
        from twisted.internet import defer

        runs = [self.crawl(name) for name in names]
        d = defer.DeferredList(runs, consumeErrors=True)
        return d.addCallback(lambda results: {s.source: s for ok, s in results if ok})

    def _before_shutdown(self):
        """Wind running crawls down; the reactor waits at most SHUTDOWN_GRACE for downloads still in flight."""
        from twisted.internet import defer, reactor

        self._stopping = True
        store.drain()
        done: defer.Deferred = defer.Deferred()

        def release(_=None) -> None:
            if not done.called:
                done.callback(None)

        self.runner.stop().addBoth(release)
        reactor.callLater(SHUTDOWN_GRACE, release)
        return done

    def _after_shutdown(self) -> None:
        self._stopped = True

    # ---- from other threads ---------------------------------------------------------------------------------
    def _call_in_reactor(self, function: Callable[..., Any], *args: Any) -> Any:
        """twisted's blockingCallFromThread, except that it gives up (None) once the reactor has shut down."""
        from twisted.internet import defer, reactor

        results: queue.Queue = queue.Queue()
        reactor.callFromThread(lambda: defer.maybeDeferred(function, *args).addBoth(results.put))
        while True:
            try:
                result = results.get(timeout=0.5)
            except queue.Empty:
                if self._stopped:
                    return None
                continue
            if hasattr(result, "raiseException"):
                result.raiseException()
            return result

    def run_source(self, name: str) -> RunSummary | None:
        """The scheduled job of one source (runs on a scheduler thread, waits for the crawl on the reactor)."""
        if self._stopping:
            return None
        conf = self._conf(name)
        local = datetime.now(self._zone())
        if not in_active_hours(conf.active_hours, local):
            log.debug("来源 %s 不在采集时段 %s,跳过", name, conf.active_hours)
            return None
        try:
            return self._call_in_reactor(self.crawl, name)
        except Exception:
            log.exception("来源 %s 定时采集出错", name)
            return None

    def crawl_now(self, names: list[str] | None = None) -> dict[str, RunSummary]:
        """Crawl the sources once and return their summaries when all are done.

        With the reactor running in another thread, waits for it; with no reactor running yet, runs it here
        until done (then it cannot be restarted in this process: one call per process, as in `yuqing crawl --once`).
        """
        from twisted.internet import reactor
        from twisted.internet.error import ReactorNotRestartable

        names = self.resolve(names)
        if reactor.running:
            if crawl_reactor.in_reactor_thread():
                raise RuntimeError("crawl_now 不能在反应器线程中调用,请改用 crawl_many()")
            return self._call_in_reactor(self.crawl_many, names) or {}
        results: dict[str, RunSummary] = {}

        def go() -> None:
            d = self.crawl_many(names)
            d.addCallback(results.update)
            d.addErrback(lambda failure: log.error("采集出错:%s", failure.getTraceback()))
            d.addBoth(lambda _: reactor.stop() if reactor.running else None)

        reactor.callWhenRunning(go)
        try:
            reactor.run()
        except ReactorNotRestartable as exc:
            raise RuntimeError("采集反应器已停止,同一进程内不能再次启动(请在新进程中采集)") from exc
        if len(results) < len(names):
            raise KeyboardInterrupt
        return results

    def add_source(self, source: SourceSettings) -> None:
        """A source added or changed while running (the 来源 page): its spider is built anew and, when scheduling,
        its job added or replaced (a disabled source's job removed)."""
        from crawlers.spiders import build_spider_class

        self.spiders[source.name] = build_spider_class(source, self.app.settings)
        if not self._scheduled:
            return
        if source.enabled:
            self.schedule_all([source.name])
        elif self.scheduler.get_job(f"crawl:{source.name}") is not None:
            self.scheduler.remove_job(f"crawl:{source.name}")

    # ---- scheduling -----------------------------------------------------------------------------------------
    def _zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.app.settings.general.timezone)

    def schedule_all(self, names: list[str] | None = None) -> None:
        """Add one interval job per enabled source to the scheduler (its own thread pool, alias "crawl")."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.triggers.interval import IntervalTrigger

        names = self.resolve(names)
        try:
            self.scheduler.add_executor(ThreadPoolExecutor(min(max(len(names), 4), MAX_PARALLEL_RUNS)), alias="crawl")
        except ValueError:
            pass  # already added by an earlier call
        now = datetime.now(self._zone())
        for name in names:
            conf = self._conf(name)
            spread = min(conf.interval, FIRST_RUN_SPREAD) * (zlib.crc32(name.encode()) % 1000) / 1000
            self.scheduler.add_job(
                self.run_source,
                IntervalTrigger(seconds=conf.interval, jitter=conf.jitter or None, timezone=self._zone()),
                args=[name],
                id=f"crawl:{name}",
                name=f"采集 {conf.title or name}",
                executor="crawl",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(conf.interval, 30),
                next_run_time=now + timedelta(seconds=spread),
                replace_existing=True,
            )
        self._scheduled = True
        log.info("已安排 %d 个来源的定时采集", len(names))
