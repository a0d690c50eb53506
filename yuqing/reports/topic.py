"""Generating an event's topic report (专题报告): the event as of a cut-off → content → a .docx and a print page
(HTML, 打印 → 另存为 PDF). The same cut-off gives the same files, byte for byte."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboard.labels import office_names
from yuqing.app import App
from yuqing.reports.charts import render_chart
from yuqing.reports.docx_writer import write_docx
from yuqing.reports.print_html import write_html
from yuqing.reports.stable_zip import freeze_zip
from yuqing.reports.tables import ReportContent
from yuqing.reports.topic_content import topic_content
from yuqing.reports.topic_data import TopicReportError, topic_data
from yuqing.timeutil import as_utc, to_local, utcnow

log = logging.getLogger("yuqing.reports")

__all__ = ["TopicReport", "TopicReportError", "build_topic_content", "cutoff_or_now", "generate_topic"]


@dataclass
class TopicReport:
    """A written topic report: what it says and its files (.docx, .html)."""

    content: ReportContent
    docx: Path
    html: Path

    @property
    def files(self) -> list[Path]:
        return [self.docx, self.html]


def cutoff_or_now(until: datetime | None) -> datetime:
    """The cut-off: the time asked for, else now; to the whole minute, as the report states it."""
    return as_utc(until or utcnow()).replace(second=0, microsecond=0)


def build_topic_content(app: App, event_id: int, cutoff: datetime) -> ReportContent:
    """The report's content from the database as it stood at the cut-off (only read)."""
    with app.db.read() as session:
        return topic_content(topic_data(session, event_id, cutoff), app.settings, office_names(session))


def generate_topic(app: App, event_id: int, until: datetime | None = None, out_dir: Path | None = None) -> TopicReport:
    """Compute the report as of `until` (default now) and write its two files into `out_dir` (default
    reports.out_dir); raises TopicReportError for a missing event or one detected after the cut-off."""
    cutoff = cutoff_or_now(until)
    content = build_topic_content(app, event_id, cutoff)
    folder = Path(out_dir or app.settings.reports.out_dir)
    stem = f"yuqing-topic-{content.period_key}"
    local = to_local(cutoff, content.zone)
    assert local is not None
    issuer = f"{app.settings.general.town}政务舆情监测系统"
    with tempfile.TemporaryDirectory(prefix="yuqing-charts-") as scratch:
        charts = {chart.name: render_chart(chart, Path(scratch) / f"{chart.name}.png") for chart in content.charts()}
        docx = write_docx(content, charts, folder / f"{stem}.docx", local.date(), issuer, stamp=cutoff)
        html = write_html(content, charts, folder / f"{stem}.html", local.date(), issuer)
    freeze_zip(docx, local.replace(tzinfo=None))
    log.info("已生成专题报告:%s, %s", docx, html)
    return TopicReport(content, docx, html)
