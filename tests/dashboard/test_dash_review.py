"""分类复核 in the dashboard: the queue through its callback (escaped text, duty officers only), a review through the
callback checked on the server (the browser test is in test_dash_browser.py)."""

from __future__ import annotations

import json

from dash_support import XSS_TITLE, dash_call, login
from sqlalchemy import select

from yuqing.db.models import Label, Mention, TopicModel


def _client(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    return client


def _rows(dash_app, username: str) -> list[dict]:
    response = dash_call(_client(dash_app, username), "rv-grid.rowData", {"rv-changed.data": 0})
    assert response.status_code == 200, response.data
    return response.get_json()["response"]["rv-grid"]["rowData"]


def test_the_queue_lists_unlabelled_messages_as_text_for_duty_officers_only(dash_app, seeded_app):
    app, _ = seeded_app
    rows = _rows(dash_app, "duty")
    with app.db.read() as session:
        relevant = set(
            session.scalars(select(Mention.id).where(Mention.relevant.is_(True), Mention.duplicate_of.is_(None)))
        )
    assert rows and {row["id"] for row in rows} <= relevant
    assert XSS_TITLE in [row["title"] for row in rows]  # a cell value, rendered as text by the grid
    assert all("随机抽样" in row["reason"] and row["spot_check"] for row in rows)  # no model trained yet: a sample
    assert _client(dash_app, "msfw").get("/review").status_code == 200  # the page frame; its layout refuses:
    refused = dash_call(_client(dash_app, "msfw"), "rv-grid.rowData", {"rv-changed.data": 0})
    assert refused.status_code == 204 or "rowData" not in refused.get_data(as_text=True)


def test_a_review_through_the_callback_is_checked_on_the_server(dash_app, seeded_app):
    app, _ = seeded_app
    first = _rows(dash_app, "duty")[0]
    denied = dash_call(
        _client(dash_app, "msfw"),
        "rv-msg.children",
        {"rv-confirm.n_clicks": 1, "rv-grid.selectedRows": [first], "rv-changed.data": 0},
        changed="rv-confirm.n_clicks",
    )
    assert "无权进行此操作" in json.dumps(denied.get_json(), ensure_ascii=False)
    changed = dash_call(
        _client(dash_app, "duty"),
        "rv-msg.children",
        {"rv-change.n_clicks": 1, "rv-grid.selectedRows": [first], "rv-topic.value": "transport", "rv-changed.data": 0},
        changed="rv-change.n_clicks",
    )
    assert "已改为另一领域 1 条" in json.dumps(changed.get_json(), ensure_ascii=False)
    with app.db.read() as session:
        assert session.get(Mention, first["id"]).topic == "transport"
        label = session.execute(
            select(Label.actor, Label.field, Label.after, Label.action).where(Label.mention_id == first["id"])
        ).one()
    assert tuple(label) == ("duty", "topic", "transport", "spot_check")  # the sample's messages were drawn at random
    assert first["id"] not in {row["id"] for row in _rows(dash_app, "duty")}


def test_one_topic_at_a_time_and_the_topics_a_kept_out_version_lacked(dash_app, seeded_app):
    app, _ = seeded_app
    everything = _rows(dash_app, "duty")
    topic = next(row["topic"] for row in everything)  # a topic's display name, as the grid shows it
    code = next(code for code, name in app.settings.topic_names().items() if name == topic)
    response = dash_call(_client(dash_app, "duty"), "rv-grid.rowData", {"rv-changed.data": 0, "rv-filter.value": code})
    update = response.get_json()["response"]
    rows = update["rv-grid"]["rowData"]
    assert rows and {row["topic"] for row in rows} == {topic} and not any(row["spot_check"] for row in rows)
    assert f"归为“{topic}”的信息" in update["rv-count"]["children"]
    with app.db.write() as session:
        session.add(
            TopicModel(
                created_by="admin",
                status="rejected",
                details={"coverage": {"missing": ["transport"]}},
                path="models/v9",
            )
        )
    basis = json.dumps(
        dash_call(_client(dash_app, "duty"), "rv-grid.rowData", {"rv-changed.data": 0}).get_json(), ensure_ascii=False
    )
    assert f"标注中“{app.settings.topic_names()['transport']}”的信息太少" in basis, basis
