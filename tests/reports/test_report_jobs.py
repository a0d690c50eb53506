"""Scheduled reports: made once per period, recorded, mailed with the files; daily and weekly briefings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from month_seed import local, seed_november
from openpyxl import load_workbook
from sqlalchemy import func, select

from yuqing.db.models import OutboxMessage, Report
from yuqing.reports.jobs import daily_job, monthly_job, weekly_job


@pytest.fixture
def november(any_app):
    return any_app, seed_november(any_app)


def _periods(app) -> list[str]:
    with app.db.read() as session:
        return list(session.scalars(select(Report.period).order_by(Report.id)))


def _report_mail(app) -> list[dict]:
    with app.db.read() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "report").order_by(OutboxMessage.id)
        return [
            {
                "recipients": m.recipients,
                "payload": m.payload,
                "dedupe_key": m.dedupe_key,
                "body_text": m.body_text,
                "body_html": m.body_html,
            }
            for m in session.scalars(query)
        ]


def test_monthly_job_makes_last_months_report_once_and_mails_it(november):
    app, _ = november
    assert monthly_job(app, now=local(12, 1, 7, 59)).period == "2026-10"  # before 08:00 the due one is October's
    report = monthly_job(app, now=local(12, 1, 8, 0))
    assert (report.kind, report.period) == ("monthly", "2026-11")
    assert report.summary["events"] == 6 and report.summary["breaches"] == 7
    assert [(s["action"], s["office"]) for s in report.summary["suggestions"]] == [
        ("约谈负责人", "@duty"),
        ("约谈负责人", "zzwb"),
    ]
    assert all(Path(f).exists() for f in report.files)
    assert monthly_job(app, now=local(12, 1, 8, 1)) is None
    assert monthly_job(app, now=local(12, 15, 8, 0)) is None
    assert _periods(app) == ["2026-10", "2026-11"]
    mails = _report_mail(app)
    assert len(mails) == 2
    november_mail = mails[1]
    assert november_mail["recipients"] == ["leader@example.gov.cn"]
    assert november_mail["payload"]["attachments"] == report.files
    assert november_mail["dedupe_key"] == "report:monthly:2026-11"
    assert "本月全镇共监测发现需处置的政务舆情事件6起" in november_mail["body_text"]
    assert "<html>" in november_mail["body_html"]


def test_a_report_made_while_the_month_runs_is_listed_then_replaced_by_the_final_one(november):
    from yuqing.reports.build import generate_and_record
    from yuqing.reports.periods import parse_month

    app, _ = november
    _, early = generate_and_record(app, parse_month("2026-11"), now=local(11, 20, 12))
    assert early.summary["complete"] is False and early.summary["breaches"] == 5  # E6's two fall after the 20th
    report = monthly_job(app, now=local(12, 1, 8, 0))
    assert report is not None and report.id == early.id  # the same row, now final
    assert report.summary["complete"] is True and report.summary["breaches"] == 7
    assert monthly_job(app, now=local(12, 1, 9, 0)) is None


def test_daily_briefing_lists_new_events_hottest_and_running_deadlines(november):
    app, ids = november
    report = daily_job(app, now=local(11, 28, 8, 0))
    assert (report.kind, report.period) == ("daily", "2026-11-27")
    assert report.summary == {**report.summary, "new_events": 1, "open_events": 5, "open_deadlines": 3, "overdue": 1}
    sheets = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in load_workbook(report.files[1])}
    assert [row[0] for row in sheets["新发事件"][1:]] == [ids["E6"]]
    assert sheets["新发事件"][1][1:] == [
        datetime(2026, 11, 27, 20, 0),
        "河道污染",
        "生态环境保护",
        "2级(重大)",
        "经济发展综合服务中心",
        "待回应",
        15.0,
    ]
    # Heat at the end of the day: E10 and E6 15, E3 9, E8 and E7 3 (ties by number).
    assert [row[0] for row in sheets["热度排行"][1:]] == [ids[k] for k in ("E10", "E6", "E3", "E8", "E7")]
    assert sheets["未完成时限"][1:] == [
        [
            ids["E8"],
            "某卫生院排长队",
            "回应",
            "3级(较大)",
            "民生服务中心",
            datetime(2026, 10, 12, 10, 0),
            "已超时 46天14小时",
        ],
        [
            ids["E6"],
            "河道污染",
            "发布权威信息",
            "2级(重大)",
            "经济发展综合服务中心",
            datetime(2026, 11, 28, 2, 0),
            "还剩 2小时",
        ],
        [
            ids["E6"],
            "河道污染",
            "新闻发布会",
            "2级(重大)",
            "经济发展综合服务中心",
            datetime(2026, 11, 28, 21, 0),
            "还剩 21小时",
        ],
    ]
    assert daily_job(app, now=local(11, 28, 9, 0)) is None
    assert len(_report_mail(app)) == 1


def test_weekly_briefing_covers_the_last_full_week(november):
    app, ids = november
    report = weekly_job(app, now=local(11, 30, 8, 0))
    assert (report.kind, report.period) == ("weekly", "2026-W48")
    sheets = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in load_workbook(report.files[1])}
    # Week of Nov 23–29: E6 (level 2, press conference held on Nov 28) and the false alarm E5 (level 4).
    assert [(row[0], row[6]) for row in sheets["新发事件"][1:]] == [(ids["E6"], "已回应"), (ids["E5"], "误报")]
    with app.db.read() as session:
        assert session.scalar(select(func.count(Report.id)).where(Report.kind == "weekly")) == 1
