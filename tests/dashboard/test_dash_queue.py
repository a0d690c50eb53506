"""The duty desk's pages: the 待研判 queue by deadline, bulk triage through the callback, the deadline cue by holder,
and the shift handover."""

from __future__ import annotations

import json
from datetime import timedelta

from dash_support import dash_call, login, viewer
from sqlalchemy import select

from dashboard.queries.queue import query_assessment_queue, query_deadline_alerts
from yuqing.db.models import Event, ShiftHandover
from yuqing.timeutil import utcnow


def _client(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def _text(response) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_queue_lists_events_awaiting_assessment_by_deadline(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        rows = query_assessment_queue(session, app.settings, utcnow())
    # medical (level 1, 研判 due 30 min after detection 10 min ago) before xss (level 3, due 2 h after 30 min ago)
    assert [row["id"] for row in rows] == [data.medical, data.xss]
    medical, xss = rows
    assert not medical["bulk"] and xss["bulk"]  # level 1 is assessed one by one
    assert 33 <= medical["used"] <= 40 and medical["countdown"].startswith("还剩")  # 10 of 30 minutes, and the run
    assert xss["office"] == "镇党政办" and xss["route_reason"] == "测试"  # the latest routing note (seeded)


def test_deadline_cue_goes_to_the_holder(seeded_app):
    app, data = seeded_app
    later = utcnow() + timedelta(minutes=15)  # medical's 研判 at 83 %; safety's 发布 long missed
    with app.db.read() as session:
        duty = query_deadline_alerts(session, app.settings, viewer("duty"), later)
        zzwb = query_deadline_alerts(session, app.settings, viewer("zzwb"), later)
        msfw = query_deadline_alerts(session, app.settings, viewer("msfw"), later)
        leader = query_deadline_alerts(session, app.settings, viewer("leader"), later)
    assert [(d["event_id"], d["stage"], d["missed"]) for d in duty] == [(data.medical, "研判", False)]
    assert duty[0]["text"].startswith("已用去 80%,还剩")
    assert [(d["event_id"], d["stage"], d["missed"]) for d in zzwb] == [(data.safety, "发布权威信息", True)]
    assert msfw == [] and leader == []  # msfw's 发布 for medical is far off; 研判 is not msfw's to be told about


def test_bulk_triage_through_the_callback_checks_every_row_on_the_server(dash_app, seeded_app):
    app, data = seeded_app
    forged = [{"id": data.medical}, {"id": data.xss}]  # a level-1 row sent although the grid would not select it
    response = dash_call(
        _client(dash_app, "duty"),
        "q-msg.children",
        {"q-assess.n_clicks": 1, "q-grid.selectedRows": forged, "q-reason.value": "", "q-changed.data": 0},
    )
    text = _text(response)
    assert "按建议研判:已处理 1 起,未处理 1 起" in text and "1–2 级事件须逐个研判" in text
    with app.db.read() as session:
        statuses = dict(session.execute(select(Event.id, Event.status)).all())
    assert statuses[data.medical] == "detected" and statuses[data.xss] == "assessed"
    refused = dash_call(
        _client(dash_app, "msfw"),
        "q-msg.children",
        {"q-false.n_clicks": 1, "q-grid.selectedRows": [{"id": data.medical}], "q-reason.value": "x"},
        changed="q-false.n_clicks",
    )
    assert "无权进行此操作" in _text(refused)


def test_a_handover_is_written_and_acknowledged_by_another_duty_officer(dash_app, seeded_app):
    app, _ = seeded_app
    from yuqing.users import add_user

    with app.db.write() as session:
        add_user(session, "duty2", "password-123", "duty", None, "接班值班员", actor="test")
    response = dash_call(
        _client(dash_app, "duty"),
        "sh-msg.children",
        {"sh-handover.n_clicks": 1, "sh-note.value": "卫生院事件待研判", "sh-changed.data": 0},
    )
    assert "已交班" in _text(response)
    with app.db.read() as session:
        handover = session.scalars(select(ShiftHandover)).one()
        assert handover.summary["awaiting_assessment"] == 2 and handover.note == "卫生院事件待研判"
        handover_id = handover.id
    client = _client(dash_app, "duty2")
    banner = dash_call(client, "alert-banner.children", {"tick.n_intervals": 1})
    assert "交班待确认" in _text(banner)
    key = '{"id":["ALL"],"type":"sh-ack"}.n_clicks'
    ack = dash_call(
        client,
        "sh-ack-msg.children",
        {key: [{"id": {"id": handover_id, "type": "sh-ack"}, "property": "n_clicks", "value": 1}]},
        changed=json.dumps({"id": handover_id, "type": "sh-ack"}, separators=(",", ":")) + ".n_clicks",
    )
    assert "已确认接班" in _text(ack)
    with app.db.read() as session:
        assert session.get(ShiftHandover, handover_id).acknowledged_by == "duty2"
