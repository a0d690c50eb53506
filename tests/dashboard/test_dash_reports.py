"""The 报告 page builds the current or a past month's report, and lists reports made anywhere with their state."""

from __future__ import annotations

import json

from dash_support import dash_call, login

from dashboard.access import Viewer
from dashboard.queries.admin import query_reports
from yuqing.timeutil import to_local, utcnow


def _client(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def test_the_current_month_is_built_listed_and_audited(dash_app, seeded_app):
    app, _ = seeded_app
    month = to_local(utcnow()).strftime("%Y-%m")
    response = dash_call(
        _client(dash_app, "leader"),
        "rp-build-msg.children",
        {"rp-build.n_clicks": 1, "rp-month.value": month, "rp-changed.data": 0},
    )
    text = json.dumps(response.get_json(), ensure_ascii=False)
    assert "已生成《东园镇" in text and "本月尚未结束" in text
    with app.db.read() as session:
        (report,) = query_reports(session, app.settings, Viewer("admin", "admin"))
    assert (
        report["period"] == month and report["state"].startswith("截至 ") and report["state"].endswith("(本期未结束)")
    )
    assert [f["name"] for f in report["files"]] == [f"yuqing-monthly-{month}.docx", f"yuqing-monthly-{month}.xlsx"]
    listed = dash_call(
        _client(dash_app, "duty"),
        "rp-list.children",
        {"tick.n_intervals": 1, "rp-changed.data": 1},
        changed="rp-changed.data",
    )
    assert f"yuqing-monthly-{month}.docx" in json.dumps(listed.get_json(), ensure_ascii=False)


def test_a_month_not_yet_begun_is_refused_and_offices_cannot_build(dash_app):
    response = dash_call(
        _client(dash_app, "duty"),
        "rp-build-msg.children",
        {"rp-build.n_clicks": 1, "rp-month.value": "2999-01", "rp-changed.data": 0},
    )
    assert "2999年1月尚未开始" in json.dumps(response.get_json(), ensure_ascii=False)
    refused = dash_call(
        _client(dash_app, "msfw"),
        "rp-build-msg.children",
        {"rp-build.n_clicks": 1, "rp-month.value": "2026-01", "rp-changed.data": 0},
    )
    assert "无权进行此操作" in json.dumps(refused.get_json(), ensure_ascii=False)


def _topic(app, username: str, event_id: int) -> None:
    from dash_support import viewer

    from dashboard.topic_report import build_topic_report
    from yuqing.reports.topic_records import topic_folder

    outcome = build_topic_report(app, viewer(username), event_id, "", topic_folder(app.settings), formats=("docx",))
    assert outcome.ok, outcome.message


def test_offices_find_only_the_topic_reports_of_their_own_events(dash_app, seeded_app):
    from dashboard.actions import build_monthly_report
    from yuqing.db.models import Report

    app, data = seeded_app
    month = to_local(utcnow()).strftime("%Y-%m")
    assert build_monthly_report(app, Viewer("leader", "leader"), month).ok
    _topic(app, "msfw", data.medical)  # the office's own event
    _topic(app, "duty", data.safety)  # another office's event
    office = _client(dash_app, "msfw")
    page = office.get("/reports")
    assert page.status_code == 200
    listed = dash_call(
        office, "rp-list.children", {"tick.n_intervals": 1, "rp-changed.data": 1}, changed="rp-changed.data"
    )
    text = json.dumps(listed.get_json(), ensure_ascii=False)
    assert "东园村卫生院夜间无人值班" in text and "msfw用户" in text
    assert "金沙村砂石厂塌方一人受伤" not in text and "yuqing-monthly" not in text and "月度问责报告" not in text
    # Nor by asking for the files directly: a monthly file, another office's topic report.
    with app.db.read() as session:
        ids = {r.kind if r.event_id != data.safety else "safety": r.id for r in session.query(Report)}
    assert _download(office, {"type": "rp-file", "report": ids["monthly"], "index": 0}).status_code == 204
    assert _download(office, {"type": "rp-topic", "report": ids["safety"], "kind": "docx"}).status_code == 204
    sent = _download(office, {"type": "rp-topic", "report": ids["topic"], "kind": "docx"})
    assert sent.get_json()["response"]["rp-download"]["data"]["filename"].endswith(".docx")
    # The same requests from the duty desk are served: the refusals above are the office's rights, not the request.
    duty = _client(dash_app, "duty")
    assert _download(duty, {"type": "rp-file", "report": ids["monthly"], "index": 0}).status_code == 200
    assert _download(duty, {"type": "rp-topic", "report": ids["safety"], "kind": "docx"}).status_code == 200


def _download(client, file_id: dict):
    key = {"rp-file": '{"index":["ALL"],"report":["ALL"],"type":"rp-file"}.n_clicks'}.get(
        file_id["type"], '{"kind":["ALL"],"report":["ALL"],"type":"rp-topic"}.n_clicks'
    )
    return dash_call(
        client,
        "rp-download.data",
        {key: [{"id": file_id, "property": "n_clicks", "value": 1}]},
        changed=json.dumps(dict(sorted(file_id.items())), separators=(",", ":")) + ".n_clicks",
    )


def test_a_topic_report_that_cannot_be_written_again_says_why(dash_app, seeded_app):
    from yuqing.db.models import Report

    app, data = seeded_app
    _topic(app, "duty", data.safety)
    with app.db.write() as session:
        row = session.query(Report).filter(Report.event_id == data.safety).one()
        # Its file is gone (a 'print' page was never built) and the cut-off is before the event was detected.
        row.summary = {**(row.summary or {}), "cutoff": "2001-01-01T00:00:00+00:00"}
        report_id = row.id
    response = _download(_client(dash_app, "duty"), {"type": "rp-topic", "report": report_id, "kind": "html"})
    assert response.status_code == 200
    update = response.get_json()["response"]
    assert "rp-download" not in update  # nothing sent
    message = json.dumps(update["rp-download-msg"]["children"], ensure_ascii=False)
    assert "按截止时间重新生成也未成功" in message
