"""`yuqing report monthly|daily|weekly`: write a report's .docx and .xlsx, record it, and mail it on request
(`yuqing report topic`: yuqing.commands.topic_report)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from yuqing.commands import EXIT_OK, EXIT_USAGE, CommandError, command_settings, open_for
from yuqing.reports.build import generate, queue_mail, record, zone_of
from yuqing.reports.periods import KIND_NAMES, Period, PeriodError, parse_day, parse_month, period_for
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow


def requested_period(args: argparse.Namespace, settings: Settings) -> Period:
    """The period named on the command line; daily defaults to yesterday, weekly to last week."""
    zone = zone_of(settings)
    if args.kind == "monthly":
        if not args.month:
            raise PeriodError("生成月度报告需指定月份:yuqing report monthly --month YYYY-MM(例如 2026-11)")
        return parse_month(args.month, zone)
    if args.date:
        return period_for(args.kind, parse_day(args.date), zone)
    today = utcnow().astimezone(zone).date()
    return period_for(args.kind, today - timedelta(days=1 if args.kind == "daily" else 7), zone)


def cmd_report(args: argparse.Namespace) -> int:
    """Generate one report and print the files written."""
    if args.kind == "topic":
        from yuqing.commands.topic_report import cmd_topic_report

        return cmd_topic_report(args)
    try:
        period = requested_period(args, command_settings(args))
    except PeriodError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    app = open_for(args)
    try:
        try:
            generated = generate(app, period, Path(args.out) if args.out else None)
        except PeriodError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from exc
        queued = None
        # The dashboard serves files from reports.out_dir only; a copy written elsewhere is not the record.
        official = Path(app.settings.reports.out_dir).resolve() == generated.files[0].parent.resolve()
        with app.db.write() as session:
            if official:  # a running period's report is listed too, as not final; the scheduled job replaces it
                record(session, generated)
            if args.mail:
                queued = queue_mail(session, app.settings, generated)
    finally:
        app.close()
    content = generated.content
    print(f"{content.title}({content.period_line})")
    if content.kind == "monthly" and not content.summary["events"]:
        print("本月未发生需处置的政务舆情事件。")
    for path in generated.files:
        print(path.resolve())
    if not generated.complete:
        print(f"注意:本期尚未结束,数字截至生成时刻;期末后系统自动生成的正式{KIND_NAMES[content.kind]}将替换本版。")
    if not official:
        print("注意:输出目录不是配置的 reports.out_dir,本次生成未登记到看板“报告”页。")
    if args.mail:
        print(
            "已加入发件队列,由运行中的系统(yuqing run)发送给镇领导。"
            if queued
            else "未发送:配置中没有 mail.leader_emails。"
        )
    return EXIT_OK
