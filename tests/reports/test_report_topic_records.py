"""Topic reports kept for the 报告 page: one row per event and cut-off with who had it made, listed only to those
who may see the event, and a missing file written again from the cut-off, byte for byte."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from topic_seed import local, seed_matter

from dashboard.access import Viewer
from dashboard.queries.admin import query_reports
from dashboard.topic_report import build_topic_report
from yuqing.app import open_app
from yuqing.db.models import Report
from yuqing.reports.topic_records import topic_file, topic_folder

CUTOFF = "2026-12-01 16:00"


@pytest.fixture
def db_app(settings_factory, db_url):
    application = open_app(settings_factory(db_url=db_url))
    yield application
    application.close()


def _build(app, viewer: Viewer, event_id: int, formats: tuple[str, ...]):
    outcome = build_topic_report(app, viewer, event_id, CUTOFF, topic_folder(app.settings), formats=formats)
    assert outcome.ok, outcome.message
    return outcome.report


def test_one_row_per_event_and_cutoff_keeps_every_author_and_file(db_app):
    matter = seed_matter(db_app)
    _build(db_app, Viewer("guotan", "office", "cwh-guotan"), matter.event_id, ("docx",))
    _build(db_app, Viewer("leader", "leader"), matter.event_id, ("html",))
    with db_app.db.read() as session:
        (row,) = session.scalars(select(Report).where(Report.kind == "topic")).all()
        assert (row.event_id, row.created_by) == (matter.event_id, "guotan")
        assert row.summary["authors"] == ["guotan", "leader"]
        assert row.summary["cutoff"] == local(16, 0).isoformat()
        assert sorted(path.rsplit(".", 1)[1] for path in row.files) == ["docx", "html"]
        (listed,) = query_reports(session, db_app.settings, Viewer("leader", "leader"))
    assert listed["kind"] == "专题报告" and listed["topic"] and listed["event_id"] == matter.event_id
    assert listed["state"] == "截至 2026-12-01 16:00" and listed["author"] == "guotan、leader"


def test_only_viewers_who_may_see_the_event_find_its_report(db_app):
    matter = seed_matter(db_app)
    _build(db_app, Viewer("leader", "leader"), matter.event_id, ("docx",))
    with db_app.db.read() as session:
        assert [r["event_id"] for r in query_reports(session, db_app.settings, Viewer("duty", "duty"))] == [
            matter.event_id
        ]
        assert query_reports(session, db_app.settings, Viewer("guotan", "office", "cwh-guotan"))
        assert query_reports(session, db_app.settings, Viewer("msfw", "office", "msfw")) == []


def test_a_missing_file_is_written_again_from_the_cutoff_byte_for_byte(db_app):
    matter = seed_matter(db_app)
    report = _build(db_app, Viewer("leader", "leader"), matter.event_id, ("docx",))
    original = report.docx.read_bytes()
    with db_app.db.read() as session:
        report_id = session.scalar(select(Report.id).where(Report.kind == "topic"))
    report.docx.unlink()
    again = topic_file(db_app, report_id, "docx")
    assert again is not None and again.read_bytes() == original
    assert topic_file(db_app, report_id, "pdf") is None
    with db_app.db.read() as session:
        row = session.get(Report, report_id)
        assert row.summary["authors"] == ["leader"] and row.event_id == matter.event_id
