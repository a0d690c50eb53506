"""Login, sessions, CSRF and same-origin checks, rate limiting, the secret key, and security headers."""

from __future__ import annotations

import os
import stat
import time

import pytest
from dash_support import PASSWORD, dash_call, login
from sqlalchemy import select

from dashboard.security import LoginThrottle, load_secret_key
from yuqing.db.models import AuditLog, User


def test_everything_but_login_requires_a_session(dash_app):
    client = dash_app.server.test_client()
    for path in ("/", "/events", "/events/1", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"):
        response = client.get(path)
        assert response.status_code in (302, 401), path
    assert client.get("/").headers["Location"].startswith("/login?next=")
    assert client.get("/_dash-layout").status_code == 401
    response = client.post("/_dash-update-component", json={}, headers={"Origin": "http://localhost"})
    assert response.status_code == 401


def test_login_page_is_chinese_with_csrf_token(dash_app):
    page = dash_app.server.test_client().get("/login")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "用户名" in text and "密码" in text and 'name="csrf_token"' in text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_login_and_logout(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    response = login(client, "duty")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout", headers={"Origin": "http://localhost"}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    with app.db.read() as session:
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.actor == "duty", AuditLog.entity == "user")
        ).all()
    assert "login" in actions and "logout" in actions


def test_login_redirects_only_to_local_paths(dash_app):
    client = dash_app.server.test_client()
    page = client.get("/login?next=//evil.example/x")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "duty", "password": PASSWORD},
        headers={"Origin": "http://localhost"},
    )
    assert response.headers["Location"] == "/"


def test_wrong_password_and_missing_csrf_token(dash_app):
    client = dash_app.server.test_client()
    wrong = login(client, "duty", "not-the-password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    unknown = login(client, "nobody", "whatever-123")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.get_data(as_text=True)
    no_token = client.post(
        "/login", data={"username": "duty", "password": PASSWORD}, headers={"Origin": "http://localhost"}
    )
    assert no_token.status_code == 400 and "页面已过期" in no_token.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_repeated_failures_slow_down_that_address_and_name_only(dash_app, seeded_app):
    """No account lockout: an attacker guessing a duty officer's password does not keep the officer out."""
    app, _ = seeded_app
    attacker = dash_app.server.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    for _ in range(app.settings.dashboard.login_max_failures):
        assert login(attacker, "leader", "wrong-password").status_code == 401
    slowed = login(attacker, "leader")  # even the right password must wait now, from this address
    assert slowed.status_code == 429 and "秒后再试" in slowed.get_data(as_text=True)
    unknown = dash_app.server.test_client()
    unknown.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    for _ in range(app.settings.dashboard.login_max_failures):
        login(unknown, "no-such-user", "wrong-password")
    # The same answer whether the username exists or not.
    assert login(unknown, "no-such-user", "wrong-password").get_data(as_text=True).count("秒后再试") == 1
    officer = dash_app.server.test_client()
    officer.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert login(officer, "leader").status_code == 302  # the officer, from their own desk, gets in at once
    with app.db.read() as session:
        assert session.scalar(select(User.failed_logins).where(User.username == "leader")) == 0


def test_per_address_limiter_blocks_password_guessing_across_accounts(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    limit = app.settings.dashboard.login_max_failures * 4
    for number in range(limit):
        login(client, f"guess{number}", "wrong-password")
    blocked = login(client, "duty")
    assert blocked.status_code == 429 and "过于频繁" in blocked.get_data(as_text=True)


def test_throttle_delays_grow_and_a_success_forgets_only_its_own_name():
    clock = [0.0]
    throttle = LoginThrottle(free=2, max_delay=60, free_per_address=4, clock=lambda: clock[0])
    throttle.failed("1.2.3.4", "duty")
    assert throttle.wait("1.2.3.4", "duty") == 0
    throttle.failed("1.2.3.4", "duty")
    assert throttle.wait("1.2.3.4", "DUTY") == 1 and throttle.wait("5.6.7.8", "duty") == 0
    assert throttle.wait("1.2.3.4", "leader") == 0  # another name from the same address is not slowed yet
    clock[0] = 1
    throttle.failed("1.2.3.4", "duty")
    assert throttle.wait("1.2.3.4", "duty") == 2  # 1 s, 2 s, 4 s, ...
    for _ in range(20):
        throttle.failed("1.2.3.4", "duty")
    assert throttle.wait("1.2.3.4", "duty") == 60  # capped at max_delay
    assert throttle.wait("1.2.3.4", "leader") == 60  # the address itself is over its number now
    throttle.succeeded("1.2.3.4", "leader")
    assert throttle.wait("1.2.3.4", "duty") == 60  # a success with another name resets nothing
    clock[0] = 200
    throttle.failed("1.2.3.4", "duty")  # quiet for long enough: counted from the start again
    assert throttle.wait("1.2.3.4", "duty") == 0


UPDATE = {
    "output": "ov-updated.children",
    "outputs": {"id": "ov-updated", "property": "children"},
    "inputs": [],
    "state": [],
    "changedPropIds": [],
}


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Referer": "http://evil.example/page"}]
)
def test_cross_site_posts_are_refused(dash_app, headers):
    client = dash_app.server.test_client()
    login(client, "duty")
    response = client.post("/_dash-update-component", json=UPDATE, headers=headers)
    assert response.status_code == 403 and "跨站请求被拒绝" in response.get_json()["error"]
    assert client.post("/logout", headers=headers).status_code == 403
    assert client.get("/_dash-layout").status_code == 200  # still logged in


def test_same_origin_by_referer(dash_app):
    client = dash_app.server.test_client()
    login(client, "duty")
    response = dash_call(
        client,
        "ov-counts.children",
        {"ov-levels.value": [1, 2, 3, 4]},
        origin=None,
        headers={"Referer": "http://localhost/"},
    )
    assert response.status_code == 200


def test_session_expires(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    login(client, "duty")
    assert client.get("/_dash-layout").status_code == 200
    with client.session_transaction() as session:
        session["login_at"] = time.time() - app.settings.dashboard.session_minutes * 60 - 1
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/").status_code == 302


def test_disabled_user_loses_session(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    login(client, "leader")
    with app.db.write() as session:
        session.scalar(select(User).where(User.username == "leader")).active = False
    assert client.get("/_dash-layout").status_code == 401


def test_secret_key_generated_once_with_private_mode(settings_factory, tmp_path):
    settings = settings_factory()
    key = load_secret_key(settings)
    path = tmp_path / "data" / "secret_key"
    assert len(key) == 64 and path.read_text().strip() == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret_key(settings) == key
    configured = settings_factory({"dashboard": {"secret_key": "from-config"}})
    assert load_secret_key(configured) == "from-config"


def test_security_headers_on_dash_pages(dash_app):
    client = dash_app.server.test_client()
    login(client, "duty")
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert "object-src 'none'" in page.headers["Content-Security-Policy"]
