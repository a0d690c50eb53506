"""Query functions behind the pages, called directly on a seeded SQLite database, for each role."""

from __future__ import annotations

import gzip
import io

from dash_support import XSS_TITLE, viewer
from openpyxl import load_workbook

from dashboard.evidence import query_evidence, snapshot_text
from dashboard.export import make_event_workbook
from dashboard.queries.event_detail import query_event_detail, query_event_heat, query_event_mentions
from dashboard.queries.events import EventFilters, query_event_list, query_filter_choices
from dashboard.queries.offices import month_bounds, query_office_breaches, query_office_table
from dashboard.queries.overview import (
    query_alert_events,
    query_mention,
    query_newest_mentions,
    query_overview_counts,
    query_urgent_events,
)
from dashboard.queries.trends import (
    query_emerging,
    query_events_by_topic,
    query_mentions_by_topic,
    query_negative_share,
    query_topic_village,
)
from yuqing.timeutil import utcnow


def test_overview_counts_by_level_and_role(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        duty = query_overview_counts(session, viewer("duty"), utcnow())
        msfw = query_overview_counts(session, viewer("msfw"), utcnow())
    assert duty["new"] == {1: 1, 2: 1, 3: 1, 4: 0}
    assert duty["awaiting_assessment"] == {1: 1, 2: 0, 3: 1, 4: 0}
    assert duty["awaiting_response"] == {1: 0, 2: 1, 3: 0, 4: 0}
    assert duty["overdue"] == {1: 0, 2: 1, 3: 0, 4: 0}
    assert msfw["new"] == {1: 1, 2: 0, 3: 0, 4: 0} and msfw["overdue"] == {1: 0, 2: 0, 3: 0, 4: 0}


def test_urgent_events_overdue_first_with_countdowns(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        rows = query_urgent_events(session, app.settings, viewer("duty"), utcnow())
        only_overdue = query_urgent_events(session, app.settings, viewer("duty"), utcnow(), overdue_only=True)
        level_3 = query_urgent_events(session, app.settings, viewer("duty"), utcnow(), levels=[3])
    assert [r["id"] for r in rows] == [data.safety, data.medical, data.xss]
    assert rows[0]["overdue"] and rows[0]["countdown"].startswith("发布权威信息已超时 ") and rows[0]["late"]
    assert rows[1]["countdown"].startswith("研判还剩 ") and rows[1]["countdown"].endswith("分")
    assert not rows[1]["overdue"]
    assert [r["id"] for r in only_overdue] == [data.safety]
    assert [r["id"] for r in level_3] == [data.xss]


def test_office_user_sees_only_its_own_events(seeded_app):
    app, data = seeded_app
    now = utcnow()
    with app.db.read() as session:
        urgent = query_urgent_events(session, app.settings, viewer("msfw"), now)
        listed = query_event_list(session, app.settings, EventFilters(), viewer("msfw"), now)
        mentions = query_newest_mentions(session, app.settings, viewer("msfw"))
        assert query_event_detail(session, app.settings, data.safety, viewer("msfw"), now) is None
        assert query_event_detail(session, app.settings, data.medical, viewer("msfw"), now) is not None
        other_mention = query_newest_mentions(session, app.settings, viewer("zzwb"))[0]["id"]
        assert query_mention(session, app.settings, viewer("msfw"), other_mention) is None
        assert [e["id"] for e in query_alert_events(session, viewer("msfw"))] == [data.medical]
    assert [r["id"] for r in urgent] == [data.medical]
    assert sorted(r["id"] for r in listed) == sorted([data.medical, data.closed])
    assert mentions and all(m["event_id"] in (data.medical, data.closed) for m in mentions)


def test_office_user_without_office_sees_nothing(seeded_app):
    from dashboard.access import Viewer

    app, _ = seeded_app
    with app.db.read() as session:
        rows = query_event_list(session, app.settings, EventFilters(), Viewer("x", "office", None), utcnow())
    assert rows == []


def test_event_list_filters(seeded_app):
    app, data = seeded_app
    now = utcnow()

    def ids(**filters):
        with app.db.read() as session:
            return sorted(
                r["id"]
                for r in query_event_list(session, app.settings, EventFilters.from_form(**filters), viewer("duty"), now)
            )

    assert ids() == sorted([data.medical, data.safety, data.xss, data.closed])
    assert ids(statuses=["open"]) == sorted([data.medical, data.safety, data.xss])
    assert ids(statuses=["closed"]) == [data.closed]
    assert ids(levels=["1", 2]) == sorted([data.medical, data.safety])
    assert ids(topics=["medical"]) == [data.medical]
    assert ids(offices=["zzwb"]) == [data.safety]
    assert ids(village="郭滩村") == [data.xss]
    assert ids(period="1") == sorted([data.medical, data.safety, data.xss])
    assert ids(text="砂石厂") == [data.safety]
    assert ids(text="100%") == []
    assert ids(source="forum") == sorted([data.medical, data.safety, data.xss, data.closed])
    assert ids(source="no-such-source") == []


def test_event_list_rows_are_display_ready(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        rows = query_event_list(session, app.settings, EventFilters(), viewer("duty"), utcnow())
        choices = query_filter_choices(session, viewer("duty"))
    row = next(r for r in rows if r["id"] == data.safety)
    assert row["level"] == "2级 重大(橙)" and row["topic"] == "安全生产" and row["office"] == "综治维稳办公室"
    assert row["status"] == "待回应" and row["source"] == "中卫论坛、沙坡头新闻网" and row["village"] == "金沙村"
    assert {o["value"] for o in choices["sources"]} == {"news-rss", "forum"}
    assert {o["value"] for o in choices["villages"]} == {"东园村", "金沙村", "郭滩村", "柔新村"}


def test_event_detail_deadlines_responses_audit(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        detail = query_event_detail(session, app.settings, data.safety, viewer("duty"), utcnow())
        mentions = query_event_mentions(session, app.settings, data.safety)
        heat = query_event_heat(session, data.safety)
    stages = {d["stage"]: d for d in detail["deadlines"]}
    assert stages["研判"]["state"].startswith("按时完成")
    assert stages["发布权威信息"]["late"] and stages["发布权威信息"]["state"].startswith("已超时")
    assert detail["responses"][0]["status"] == "待确认"
    assessed = [a for a in detail["audit"] if a["action"] == "研判" and a["field"] == "状态"]
    assert (
        assessed
        and assessed[0]["actor"] == "duty"
        and (assessed[0]["before"], assessed[0]["after"]) == ("待研判", "待回应")
    )
    assert [m["source"] for m in mentions] == ["沙坡头新闻网", "中卫论坛"]
    assert int(heat["mentions"].sum()) == 2


def test_evidence_is_masked_text_for_permitted_roles_only(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        shown = query_evidence(session, viewer("duty"), data.xss_mention)
        assert query_evidence(session, viewer("leader"), data.xss_mention) is not None
        assert query_evidence(session, viewer("msfw"), data.xss_mention) is None
        assert query_evidence(session, viewer("duty"), 999999) is None
    assert "<script>alert('snap')</script>" in shown["text"]  # kept as text; Dash escapes it when shown
    assert "13812345678" not in shown["text"] and "138" in shown["text"]


def test_snapshot_text_handles_bad_and_huge_input():
    assert snapshot_text(b"not gzip", "utf-8")[0] == "(证据文件已损坏,无法解压)"
    assert snapshot_text(gzip.compress("中文".encode("gb18030")), "gb18030") == ("中文", False)
    assert snapshot_text(gzip.compress("中文".encode("gb18030")), None) == ("中文", False)
    text, cut = snapshot_text(gzip.compress(b"a" * 300_000), "utf-8")
    assert cut and len(text) == 200_000


def test_trends_frames(seeded_app):
    app, data = seeded_app
    now = utcnow()
    with app.db.read() as session:
        mentions = query_mentions_by_topic(session, app.settings, now, 30)
        events = query_events_by_topic(session, app.settings, viewer("duty"), now, 30)
        villages = query_topic_village(session, app.settings, now, 30)
        negative = query_negative_share(session, now, 30)
        emerging = query_emerging(session, app.settings, viewer("duty"))
    assert mentions["count"].sum() == 8 and "就医" in set(mentions["topic"])
    assert events["count"].sum() == 4
    assert set(villages["village"]) == {"东园村", "金沙村", "郭滩村", "柔新村"}
    assert negative["total"].sum() == 8 and negative["share"].max() == 0
    assert emerging == []


def test_office_table_and_breaches(seeded_app):
    app, data = seeded_app
    now = utcnow()
    with app.db.read() as session:
        rows = {r["code"]: r for r in query_office_table(session, app.settings, viewer("duty"), None, now)}
        own = query_office_table(session, app.settings, viewer("msfw"), None, now)
        breaches = query_office_breaches(session, app.settings, viewer("duty"), None, now)
    assert rows["zzwb"]["open"] == 1 and rows["zzwb"]["open_2"] == 1
    assert rows["msfw"]["open"] == 1
    assert [r["code"] for r in own] == ["msfw"]  # an office sees its own row, not the duty desk's
    # 研判 is the duty desk's: the safety event was assessed on time; offices have no 研判 rate of their own.
    assert rows["@duty"]["office"] == "舆情值班室" and rows["@duty"]["rate_assess"].startswith("100%")
    assert rows["@duty"]["open"] == 2  # the medical and the xss event await 研判
    assert rows["zzwb"]["rate_assess"] == "—"
    assert breaches == []  # nothing has been checked yet: no breach recorded


def test_month_bounds_are_local_months():
    from datetime import datetime

    from yuqing.timeutil import UTC

    start, end, label = month_bounds("2026-12", utcnow())
    assert (start, end, label) == (
        datetime(2026, 11, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
        "2026-12",
    )
    assert month_bounds("garbage", datetime(2026, 3, 5, tzinfo=UTC))[2] == "2026-03"


def test_event_workbook_is_formula_safe(seeded_app):
    app, _ = seeded_app
    with app.db.read() as session:
        rows = query_event_list(session, app.settings, EventFilters(), viewer("duty"), utcnow())
    rows.append({**rows[0], "id": 99, "title": "=HYPERLINK(\"http://x\")"})
    book = load_workbook(io.BytesIO(make_event_workbook(rows)))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["编号", "标题", "领域"]
    titles = [sheet.cell(row=i, column=2).value for i in range(2, sheet.max_row + 1)]
    assert XSS_TITLE in titles and "'=HYPERLINK(\"http://x\")" in titles


def test_event_list_and_its_export_show_the_deadline_and_how_late(seeded_app):
    from datetime import datetime

    app, data = seeded_app
    with app.db.read() as session:
        rows = {r["id"]: r for r in query_event_list(session, app.settings, EventFilters(), viewer("duty"), utcnow())}
    safety, medical = rows[data.safety], rows[data.medical]
    assert safety["deadline"].startswith("发布权威信息 ") and safety["overdue"].startswith("已超时 2小时")
    assert 1.9 < safety["overdue_hours"] < 2.1  # detected 7 h ago, 5 h to publish
    assert (
        medical["deadline"].startswith("研判(值班室) ")
        and medical["overdue"] == ""
        and medical["overdue_hours"] is None
    )
    sheet = load_workbook(io.BytesIO(make_event_workbook(list(rows.values())))).active
    header = [c.value for c in sheet[1]]
    by_id = {r[0].value: {h: c.value for h, c in zip(header, r, strict=True)} for r in sheet.iter_rows(min_row=2)}
    assert isinstance(by_id[data.safety]["截止时间"], datetime) and isinstance(by_id[data.safety]["发现时间"], datetime)
    assert by_id[data.safety]["当前环节"] == "发布权威信息" and by_id[data.medical]["超时(小时)"] is None
    assert sheet.freeze_panes == "A2"


def test_heat_bins_follow_the_events_span_from_minutes_to_weeks(seeded_app):
    from datetime import timedelta

    from dash_support import add_mention

    from dashboard.figures import make_heat_figure
    from yuqing.db.models import Event

    app, data = seeded_app
    with app.db.write() as session:
        burst, slow = session.get(Event, data.medical), session.get(Event, data.closed)
        start = burst.detected_at
        for minute in (1, 2, 7, 12, 13):  # a burst over a quarter of an hour
            add_mention(session, burst, "news-rss", "转发", "内容", start + timedelta(minutes=minute))
        for day in (1, 5, 9, 20):  # a matter that drags on for three weeks
            add_mention(session, slow, "forum", "再反映", "内容", slow.detected_at + timedelta(days=day))
    with app.db.read() as session:
        minutes = query_event_heat(session, data.medical)
        weeks = query_event_heat(session, data.closed)
    assert (minutes.attrs["bin_minutes"], minutes.attrs["bin_label"]) == (5, "每5分钟")
    # 7 mentions (the seeded 2 and these 5) over 13 minutes: on the 5-minute marks, 3 or 4 bins as the clock falls
    assert int(minutes["mentions"].sum()) == 7 and 3 <= len(minutes) <= 4
    assert all(moment.minute % 5 == 0 and moment.second == 0 for moment in minutes["hour"])
    assert (weeks.attrs["bin_minutes"], weeks.attrs["bin_label"]) == (1440, "每天")
    assert int(weeks["mentions"].sum()) == 6 and len(weeks) == 5
    figure = make_heat_figure(minutes)
    assert figure.layout.title.text == "热度走势(每5分钟)" and figure.data[0].width == 5 * 60_000 * 0.9
    assert make_heat_figure(weeks).layout.xaxis.tickformat == "%m-%d"


def test_an_office_is_shown_its_own_stages_not_the_duty_desks(seeded_app):
    from datetime import timedelta

    app, data = seeded_app
    later = utcnow() + timedelta(hours=1)  # the medical event's 研判 (30 min) is missed; msfw's 发布 (5 h) is not
    with app.db.read() as session:
        duty = query_overview_counts(session, viewer("duty"), later)
        msfw = query_overview_counts(session, viewer("msfw"), later)
        (row,) = query_urgent_events(session, app.settings, viewer("msfw"), later)
        detail = query_event_detail(session, app.settings, data.medical, viewer("msfw"), later)
    assert duty["overdue"][1] == 1 and msfw["overdue"][1] == 0
    assert row["countdown"].startswith("发布权威信息还剩") and not row["overdue"]
    holders = {d["stage"]: d["office"] for d in detail["deadlines"]}
    assert holders == {"研判": "舆情值班室", "发布权威信息": "民生服务中心", "新闻发布会": "民生服务中心"}


def test_a_breach_row_says_the_stage_who_held_it_and_how_late(seeded_app):
    from datetime import timedelta

    from yuqing.workflow.jobs import check_deadlines

    app, data = seeded_app
    check_deadlines(app, now=utcnow())  # the safety event's 发布 (zzwb) was due 2 h ago
    with app.db.read() as session:
        rows = query_office_breaches(session, app.settings, viewer("duty"), None, utcnow() + timedelta(minutes=1))
        own = query_office_breaches(session, app.settings, viewer("msfw"), None, utcnow())
    (row,) = rows
    assert (row["event_id"], row["stage"], row["office"]) == (data.safety, "发布权威信息", "综治维稳办公室")
    assert row["late"].startswith("2小时") and row["late"].endswith("(仍在超时)") and own == []
