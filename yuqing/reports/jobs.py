"""Scheduled reports: the monthly accountability report, the daily and the weekly briefing, each made once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from yuqing.app import App
from yuqing.db.models import Report
from yuqing.reports.build import find_report, generate, is_final, queue_mail, record, zone_of
from yuqing.reports.periods import KIND_NAMES, latest_due
from yuqing.timeutil import as_utc, utcnow

log = logging.getLogger("yuqing.reports.jobs")


def run_due(app: App, kind: str, now: datetime | None = None) -> Report | None:
    """Make the latest report of a kind whose time has come, unless its final Report row exists; mail it.

    Idempotent: the Report row's unique (kind, period) decides. A row made while the period was still running
    (from the 报告 page or the command line) is not final: the job replaces it with the report of the whole period.
    Files are written before the short write transaction; if another process recorded the final report of the
    same period meanwhile, this run records and mails nothing."""
    now = as_utc(now) if now else utcnow()
    period = latest_due(kind, app.settings.scheduler, now, zone_of(app.settings))
    with app.db.read() as session:
        if is_final(find_report(session, kind, period.key)):
            return None
    generated = generate(app, period, now=now)
    try:
        with app.db.write() as session:
            if is_final(find_report(session, kind, period.key)):
                return None
            report = record(session, generated, now)
            queue_mail(session, app.settings, generated, dedupe_key=f"report:{kind}:{period.key}", now=now)
    except IntegrityError:
        log.info("%s %s 已由其他进程生成", KIND_NAMES[kind], period.key)
        return None
    app.wake_outbox()
    log.info("%s %s 已生成并发送", KIND_NAMES[kind], period.key)
    return report


def monthly_job(app: App, now: datetime | None = None) -> Report | None:
    """On scheduler.monthly_report_day at monthly_report_time: the previous month's accountability report."""
    return run_due(app, "monthly", now)


def daily_job(app: App, now: datetime | None = None) -> Report | None:
    """At scheduler.daily_brief_time: yesterday's 舆情日报."""
    return run_due(app, "daily", now)


def weekly_job(app: App, now: datetime | None = None) -> Report | None:
    """On scheduler.weekly_brief_weekday at daily_brief_time: last week's 周报."""
    return run_due(app, "weekly", now)
