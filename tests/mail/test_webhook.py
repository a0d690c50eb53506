"""Webhooks: JSON POSTs to a local endpoint in generic, wecom and dingtalk formats, filtered by level and kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from workflow.factories import T0, add_event, outbox

from yuqing.mail.delivery import deliver_due
from yuqing.workflow.jobs import check_deadlines


def _hook(server, **options) -> dict:
    return {"webhooks": [{"name": "值班群", "url": server.url, **options}]}


def _event(app, level=1):
    with app.db.write() as session:
        return add_event(session, app.settings, level=level, title="化工厂爆炸 13812345678").id


def test_generic_payload_carries_the_event_as_data(make_app, webhook_server):
    app = make_app(_hook(webhook_server))
    event_id = _event(app)
    assert deliver_due(app, now=T0).sent == 2  # the e-mail and the webhook
    (request,) = webhook_server.requests
    body = request["json"]
    assert body["kind"] == "alert" and body["subject"].startswith("【舆情提醒·特别重大(红)】")
    (event,) = body["events"]
    assert (event["id"], event["level"], event["office"]) == (event_id, 1, "综治维稳办公室")
    assert event["title"] == "化工厂爆炸 138****5678"
    assert event["url"] == f"http://127.0.0.1:8050/events/{event_id}"
    assert event["deadlines"][0]["due_local"] == "2026-11-25 10:30"
    with app.db.read() as session:
        (row,) = outbox(session, channel="webhook")
        assert request["headers"]["X-Yuqing-Message-Id"] == row.message_id
    assert request["headers"]["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk"])
def test_robot_formats_are_markdown(make_app, webhook_server, fmt):
    app = make_app(_hook(webhook_server, format=fmt))
    _event(app)
    deliver_due(app, now=T0)
    body = webhook_server.requests[0]["json"]
    assert body["msgtype"] == "markdown"
    text = body["markdown"]["content" if fmt == "wecom" else "text"]
    assert text.startswith("### 发现舆情事件") and "138****5678" in text and "[查看事件](http://" in text
    if fmt == "dingtalk":
        assert body["markdown"]["title"].startswith("【舆情提醒")


def test_filters_by_level_and_kind(make_app, webhook_server):
    app = make_app(_hook(webhook_server, levels=[1], kinds=["breach"]))
    _event(app, level=1)
    _event(app, level=2)
    check_deadlines(app, now=T0 + timedelta(minutes=31))  # level 1 assess breached; level 2 warned
    with app.db.read() as session:
        hooks = outbox(session, channel="webhook")
        assert [(row.kind, row.level) for row in hooks] == [("breach", 1)]


def test_failures_are_retried_and_bad_requests_are_not(make_app, webhook_server):
    app = make_app(_hook(webhook_server))
    webhook_server.replies = [(500, {}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    _event(app)
    assert deliver_due(app, now=T0).retried == 1
    assert deliver_due(app, now=T0 + timedelta(seconds=10)).retried == 1  # errcode ≠ 0 counts as a failure
    assert deliver_due(app, now=T0 + timedelta(seconds=30)).sent == 1
    assert len(webhook_server.requests) == 3
    webhook_server.replies = [(400, {})]
    _event(app)
    assert deliver_due(app, now=T0 + timedelta(seconds=31)).failed == 1
    with app.db.read() as session:
        assert outbox(session, channel="webhook")[-1].last_error == "Webhook 返回 HTTP 400"
