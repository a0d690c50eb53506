"""Topic reports (专题报告) kept as Report rows, so that one generated from an event page can be found again on the
报告 page: one row per event and cut-off, who had it made and when, its files in reports.out_dir/topic. A file that
is missing is written again from the stored cut-off (generate_topic gives the same bytes for the same cut-off)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.app import App
from yuqing.db.models import Report
from yuqing.reports.files import report_files
from yuqing.reports.topic import TopicReport, generate_topic
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, utcnow

KIND = "topic"
SUFFIXES = {"docx": ".docx", "html": ".html"}


def topic_folder(settings: Settings) -> Path:
    """Where topic reports are written (inside the reports folder, so the 报告 page may serve them)."""
    return Path(settings.reports.out_dir) / "topic"


def record_topic(app: App, report: TopicReport, actor: str | None, now: datetime | None = None) -> int:
    """Insert or complete the row of this event and cut-off: its files are added, the first author is kept and
    every later one noted in the summary (actor None: a file written again, nobody new). Returns the row's id."""
    content = report.content
    files = [str(path.resolve()) for path in report.files]
    for attempt in (1, 2):  # two writers of the same event and cut-off: the second one completes the first's row
        try:
            with app.db.write() as session:
                row = _find(session, content.period_key)
                if row is None:
                    row = Report(
                        kind=KIND,
                        period=content.period_key,
                        event_id=int(content.summary["event"]),
                        created_by=actor,
                        created_at=as_utc(now) if now else utcnow(),
                        files=[],
                        summary={},
                    )
                    session.add(row)
                row.files = sorted({*(row.files or []), *files})
                authors = list((row.summary or {}).get("authors") or [])
                if actor is not None and actor not in authors:
                    authors.append(actor)
                row.summary = {**content.summary, "authors": authors}
                session.flush()
                return row.id
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _find(session: Session, key: str) -> Report | None:
    return session.scalar(select(Report).where(Report.kind == KIND, Report.period == key))


def topic_cutoff(report: Report) -> datetime | None:
    """The cut-off a topic report row was built for."""
    value = (report.summary or {}).get("cutoff")
    return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) else None


def stored_file(settings: Settings, report: Report, kind: str) -> Path | None:
    """The row's file of this kind (docx | html) if it is on disk inside the reports folder."""
    return next((path for path in report_files(settings, report) if path.suffix == SUFFIXES[kind]), None)


def topic_file(app: App, report_id: int, kind: str) -> Path | None:
    """The file of a recorded topic report, written again from its cut-off when it is missing (and recorded)."""
    if kind not in SUFFIXES:
        return None
    with app.db.read() as session:
        row = session.get(Report, report_id)
        if row is None or row.kind != KIND or row.event_id is None:
            return None
        path = stored_file(app.settings, row, kind)
        event_id, cutoff = row.event_id, topic_cutoff(row)
    if path is not None or cutoff is None:
        return path
    rebuilt = generate_topic(app, event_id, cutoff, topic_folder(app.settings), (kind,))
    record_topic(app, rebuilt, None)
    return rebuilt.files[0]
