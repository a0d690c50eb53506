"""Callbacks called through /_dash-update-component as the browser calls them: data, rights, escaping."""

from __future__ import annotations

import json

from dash import html
from dash_support import XSS_CONTENT, XSS_TITLE, dash_call, login
from sqlalchemy import select

from dashboard.shell import alert_update
from yuqing.db.models import AuditLog, Event, User

OVERVIEW = {"tick.n_intervals": 1, "ov-levels.value": [1, 2, 3, 4], "ov-overdue.value": []}


def _client(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def _page(client, path: str) -> str:
    response = dash_call(client, "_pages_content.children", {"_pages_location.pathname": path})
    assert response.status_code == 200
    return _text(response)


def _text(response) -> str:
    """The response JSON with escapes decoded, for looking for Chinese text."""
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_overview_refresh_for_duty_and_office(dash_app, seeded_app):
    _, data = seeded_app
    duty = _text(dash_call(_client(dash_app, "duty"), "ov-counts.children", OVERVIEW))
    assert "发布权威信息已超时" in duty and "研判还剩" in duty and "金沙村砂石厂塌方一人受伤" in duty
    office = _text(dash_call(_client(dash_app, "msfw"), "ov-counts.children", OVERVIEW))
    assert "东园村卫生院夜间无人值班" in office and "金沙村砂石厂塌方一人受伤" not in office


def test_event_list_callback_is_scoped_server_side(dash_app, seeded_app):
    _, data = seeded_app
    values = {"tick.n_intervals": 1, "ev-offices.value": ["zzwb"]}  # an office user cannot widen its scope
    rows = dash_call(_client(dash_app, "msfw"), "ev-grid.rowData", values).get_json()["response"]["ev-grid"]["rowData"]
    assert rows == []
    rows = dash_call(_client(dash_app, "duty"), "ev-grid.rowData", values).get_json()["response"]["ev-grid"]["rowData"]
    assert [r["id"] for r in rows] == [data.safety]


def test_office_user_cannot_open_or_refresh_another_offices_event(dash_app, seeded_app):
    _, data = seeded_app
    client = _client(dash_app, "msfw")
    assert "事件不存在或无权查看" in _page(client, f"/events/{data.safety}")
    refresh = dash_call(client, "ed-header.children", {"ed-id.data": data.safety, "tick.n_intervals": 1})
    assert refresh.status_code == 204
    own = dash_call(client, "ed-header.children", {"ed-id.data": data.medical, "tick.n_intervals": 1})
    assert own.status_code == 200 and "东园村卫生院夜间无人值班" in _text(own)


def test_pages_refuse_roles_that_may_not_open_them(dash_app):
    client = _client(dash_app, "msfw")
    for path in ("/users", "/trends", "/sources"):
        assert "无权访问此页面" in _page(client, path), path
    assert dash_call(client, "us-grid.rowData", {"us-changed.data": 1}).status_code == 204


def test_assess_through_the_callback_is_audited_with_the_user(dash_app, seeded_app):
    app, data = seeded_app
    client = _client(dash_app, "duty")
    response = dash_call(
        client,
        "ed-assess-msg.children",
        {
            "ed-assess-submit.n_clicks": 1,
            "ed-id.data": data.medical,
            "ed-changed.data": 0,
            "ed-assess-topic.value": "medical",
            "ed-assess-level.value": 1,
            "ed-assess-office.value": "msfw",
            "ed-assess-comment.value": "核实属实",
        },
    )
    assert "已完成研判" in _text(response)
    with app.db.read() as session:
        rows = session.execute(
            select(AuditLog.actor, AuditLog.comment).where(
                AuditLog.event_id == data.medical, AuditLog.action == "assess"
            )
        ).all()
        assert session.get(Event, data.medical).status == "assessed"
    assert rows and all(actor == "duty" and comment == "核实属实" for actor, comment in rows)
    refreshed = dash_call(client, "ed-header.children", {"ed-id.data": data.medical, "ed-changed.data": 1})
    assert "研判" in _text(refreshed) and "duty" in _text(refreshed)


def test_merge_through_the_form_links_the_merged_event_to_the_kept_one(dash_app, seeded_app):
    app, data = seeded_app
    client = _client(dash_app, "duty")
    response = dash_call(
        client,
        "ed-merge-msg.children",
        {
            "ed-merge-submit.n_clicks": 1,
            "ed-id.data": data.xss,
            "ed-changed.data": 0,
            "ed-merge-target.value": f"#{data.medical}",
            "ed-merge-comment.value": "同一事项",
        },
    )
    assert "已合并到目标事件" in _text(response)
    header = _text(dash_call(client, "ed-header.children", {"ed-id.data": data.xss, "ed-changed.data": 1}))
    assert "已合并" in header and f"/events/{data.medical}" in header


def test_office_user_form_post_for_another_office_is_refused(dash_app, seeded_app):
    app, data = seeded_app
    response = dash_call(
        _client(dash_app, "msfw"),
        "ed-close-msg.children",
        {"ed-close-submit.n_clicks": 1, "ed-id.data": data.safety, "ed-changed.data": 0, "ed-close-comment.value": ""},
    )
    assert "事件不存在或无权查看" in _text(response)


def _evidence(client, mention_id: int):
    key = '{"id":["ALL"],"type":"ed-evidence"}.n_clicks'
    values = {key: [{"id": {"id": mention_id, "type": "ed-evidence"}, "property": "n_clicks", "value": 1}]}
    return dash_call(
        client,
        "ed-evidence.children",
        values,
        changed=json.dumps({"id": mention_id, "type": "ed-evidence"}, separators=(",", ":")) + ".n_clicks",
    )


def test_evidence_shown_as_masked_text_to_duty_only(dash_app, seeded_app):
    _, data = seeded_app
    shown = _evidence(_client(dash_app, "duty"), data.xss_mention)
    pre = shown.get_json()["response"]["ed-evidence"]["children"][-1]
    assert pre["type"] == "Pre" and "<script>alert('snap')</script>" in pre["props"]["children"]
    assert "13812345678" not in pre["props"]["children"]
    hidden = _text(_evidence(_client(dash_app, "leader"), data.xss_mention))
    assert "alert('snap')" in hidden
    refused = _text(_evidence(_client(dash_app, "msfw"), data.xss_mention))
    assert "无权查看" in refused and "snap" not in refused


def test_web_text_only_ever_travels_as_plain_strings(dash_app, seeded_app):
    _, data = seeded_app
    client = _client(dash_app, "duty")
    payloads = [
        dash_call(client, "ov-counts.children", OVERVIEW).get_data(as_text=True),
        dash_call(client, "ed-header.children", {"ed-id.data": data.xss}).get_data(as_text=True),
        dash_call(client, "ev-grid.rowData", {"tick.n_intervals": 1}).get_data(as_text=True),
        _page(client, f"/events/{data.xss}"),
    ]
    for payload in payloads:
        assert "dangerously_allow_html" not in payload and '"Markdown"' not in payload
        assert "cellRenderer" not in payload and "dangerously_allow_code" not in payload
    header = dash_call(client, "ed-header.children", {"ed-id.data": data.xss}).get_json()
    timeline = header["response"]["ed-timeline"]["children"]
    texts = json.dumps(timeline, ensure_ascii=False)
    assert json.dumps(XSS_CONTENT, ensure_ascii=False)[1:-1] in texts
    title = header["response"]["ed-header"]["children"][0]["props"]["children"][-1]
    assert title["props"]["children"] == XSS_TITLE


def test_alert_cue_for_new_level_one_and_two_events_and_standing_deadlines():
    events = [
        {"key": "e5", "kind": "event", "id": 5, "title": "新", "urgency": 1},
        {"key": "e3", "kind": "event", "id": 3, "title": "旧", "urgency": 2},
    ]
    banner, seen, ping = alert_update(events, None)
    assert seen == ["e5", "e3"] and ping is not None and not isinstance(ping, dict)  # first look: remember, no cue
    assert not isinstance(banner, html.Div)
    banner, seen, ping = alert_update(events, ["e3"])
    assert ping == {"ids": ["e5"]} and "新的重大舆情" in json.dumps(
        banner.to_plotly_json(), default=str, ensure_ascii=False
    )
    banner, seen, ping = alert_update(events, ["e5", "e3"])
    assert not isinstance(ping, dict)
    late = {
        "key": "d9:missed",
        "kind": "deadline",
        "event_id": 5,
        "title": "新",
        "urgency": 1,
        "stage": "研判",
        "missed": True,
        "text": "已超时 5分",
    }
    banner, seen, ping = alert_update(events + [late], None)  # a missed deadline is shown at once, without sound
    text = json.dumps(banner.to_plotly_json(), default=str, ensure_ascii=False)
    assert "0 个已用去 80% 以上,1 个已超时" in text and "研判超时" in text and not isinstance(ping, dict)


def test_alert_callback_announces_an_event_that_arrives(dash_app, seeded_app):
    app, data = seeded_app
    client = _client(dash_app, "duty")
    first = dash_call(client, "alert-banner.children", {"tick.n_intervals": 1}).get_json()["response"]
    seen = first["alert-seen"]["data"]
    assert {key for key in seen if key.startswith("e")} == {f"e{data.medical}", f"e{data.safety}"}
    assert "alert-ping" not in first
    with app.db.write() as session:
        session.add(Event(title="柔新村养老院火情", topic="elderly", urgency=1, status="detected"))
    second = dash_call(client, "alert-banner.children", {"tick.n_intervals": 2, "alert-seen.data": seen})
    payload = second.get_json()["response"]
    assert "柔新村养老院火情" in _text(second) and payload["alert-ping"]["data"]["ids"]


def test_export_sends_an_excel_file(dash_app):
    response = dash_call(_client(dash_app, "duty"), "ev-download.data", {"ev-export.n_clicks": 1})
    data = response.get_json()["response"]["ev-download"]["data"]
    assert data["filename"].startswith("事件清单_") and data["filename"].endswith(".xlsx") and data["base64"]


def test_reports_list_and_download_only_files_inside_the_reports_folder(dash_app, seeded_app, tmp_path):
    from pathlib import Path

    from yuqing.db.models import Report

    app, _ = seeded_app
    out_dir = Path(app.settings.reports.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "月报_2026-10.docx").write_bytes(b"docx bytes")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for download")
    with app.db.write() as session:
        session.add(
            Report(
                kind="monthly",
                period="2026-10",
                files=[str(out_dir / "月报_2026-10.docx"), str(outside), "../secret.txt"],
            )
        )
    client = _client(dash_app, "leader")
    listed = _text(dash_call(client, "rp-list.children", {"tick.n_intervals": 0}))
    assert "月度问责报告" in listed and "月报_2026-10.docx" in listed and "secret" not in listed
    key = '{"index":["ALL"],"report":["ALL"],"type":"rp-file"}.n_clicks'
    file_id = {"index": 0, "report": 1, "type": "rp-file"}
    response = dash_call(
        client,
        "rp-download.data",
        {key: [{"id": file_id, "property": "n_clicks", "value": 1}]},
        changed=json.dumps(file_id, separators=(",", ":")) + ".n_clicks",
    )
    sent = response.get_json()["response"]["rp-download"]["data"]
    assert sent["filename"] == "月报_2026-10.docx"
    with app.db.read() as session:
        assert session.scalar(select(AuditLog.actor).where(AuditLog.action == "report_download")) == "leader"
    office = _text(dash_call(_client(dash_app, "msfw"), "rp-list.children", {"tick.n_intervals": 0}))
    assert "月报_2026-10.docx" not in office and "本单位事件尚无专题报告" in office  # offices: only 专题报告


def test_trends_offices_and_sources_callbacks(dash_app):
    client = _client(dash_app, "leader")
    trends = dash_call(client, "tr-mentions.figure", {"tr-days.value": 7, "tick.n_intervals": 0}).get_json()
    figure = trends["response"]["tr-mentions"]["figure"]
    assert figure["layout"]["title"]["text"] == "相关信息数(按领域,每日)" and figure["data"]
    offices = dash_call(client, "of-table.rowData", {"of-month.value": None, "tick.n_intervals": 0}).get_json()
    assert {row["office"] for row in offices["response"]["of-table"]["rowData"]} >= {"民生服务中心", "综治维稳办公室"}
    sources = dash_call(client, "so-grid.rowData", {"tick.n_intervals": 0}).get_json()
    assert {row["title"] for row in sources["response"]["so-grid"]["rowData"]} == {"沙坡头新闻网", "中卫论坛"}
    office_view = dash_call(_client(dash_app, "msfw"), "of-table.rowData", {"tick.n_intervals": 0}).get_json()
    assert [row["code"] for row in office_view["response"]["of-table"]["rowData"]] == ["msfw"]


def test_admin_adds_a_user_through_the_form(dash_app, seeded_app):
    app, _ = seeded_app
    values = {
        "us-add.n_clicks": 1,
        "us-username.value": "wang",
        "us-display.value": "王五",
        "us-password.value": "long-enough-1",
        "us-role.value": "leader",
        "us-changed.data": 0,
    }
    added = dash_call(_client(dash_app, "admin"), "us-add-msg.children", values)
    assert "已添加用户" in _text(added) and added.get_json()["response"]["us-password"]["value"] == ""
    refused = dash_call(_client(dash_app, "duty"), "us-add-msg.children", {**values, "us-username.value": "li"})
    assert "无权进行此操作" in _text(refused)
    with app.db.read() as session:
        assert session.scalar(select(User.role).where(User.username == "wang")) == "leader"
        assert session.scalar(select(User.id).where(User.username == "li")) is None
