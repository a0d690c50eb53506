"""`yuqing run`: one process with the crawl reactor, the job scheduler, the alert delivery worker and the dashboard."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from yuqing.app import App
from yuqing.storage_alarm import report_storage_failure

log = logging.getLogger("yuqing.service")


class DeliveryWorker(threading.Thread):
    """Delivers the outbox as soon as something is queued (woken by App.wake_outbox) and at least every tick."""

    def __init__(self, app: App):
        super().__init__(name="outbox-delivery", daemon=True)
        self.app = app
        self.stopping = threading.Event()

    def run(self) -> None:
        from yuqing.mail.delivery import deliver_due

        tick = self.app.settings.scheduler.outbox_seconds
        while not self.stopping.is_set():
            self.app.outbox_wakeup.wait(timeout=tick)
            self.app.outbox_wakeup.clear()
            if self.stopping.is_set():
                break
            try:
                deliver_due(self.app)
            except Exception as exc:
                log.exception("发送提醒时出错,稍后重试")
                report_storage_failure(self.app.settings, exc, "提醒投递")

    def stop(self) -> None:
        """Stop after the current delivery round."""
        self.stopping.set()
        self.app.outbox_wakeup.set()


class DashboardServer(threading.Thread):
    """The Dash app served by waitress on the configured host and port."""

    def __init__(self, app: App, port: int | None = None):
        super().__init__(name="dashboard", daemon=True)
        from waitress.server import create_server

        from dashboard.app import create_app

        settings = app.settings.dashboard
        dash_app = create_app(app)
        self.server = create_server(
            dash_app.server, host=settings.host, port=port or settings.port, threads=8, ident="yuqing"
        )
        self.url = f"http://{settings.host}:{self.server.effective_port}/"
        self.stopped = False

    def run(self) -> None:
        self.server.run()

    def stop(self) -> None:
        """Close the listening socket, on the serving thread when it runs: closed from another thread while the serving
        thread builds its select() list, the socket ends that thread with EBADF (waitress issue 468), a traceback at
        every few stops. Returns once it is closed (at most a few seconds)."""
        if self.stopped:
            return
        self.stopped = True
        if not self.is_alive():
            self.server.close()
            return
        closed = threading.Event()

        def close() -> None:
            self.server.close()
            closed.set()

        self.server.trigger.pull_trigger(close)
        closed.wait(5)


def _guarded(name: str, job: Callable[..., object]) -> Callable[[App], None]:
    def run(app: App) -> None:
        try:
            job(app)
        except Exception as exc:
            log.exception("定时任务“%s”出错", name)
            report_storage_failure(app.settings, exc, f"定时任务“{name}”")

    run.__name__ = f"job_{name}"
    return run


def job_table(app: App) -> list[tuple[str, Callable[..., object], str, dict]]:
    """Every periodic job except crawling: (name, job taking app, "interval" | "cron", trigger options). Scheduled
    in memory by `yuqing run` (schedule_jobs) and with run records by the scale-out leader (yuqing.cluster.leader)."""
    from yuqing.bursts_job import detect_bursts
    from yuqing.mail.digest import send_digests
    from yuqing.reports.jobs import daily_job, monthly_job, weekly_job
    from yuqing.snapshots import purge_expired_raw
    from yuqing.source_health import check_sources
    from yuqing.workflow.jobs import check_deadlines, evaluate_effects

    conf = app.settings.scheduler
    report_hour, report_minute = (int(x) for x in conf.monthly_report_time.split(":"))
    brief_hour, brief_minute = (int(x) for x in conf.daily_brief_time.split(":"))
    jobs: list[tuple[str, Callable[..., object], str, dict]] = [
        ("时限检查", check_deadlines, "interval", {"seconds": conf.deadline_check_seconds}),
        ("来源健康检查", check_sources, "interval", {"seconds": conf.health_check_seconds}),
        ("摘要邮件", send_digests, "interval", {"seconds": 60}),
        ("突增检测", detect_bursts, "interval", {"seconds": 300}),
        ("回应效果评估", evaluate_effects, "interval", {"seconds": 3600}),
        ("原始证据到期清理", purge_expired_raw, "interval", {"seconds": 3600}),
        (
            "月度问责报告",
            monthly_job,
            "cron",
            {"day": conf.monthly_report_day, "hour": report_hour, "minute": report_minute},
        ),
        ("舆情日报", daily_job, "cron", {"hour": brief_hour, "minute": brief_minute}),
        (
            "舆情周报",
            weekly_job,
            "cron",
            {"day_of_week": conf.weekly_brief_weekday - 1, "hour": brief_hour, "minute": brief_minute},
        ),
    ]
    learning = app.settings.learning
    if learning.retrain:
        from yuqing.learning_jobs import retrain_job

        # Trains in the scheduler's pool thread, beside ingest; the new model is switched in by one assignment.
        train_hour, train_minute = (int(x) for x in learning.retrain_time.split(":"))
        when: dict[str, object] = {"hour": train_hour, "minute": train_minute}
        if learning.retrain == "weekly":
            when["day_of_week"] = learning.retrain_weekday - 1
        jobs.append(("领域模型重新训练", retrain_job, "cron", when))
    return jobs


def schedule_jobs(app: App, scheduler) -> None:
    """Register every periodic job except crawling (the crawl service schedules its own sources)."""
    for name, job, trigger, options in job_table(app):
        scheduler.add_job(
            _guarded(name, job),
            trigger,
            args=[app],
            id=name,
            name=name,
            **options,
            next_run_time=datetime.now(scheduler.timezone) if trigger == "interval" else None,
        )


class Service:
    """Starts and stops every part of the running system in one process."""

    def __init__(self, app: App, *, dashboard: bool = True, dashboard_port: int | None = None):
        from crawlers import reactor as crawl_reactor

        crawl_reactor.install()
        from apscheduler.schedulers.background import BackgroundScheduler

        from crawlers.service import CrawlService

        self.app = app
        self.scheduler = BackgroundScheduler(
            timezone=app.settings.general.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self.crawl = CrawlService(app, self.scheduler)
        self.delivery = DeliveryWorker(app)
        self.dashboard = DashboardServer(app, dashboard_port) if dashboard else None

    def run(self, duration: float = 0, on_started: Callable[[Service], None] | None = None) -> None:
        """Run until Ctrl-C / SIGTERM (or for `duration` seconds); the reactor owns the main thread."""
        from twisted.internet import reactor

        from crawlers.reactor import stop_on_signals

        self.crawl.schedule_all()
        schedule_jobs(self.app, self.scheduler)
        self.delivery.start()
        if self.dashboard:
            self.dashboard.start()
        self.scheduler.start()
        stop_on_signals(reactor)
        if duration:
            reactor.callLater(duration, reactor.stop)
        if on_started:
            reactor.callWhenRunning(on_started, self)
        log.info("系统已启动")
        try:
            reactor.run(installSignalHandlers=False)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop jobs first, then delivery and the dashboard; queued alerts stay in the outbox."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.delivery.stop()
        if self.dashboard:
            self.dashboard.stop()
        log.info("系统已停止")
