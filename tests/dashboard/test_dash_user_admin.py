"""Failed logins are slowed down (the page says for how long); an administrator sets a new password in the 用户
page, which ends the user's open logins."""

from __future__ import annotations

import json

from dash_support import dash_call, login
from sqlalchemy import select

from yuqing.db.models import AuditLog, User


def _admin(dash_app):
    client = dash_app.server.test_client()
    assert login(client, "admin").status_code == 302
    return client


def test_repeated_failures_are_slowed_down_and_the_page_says_for_how_long(dash_app, seeded_app):
    """No account is locked (anyone could lock a duty officer out during an incident); the guesser waits."""
    app, _ = seeded_app
    client = dash_app.server.test_client()
    pages = [login(client, "leader", "wrong-password") for _ in range(app.settings.dashboard.login_max_failures + 1)]
    assert pages[-1].status_code == 429
    assert "登录尝试过于频繁,请 " in pages[-1].get_data(as_text=True) and "秒后再试" in pages[-1].get_data(as_text=True)


def test_an_admin_sets_a_new_password_on_the_record(dash_app, seeded_app):
    app, _ = seeded_app
    client = _admin(dash_app)
    short = dash_call(
        client,
        "us-reset-msg.children",
        {"us-reset.n_clicks": 1, "us-grid.selectedRows": [{"username": "duty"}], "us-new-password.value": "short"},
    )
    assert "密码至少 8 位" in json.dumps(short.get_json(), ensure_ascii=False)
    done = dash_call(
        client,
        "us-reset-msg.children",
        {
            "us-reset.n_clicks": 1,
            "us-grid.selectedRows": [{"username": "duty"}],
            "us-new-password.value": "new-password-2026",
            "us-changed.data": 0,
        },
    )
    assert "已重设用户 “duty” 的密码" in json.dumps(done.get_json(), ensure_ascii=False)
    assert login(dash_app.server.test_client(), "duty").status_code == 401  # the old password no longer works
    assert login(dash_app.server.test_client(), "duty", "new-password-2026").status_code == 302
    with app.db.read() as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action == "password_reset")).one()
        assert (row.actor, row.entity_id) == ("admin", "duty") and "new-password" not in (row.comment or "")
        assert session.scalar(select(User.failed_logins).where(User.username == "duty")) == 0
    refused = dash_call(
        _admin_as(dash_app, "duty", "new-password-2026"),
        "us-reset-msg.children",
        {"us-reset.n_clicks": 1, "us-grid.selectedRows": [{"username": "admin"}], "us-new-password.value": "x" * 10},
    )
    assert "无权进行此操作" in json.dumps(refused.get_json(), ensure_ascii=False)  # only an admin may


def _admin_as(dash_app, username, password):
    client = dash_app.server.test_client()
    assert login(client, username, password).status_code == 302
    return client
