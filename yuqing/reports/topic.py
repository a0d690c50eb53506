"""Generating an event's topic report (专题报告): the event as of a cut-off → content → a .docx and a print page
(HTML, 打印 → 另存为 PDF). The same cut-off gives the same files, byte for byte."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yuqing.app import App
from yuqing.labels import office_names
from yuqing.reports.charts import render_chart
from yuqing.reports.docx_writer import write_docx
from yuqing.reports.print_html import write_html
from yuqing.reports.stable_zip import freeze_zip
from yuqing.reports.tables import ReportContent
from yuqing.reports.topic_content import topic_content
from yuqing.reports.topic_data import TopicReportError, topic_data
from yuqing.timeutil import as_utc, to_local, utcnow

log = logging.getLogger("yuqing.reports")

__all__ = ["FORMATS", "TopicReport", "TopicReportError", "build_topic_content", "cutoff_or_now", "generate_topic"]


FORMATS = ("docx", "html")


@dataclass
class TopicReport:
    """A written topic report: what it says and its files (.docx, print .html; None when not asked for)."""

    content: ReportContent
    docx: Path | None
    html: Path | None

    @property
    def files(self) -> list[Path]:
        return [path for path in (self.docx, self.html) if path is not None]


def cutoff_or_now(until: datetime | None) -> datetime:
    """The cut-off: the time asked for, else now; to the whole minute, as the report states it."""
    return as_utc(until or utcnow()).replace(second=0, microsecond=0)


def build_topic_content(app: App, event_id: int, cutoff: datetime) -> ReportContent:
    """The report's content from the database as it stood at the cut-off (only read)."""
    with app.db.read() as session:
        return topic_content(topic_data(session, event_id, cutoff), app.settings, office_names(session))


def generate_topic(
    app: App,
    event_id: int,
    until: datetime | None = None,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> TopicReport:
    """Compute the report as of `until` (default now) and write its files (`formats`: docx, html) into `out_dir`
    (default reports.out_dir); raises TopicReportError for a missing event or one detected after the cut-off."""
    cutoff = cutoff_or_now(until)
    content = build_topic_content(app, event_id, cutoff)
    folder = Path(out_dir or app.settings.reports.out_dir)
    stem = f"yuqing-topic-{content.period_key}"
    local = to_local(cutoff, content.zone)
    assert local is not None
    issuer = f"{app.settings.general.town}政务舆情监测系统"
    docx = html = None
    with tempfile.TemporaryDirectory(prefix="yuqing-charts-") as scratch:
        charts = {chart.name: render_chart(chart, Path(scratch) / f"{chart.name}.png") for chart in content.charts()}
        if "docx" in formats:
            docx = write_docx(content, charts, folder / f"{stem}.docx", local.date(), issuer, stamp=cutoff)
            freeze_zip(docx, local.replace(tzinfo=None))
        if "html" in formats:  # the slower one: the font is cut down to the page's characters
            html = write_html(content, charts, folder / f"{stem}.html", local.date(), issuer)
    report = TopicReport(content, docx, html)
    log.info("已生成专题报告:%s", ", ".join(str(path) for path in report.files))
    return report
