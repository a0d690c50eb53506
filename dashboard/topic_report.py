"""专题报告 from an event page (or `yuqing report topic --user`): who may build it for which event (dashboard.access),
the cut-off typed by the user, and the audited build, recorded for the 报告 page (yuqing.reports.topic_records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboard.access import DENIED, NOT_VISIBLE, Viewer
from dashboard.actions import audit_export
from dashboard.event_form_checks import parse_local_time
from dashboard.queries.event_detail import visible_event
from yuqing.app import App
from yuqing.reports.topic import FORMATS, TopicReport, TopicReportError, generate_topic
from yuqing.reports.topic_records import record_topic, topic_folder
from yuqing.timeutil import format_local, utcnow


@dataclass
class TopicOutcome:
    """A built report (files still on disk), or why not."""

    ok: bool
    message: str
    report: TopicReport | None = None


def access_problem(app: App, viewer: Viewer, event_id: int | str | None) -> str | None:
    """Why the viewer may not build this event's report (None: they may)."""
    if viewer.role not in ("duty", "office", "leader", "admin"):
        return DENIED
    with app.db.read() as session:
        event = visible_event(session, viewer, event_id)
        if event is None:
            return NOT_VISIBLE
        if not viewer.can_act("topic_report", event.office_code):
            return DENIED
    return None


def parse_cutoff(text: str | None, now: datetime | None = None) -> datetime:
    """The cut-off typed as local “YYYY-MM-DD HH:MM” (empty: now); never later than now."""
    now = now or utcnow()
    if not (text or "").strip():
        return now
    cutoff = parse_local_time(text)
    if cutoff is None:
        raise TopicReportError("统计截止时间格式应为 YYYY-MM-DD HH:MM(北京时间),例如 2026-12-01 16:00")
    if cutoff > now:
        raise TopicReportError(f"统计截止时间不能晚于现在({format_local(now)})")
    return cutoff


def build_topic_report(
    app: App,
    viewer: Viewer,
    event_id,
    until: str | None,
    out_dir: Path,
    now: datetime | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> TopicOutcome:
    """Check the viewer's rights, build the report's files (`formats`) into `out_dir`, record and audit it."""
    problem = access_problem(app, viewer, event_id)
    if problem:
        return TopicOutcome(False, problem)
    try:
        report = generate_topic(app, int(event_id), parse_cutoff(until, now), out_dir, formats)
    except TopicReportError as exc:
        return TopicOutcome(False, str(exc))
    record_id = record_topic(app, report, viewer.username)
    content = report.content
    audit_export(
        app, viewer, "topic_report", f"{content.title}({content.period_line};事件 {event_id},报告 {record_id})"
    )
    later = ";可在“报告”页再次下载" if viewer.can_open("reports") else ""
    return TopicOutcome(True, f"已生成《{content.title}》,{content.period_line}{later}", report)


def topic_report_file(app: App, viewer: Viewer, event_id, until: str | None, kind: str) -> tuple[TopicOutcome, dict]:
    """One file of the report (kind docx | html), written into the reports folder and recorded, as a download:
    (outcome, {filename, content bytes})."""
    outcome = build_topic_report(app, viewer, event_id, until, topic_folder(app.settings), formats=(kind,))
    path = outcome.report.files[0] if outcome.report is not None else None
    if path is None:
        return outcome, {}
    return outcome, {"filename": path.name, "content": path.read_bytes()}
