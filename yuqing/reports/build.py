"""Generating a report end to end: figures → content → files, the Report row, and the mail to the leaders."""

from __future__ import annotations

import html
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.app import App
from yuqing.db.models import OutboxMessage, Report
from yuqing.mail.outbox import enqueue
from yuqing.reports.briefing import compute_briefing
from yuqing.reports.charts import render_chart
from yuqing.reports.content import briefing_content, monthly_content
from yuqing.reports.docx_writer import write_docx
from yuqing.reports.figures import compute_monthly
from yuqing.reports.periods import KIND_NAMES, Period, PeriodError
from yuqing.reports.tables import ReportContent
from yuqing.reports.xlsx_writer import write_xlsx
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, utcnow

log = logging.getLogger("yuqing.reports")


@dataclass
class Generated:
    """A report that has been written: what it says and where its files are."""

    content: ReportContent
    files: list[Path]
    complete: bool  # False while the period is still running (such a report is never recorded)


def zone_of(settings: Settings) -> ZoneInfo:
    """The local zone periods are cut in."""
    return ZoneInfo(settings.general.timezone)


def build_content(session: Session, settings: Settings, period: Period, now: datetime) -> ReportContent:
    """Compute the figures of a period and lay them out as a report (no files, no writes)."""
    if period.kind == "monthly":
        return monthly_content(compute_monthly(session, settings, period, now), settings)
    return briefing_content(compute_briefing(session, settings, period, now), settings)


def render_files(content: ReportContent, out_dir: Path, settings: Settings, now: datetime) -> list[Path]:
    """Write the .docx (charts embedded) and the .xlsx; returns their paths."""
    stem = f"yuqing-{content.kind}-{content.period_key}"
    issuer = f"{settings.general.town}政务舆情监测系统"
    issued = as_utc(now).astimezone(zone_of(settings)).date()
    with tempfile.TemporaryDirectory(prefix="yuqing-charts-") as scratch:
        charts = {chart.name: render_chart(chart, Path(scratch) / f"{chart.name}.png") for chart in content.charts()}
        docx = write_docx(content, charts, out_dir / f"{stem}.docx", issued, issuer)
    return [docx, write_xlsx(content, out_dir / f"{stem}.xlsx")]


def generate(app: App, period: Period, out_dir: Path | None = None, now: datetime | None = None) -> Generated:
    """Compute and write one report; the database is only read."""
    now = as_utc(now) if now else utcnow()
    if period.start > now:
        raise PeriodError(f"{period.label}尚未开始,无法生成{KIND_NAMES[period.kind]}")
    with app.db.read() as session:
        content = build_content(session, app.settings, period, now)
    files = render_files(content, Path(out_dir or app.settings.reports.out_dir), app.settings, now)
    log.info("已生成%s:%s", KIND_NAMES[period.kind], ", ".join(str(f) for f in files))
    return Generated(content, files, complete=period.end <= now)


def find_report(session: Session, kind: str, key: str) -> Report | None:
    """The Report row of a kind and period, if any."""
    return session.scalar(select(Report).where(Report.kind == kind, Report.period == key))


def is_final(report: Report | None) -> bool:
    """Whether a recorded report covers its whole period (one made while the period ran is replaced later)."""
    return report is not None and bool((report.summary or {}).get("complete", True))


def generate_and_record(app: App, period: Period, now: datetime | None = None) -> tuple[Generated, Report]:
    """Write a report into reports.out_dir and record it (a running period's too, marked not final)."""
    generated = generate(app, period, now=now)
    with app.db.write() as session:
        report = record(session, generated)
        session.expunge(report)
    return generated, report


def record(session: Session, generated: Generated, now: datetime | None = None) -> Report:
    """Insert or refresh the Report row of a generated report (files and summary)."""
    content = generated.content
    report = find_report(session, content.kind, content.period_key) or Report(
        kind=content.kind, period=content.period_key
    )
    report.files = [str(path.resolve()) for path in generated.files]
    report.summary = content.summary
    report.created_at = as_utc(now) if now else utcnow()
    session.add(report)
    session.flush()
    return report


def mail_body(generated: Generated, settings: Settings) -> tuple[str, str]:
    """The plain-text and HTML bodies: the overview paragraphs and the names of the attached files."""
    from yuqing.privacy import masked

    content = generated.content
    lines = [
        f"现将《{content.title}》({content.period_line})报送,请审阅。",
        *(masked(text) for text in content.sections[0].paragraphs),
        "附件:" + "、".join(path.name for path in generated.files),
    ]
    sign = f"{settings.general.town}政务舆情监测系统(自动发送)"
    text = "各位领导:\n" + "\n".join(f"    {line}" for line in lines) + f"\n\n{sign}\n"
    body = "".join(f"<p style=\"text-indent:2em\">{html.escape(line)}</p>" for line in lines)
    return text, f"<html><body><p>各位领导:</p>{body}<p>{html.escape(sign)}</p></body></html>"


def queue_mail(
    session: Session,
    settings: Settings,
    generated: Generated,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue the report, files attached, to mail.leader_emails (delivery attaches payload["attachments"])."""
    recipients = settings.mail.leader_emails
    if not recipients:
        log.warning("未配置 mail.leader_emails,%s未发送", generated.content.title)
        return None
    text, body_html = mail_body(generated, settings)
    content = generated.content
    return enqueue(
        session,
        kind="report",
        recipients=list(recipients),
        subject=f"【{KIND_NAMES[content.kind]}】{content.title}",
        body_text=text,
        body_html=body_html,
        dedupe_key=dedupe_key,
        payload={
            "attachments": [str(path.resolve()) for path in generated.files],
            "report_kind": content.kind,
            "period": content.period_key,
        },
        now=now,
    )
