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
