"""Closed and merged events on the dashboard: no forms for actions that are not possible, the office alerted about
a merged event can follow it, counts leave merged events out, and the audit trail reads in Chinese."""

from __future__ import annotations

import json
import re

from dash_support import dash_call, login, viewer

from dashboard.event_panels import render_audit
from dashboard.queries.event_detail import query_event_detail
from dashboard.queries.overview import query_overview_counts
from yuqing.timeutil import utcnow
from yuqing.workflow import actions


def _client(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def _page(client, path: str) -> str:
    response = dash_call(client, "_pages_content.children", {"_pages_location.pathname": path})
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def _merge_medical_into_safety(app, data):
    with app.db.write() as session:
        actions.merge_into(session, app.settings, data.medical, "duty", data.safety, comment="同一事项")


def test_a_closed_event_shows_no_action_forms(dash_app, seeded_app):
    _, data = seeded_app
    page = _page(_client(dash_app, "duty"), f"/events/{data.closed}")
    assert "ed-no-actions" in page and "本事件已办结,无可进行的操作" in page
    assert "ed-tabs" not in page and "ed-assess-submit" not in page


def test_an_office_can_respond_before_the_assessment(dash_app, seeded_app):
    _, data = seeded_app
    client = _client(dash_app, "msfw")
    page = _page(client, f"/events/{data.medical}")  # detected: 研判 pending
    assert "ed-respond-submit" in page and "ed-assess-submit" not in page and "研判完成前即可登记回应" in page
    response = dash_call(
        client,
        "ed-respond-msg.children",
        {
            "ed-respond-submit.n_clicks": 1,
            "ed-id.data": data.medical,
            "ed-changed.data": 0,
            "ed-respond-stage.value": "publish",
            "ed-respond-channel.value": "镇政府网站",
            "ed-respond-url.value": "",
            "ed-respond-content.value": "已安排医生夜间值守",
            "ed-respond-time.value": "",
            "ed-respond-comment.value": "",
        },
    )
    assert "发布时间格式应为" in json.dumps(response.get_json(), ensure_ascii=False)  # checked, not “请先完成研判”


def test_the_office_alerted_about_a_merged_event_can_open_the_kept_one(dash_app, seeded_app):
    app, data = seeded_app
    _merge_medical_into_safety(app, data)  # msfw's event folded into zzwb's
    with app.db.read() as session:
        kept = query_event_detail(session, app.settings, data.safety, viewer("msfw"), utcnow())
        assert kept is not None and kept["merged_from"] == [data.medical]
        assert query_event_detail(session, app.settings, data.safety, viewer("zzwb"), utcnow()) is not None
    client = _client(dash_app, "msfw")
    page = _page(client, f"/events/{data.safety}")
    assert "可查看,不能操作" in page and "ed-tabs" not in page
    header = dash_call(client, "ed-header.children", {"ed-id.data": data.safety, "tick.n_intervals": 1})
    assert "金沙村砂石厂塌方一人受伤" in json.dumps(header.get_json(), ensure_ascii=False)
    gone = _page(client, f"/events/{data.medical}")
    assert "本事件已并入事件" in gone and "ed-tabs" not in gone
    # looking is not acting: a forged form post on the kept event is refused
    refused = dash_call(
        client,
        "ed-respond-msg.children",
        {
            "ed-respond-submit.n_clicks": 1,
            "ed-id.data": data.safety,
            "ed-changed.data": 0,
            "ed-respond-stage.value": "publish",
            "ed-respond-channel.value": "网站",
            "ed-respond-content.value": "x",
            "ed-respond-time.value": "2026-01-01 10:00",
        },
    )
    assert "无权进行此操作" in json.dumps(refused.get_json(), ensure_ascii=False)


def test_merged_events_leave_the_counts_and_the_audit_trail_is_chinese(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        before = query_overview_counts(session, viewer("duty"), utcnow())
    _merge_medical_into_safety(app, data)
    with app.db.read() as session:
        after = query_overview_counts(session, viewer("duty"), utcnow())
        trail = query_event_detail(session, app.settings, data.medical, viewer("duty"), utcnow())["audit"]
        trail += query_event_detail(session, app.settings, data.safety, viewer("duty"), utcnow())["audit"]
    assert sum(after["new"].values()) == sum(before["new"].values()) - 1
    assert sum(after["awaiting_assessment"].values()) == sum(before["awaiting_assessment"].values()) - 1
    for row in trail:
        for key in ("actor", "action", "field"):
            assert not re.search(r"[a-z_]{3,}", row[key]) or row[key] in ("duty",), (key, row)
        assert not (
            row["before"]
            and row["before"] == row["after"]
            and row["action_code"] in ("deadline_set", "assess", "merge")
        ), row
    assert any(
        row["action"] == "合并" and row["field"] == "并入事件" and row["after"] == f"#{data.safety}" for row in trail
    )
    assert any(row["actor"] == "系统" for row in trail)
    shown = json.dumps(render_audit(trail).to_plotly_json(), ensure_ascii=False, default=str)
    assert "→ " in shown and "完成于" in shown
