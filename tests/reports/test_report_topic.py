"""The topic report (专题报告) of one event: its content agrees with the database at the cut-off, personal data is
masked, the same cut-off gives the same files even after later changes, and who may build it for which event."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select
from topic_seed import PHONE, TITLE, local, seed_matter

from dashboard.access import NOT_VISIBLE, Viewer
from dashboard.topic_report import build_topic_report, parse_cutoff
from yuqing.app import open_app
from yuqing.db.models import AuditLog, Comment, Mention, Source
from yuqing.reports.tables import ReportContent, Table
from yuqing.reports.topic import generate_topic
from yuqing.reports.topic_data import TopicReportError
from yuqing.reports.topic_handling import QUIET_ACTIONS
from yuqing.workflow import actions
from yuqing.workflow.corrections import correct_mention

HEADINGS = ("一、事件概述", "二、溯源", "三、传播脉络", "四、主要观点", "五、处置过程", "六、回应效果", "七、研判建议")


def _table(content: ReportContent, sheet: str) -> Table:
    return next(t for t in content.tables() if t.sheet == sheet)


def _text(content: ReportContent) -> str:
    parts = [content.title, content.period_line, content.footer]
    for section in content.sections:
        parts += [section.heading, *section.paragraphs]
        parts += [str(cell) for table in section.tables for row in table.rows for cell in row]
    return "\n".join(parts)


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture
def db_app(settings_factory, db_url):
    application = open_app(settings_factory(db_url=db_url))
    yield application
    application.close()


def test_content_matches_the_database_at_the_cutoff(db_app, tmp_path):
    matter = seed_matter(db_app)
    cutoff = local(16, 0)
    report = generate_topic(db_app, matter.event_id, cutoff, tmp_path)
    content = report.content
    assert [s.heading for s in content.sections] == list(HEADINGS)
    with db_app.db.read() as session:
        seen = (Mention.event_id == matter.event_id, Mention.first_seen_at < cutoff)
        posts = session.scalar(select(func.count(Mention.id)).where(*seen))
        by_type = dict(
            session.execute(select(Mention.source_type, func.count()).where(*seen).group_by(Mention.source_type)).all()
        )
        first_id, first_source = session.execute(
            select(Mention.id, Source.title)
            .join(Source)
            .where(*seen)
            .order_by(Mention.published_at, Mention.id)
            .limit(1)
        ).one()
        sources_in_order = [
            title
            for (title,) in session.execute(
                select(Source.title)
                .join(Mention)
                .where(*seen)
                .group_by(Source.title)
                .order_by(func.min(Mention.published_at))
            )
        ]
        comments = session.scalar(
            select(func.count(Comment.id))
            .join(Mention, Mention.id == Comment.mention_id)
            .where(*seen, Comment.first_seen_at < cutoff)
        )
        trail = session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.event_id == matter.event_id, AuditLog.at < cutoff, AuditLog.action.not_in(QUIET_ACTIONS)
            )
        )
    assert 0 < posts < len(matter.post_ids)  # the 18:00 post is after the cut-off
    assert content.summary["posts"] == posts and content.summary["comments"] == comments
    assert content.summary["first_post"] == first_id
    origin = _table(content, "溯源")
    assert origin.column("来源") == sources_in_order and origin.rows[0][0] == first_source
    assert sum(origin.column("信息数(条)")) == posts
    timeline = _table(content, "传播脉络")
    assert sum(timeline.column("合计")) == posts
    from pipeline.urgency import SOURCE_NAMES

    assert {SOURCE_NAMES[t]: n for t, n in by_type.items()} == {
        c.title: sum(timeline.column(c.title)) for c in timeline.columns[1:-1]
    }
    assert sum(_table(content, "主要观点").column("合计")) == posts + comments
    assert len(_table(content, "处置记录").rows) == trail
    assert "已办结" not in _text(content) and "尚未办结" in _text(content)
    later = generate_topic(db_app, matter.event_id, local(21, 0), tmp_path / "later").content
    assert later.summary["posts"] == len(matter.post_ids) and "已办结" in _text(later)


def test_personal_data_is_masked_in_every_file(app, tmp_path):
    matter = seed_matter(app)
    report = generate_topic(app, matter.event_id, local(16, 0), tmp_path)
    html = report.html.read_text(encoding="utf-8")
    for text in (_text(report.content), _docx_text(report.docx), html):
        assert PHONE not in text
        assert PHONE[:3] + "****" + PHONE[-4:] in text  # the complaint and the comment are quoted, masked
    assert TITLE in html and "<h2>七、研判建议</h2>" in html


def test_the_same_cutoff_gives_the_same_files_after_later_changes(app, tmp_path):
    from topic_seed import add_post

    matter = seed_matter(app, close=False)
    first = generate_topic(app, matter.event_id, local(16, 0), tmp_path / "a")
    with app.db.write() as session:  # after the cut-off: a post leaves the event, the office changes
        correct_mention(session, app.settings, matter.post_ids[1], "duty", relevant=False, now=local(16, 30))
        actions.reassign_office(session, app.settings, matter.event_id, "duty", "dzb", "转交", now=local(16, 40))
        session.add(Comment(mention_id=matter.post_ids[0], key="late", content="后来的评论", first_seen_at=local(17)))
    add_post(app, matter.event_id, local(17, 30), "news", "后续报道", "郭滩村自来水已恢复正常")
    again = generate_topic(app, matter.event_id, local(16, 0), tmp_path / "b")
    assert _text(again.content) == _text(first.content)
    assert again.docx.read_bytes() == first.docx.read_bytes()
    assert again.html.read_bytes() == first.html.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(again.docx.read_bytes())).testzip() is None
    now = generate_topic(app, matter.event_id, local(18, 0), tmp_path / "c")
    assert _text(now.content) != _text(first.content)  # the changes do show after them
    assert "镇党政办" in _text(now.content) and now.content.summary["posts"] == first.content.summary["posts"]


def test_an_event_detected_after_the_cutoff_has_no_report(app, tmp_path):
    matter = seed_matter(app)
    with pytest.raises(TopicReportError, match="尚未发现"):
        generate_topic(app, matter.event_id, local(9, 0), tmp_path)
    with pytest.raises(TopicReportError, match="不存在"):
        generate_topic(app, 9999, local(16, 0), tmp_path)


def test_who_may_build_it_follows_the_dashboard_rights(app, tmp_path):
    matter = seed_matter(app)
    assert parse_cutoff("2026-12-01 16:00") == local(16, 0)
    for viewer, allowed in (
        (Viewer("duty", "duty"), True),
        (Viewer("leader", "leader"), True),
        (Viewer("guotan", "office", "cwh-guotan"), True),
        (Viewer("msfw", "office", "msfw"), False),
    ):
        outcome = build_topic_report(app, viewer, matter.event_id, "2026-12-01 16:00", tmp_path / viewer.username)
        assert outcome.ok is allowed, outcome.message
        if not allowed:
            assert outcome.message == NOT_VISIBLE and not (tmp_path / viewer.username).exists()
    bad = build_topic_report(app, Viewer("duty", "duty"), matter.event_id, "12/01 16:00", tmp_path / "x")
    assert not bad.ok and "YYYY-MM-DD HH:MM" in bad.message
    with app.db.read() as session:
        audited = session.scalars(select(AuditLog.actor).where(AuditLog.action == "topic_report")).all()
    assert sorted(audited) == ["duty", "guotan", "leader"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT), reason="需要 chromium 与 pdftotext")
def test_the_print_page_prints_to_a_pdf_with_every_section(app, tmp_path):
    matter = seed_matter(app)
    report = generate_topic(app, matter.event_id, local(16, 0), tmp_path)
    pdf = tmp_path / "topic.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            report.html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    compact = "".join(text.split())
    for heading in HEADINGS:
        assert heading in compact
    assert PHONE not in compact and "表2各时段信息量" in compact


def _second_event(app, at) -> tuple[int, list[int]]:
    """Another event on the same matter (detected at `at`) with two posts of its own."""
    from topic_seed import add_post

    from yuqing.db.models import Event
    from yuqing.workflow.hooks import on_event_detected

    with app.db.write() as session:
        event = Event(
            title="郭滩村水质问题", summary="", topic="environment", urgency=3, detected_at=at, status="detected"
        )
        session.add(event)
        session.flush()
        event_id = event.id
    posts = [add_post(app, event_id, at, "weibo", "郭滩村水质", f"第{n}条:郭滩村水质问题", 0.5) for n in (1, 2)]
    with app.db.write() as session:
        on_event_detected(session, app.settings, session.get(Event, event_id), now=at)
    return event_id, posts


def test_merges_splits_and_confirmations_after_the_cutoff_are_undone(app, tmp_path):
    from yuqing.db.models import Event, Response
    from yuqing.workflow.merge import merge_events
    from yuqing.workflow.split import split_event

    matter = seed_matter(app, close=False)
    other, other_posts = _second_event(app, local(10, 0))
    with app.db.write() as session:  # a response found by the system, still to be confirmed at the cut-off
        session.add(
            Response(
                event_id=other,
                stage="respond",
                status="proposed",
                channel="镇政府网站",
                content="正在排查",
                published_at=local(11),
                recorded_at=local(11),
            )
        )
    cutoff = local(12, 0)
    kept_before = generate_topic(app, matter.event_id, cutoff, tmp_path / "a").content
    other_before = generate_topic(app, other, cutoff, tmp_path / "b").content
    with app.db.write() as session:
        response = session.scalars(select(Response).where(Response.event_id == other)).one()
        actions.confirm_response(session, app.settings, other, "duty", response.id, now=local(12, 30))
    with app.db.write() as session:
        kept, absorbed = session.get(Event, matter.event_id), session.get(Event, other)
        merge_events(session, app.settings, kept, absorbed, actor="duty", reason="同一事项", now=local(13))
    with app.db.write() as session:
        split_event(session, app.settings, matter.event_id, "duty", [matter.post_ids[2]], "另一事项", now=local(13, 30))
    with app.db.read() as session:
        assert session.get(Event, other).status == "merged"
        assert session.scalar(select(func.count(Mention.id)).where(Mention.event_id == matter.event_id)) > len(
            matter.post_ids
        )  # the merged posts are here now, one post left
    assert _text(generate_topic(app, matter.event_id, cutoff, tmp_path / "c").content) == _text(kept_before)
    assert _text(generate_topic(app, other, cutoff, tmp_path / "d").content) == _text(other_before)
    assert other_before.summary["posts"] == len(other_posts) and "待确认" in _text(other_before)
    assert "尚无经确认的回应" in _text(other_before)
    merged_now = generate_topic(app, other, local(14), tmp_path / "e").content
    assert merged_now.summary["status"] == "merged" and "不再单独跟进" in _text(merged_now)
