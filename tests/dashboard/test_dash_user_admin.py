"""Lockouts say how long they last; an administrator lifts one, or sets a new password, in the 用户 page."""

from __future__ import annotations

import json

from dash_support import dash_call, login
from sqlalchemy import select

from yuqing.db.models import AuditLog, User


def _admin(dash_app):
    client = dash_app.server.test_client()
    assert login(client, "admin").status_code == 302
    return client


def _lock(dash_app, app, username: str) -> str:
    client = dash_app.server.test_client()
    pages = [login(client, username, "wrong-password") for _ in range(app.settings.dashboard.login_max_failures)]
    return pages[-1].get_data(as_text=True)


def test_the_lockout_message_says_until_when_and_how_long(dash_app, seeded_app):
    app, _ = seeded_app
    page = _lock(dash_app, app, "leader")
    assert "密码错误已达 5 次" in page and "约 15 分钟后自动解锁" in page and "联系系统管理员" in page
    again = login(dash_app.server.test_client(), "leader").get_data(as_text=True)
    assert "账户已锁定至 " in again and "分钟后自动解锁" in again


def test_an_admin_unlocks_a_user_who_then_logs_in(dash_app, seeded_app):
    app, _ = seeded_app
    _lock(dash_app, app, "leader")
    response = dash_call(_admin(dash_app), "us-state-msg.children", {
        "us-unlock.n_clicks": 1, "us-grid.selectedRows": [{"username": "leader"}], "us-changed.data": 0},
        changed="us-unlock.n_clicks")
    assert "已解除用户 “leader” 的登录锁定" in json.dumps(response.get_json(), ensure_ascii=False)
    assert login(dash_app.server.test_client(), "leader").status_code == 302


def test_an_admin_sets_a_new_password_on_the_record(dash_app, seeded_app):
    app, _ = seeded_app
    client = _admin(dash_app)
    short = dash_call(client, "us-reset-msg.children", {
        "us-reset.n_clicks": 1, "us-grid.selectedRows": [{"username": "duty"}], "us-new-password.value": "short"})
    assert "密码至少 8 位" in json.dumps(short.get_json(), ensure_ascii=False)
    done = dash_call(client, "us-reset-msg.children", {
        "us-reset.n_clicks": 1, "us-grid.selectedRows": [{"username": "duty"}],
        "us-new-password.value": "new-password-2026", "us-changed.data": 0})
    assert "已重设用户 “duty” 的密码" in json.dumps(done.get_json(), ensure_ascii=False)
    assert login(dash_app.server.test_client(), "duty").status_code == 401  # the old password no longer works
    assert login(dash_app.server.test_client(), "duty", "new-password-2026").status_code == 302
    with app.db.read() as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action == "password_reset")).one()
        assert (row.actor, row.entity_id) == ("admin", "duty") and "new-password" not in (row.comment or "")
        assert session.scalar(select(User.locked_until).where(User.username == "duty")) is None
    refused = dash_call(_admin_as(dash_app, "duty", "new-password-2026"), "us-reset-msg.children", {
        "us-reset.n_clicks": 1, "us-grid.selectedRows": [{"username": "admin"}], "us-new-password.value": "x" * 10})
    assert "无权进行此操作" in json.dumps(refused.get_json(), ensure_ascii=False)  # only an admin may


def _admin_as(dash_app, username, password):
    client = dash_app.server.test_client()
    assert login(client, username, password).status_code == 302
    return client
