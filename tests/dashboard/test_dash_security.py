"""Login, sessions, CSRF and same-origin checks, rate limiting, the secret key, and security headers."""

from __future__ import annotations

import os
import stat
import time

import pytest
from dash_support import PASSWORD, dash_call, login
from sqlalchemy import select

from dashboard.security import LoginRateLimiter, load_secret_key
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
        actions = session.scalars(select(AuditLog.action).where(AuditLog.actor == "duty",
                                                                AuditLog.entity == "user")).all()
    assert "login" in actions and "logout" in actions


def test_login_redirects_only_to_local_paths(dash_app):
    client = dash_app.server.test_client()
    page = client.get("/login?next=//evil.example/x")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": token, "username": "duty",
                                                                 "password": PASSWORD},
                           headers={"Origin": "http://localhost"})
    assert response.headers["Location"] == "/"


def test_wrong_password_and_missing_csrf_token(dash_app):
    client = dash_app.server.test_client()
    wrong = login(client, "duty", "not-the-password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    unknown = login(client, "nobody", "whatever-123")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.get_data(as_text=True)
    no_token = client.post("/login", data={"username": "duty", "password": PASSWORD},
                           headers={"Origin": "http://localhost"})
    assert no_token.status_code == 400 and "页面已过期" in no_token.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_account_lockout_after_repeated_failures(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    for _ in range(app.settings.dashboard.login_max_failures):
        assert login(client, "leader", "wrong-password").status_code == 401
    locked = login(client, "leader")  # the right password, but the account is locked now
    assert locked.status_code == 401 and "锁定" in locked.get_data(as_text=True)
    with app.db.read() as session:
        assert session.scalar(select(User.locked_until).where(User.username == "leader")) is not None


def test_per_address_limiter_blocks_password_guessing_across_accounts(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    limit = app.settings.dashboard.login_max_failures * 4
    for number in range(limit):
        login(client, f"guess{number}", "wrong-password")
    blocked = login(client, "duty")
    assert blocked.status_code == 429 and "失败次数过多" in blocked.get_data(as_text=True)


def test_rate_limiter_window():
    clock = [0.0]
    limiter = LoginRateLimiter(2, 60, clock=lambda: clock[0])
    limiter.failed("1.2.3.4")
    assert not limiter.blocked("1.2.3.4")
    limiter.failed("1.2.3.4")
    assert limiter.blocked("1.2.3.4") and not limiter.blocked("5.6.7.8")
    clock[0] = 61
    assert not limiter.blocked("1.2.3.4")
    limiter.failed("1.2.3.4")
    limiter.succeeded("1.2.3.4")
    assert not limiter.blocked("1.2.3.4")


UPDATE = {"output": "ov-updated.children", "outputs": {"id": "ov-updated", "property": "children"},
          "inputs": [], "state": [], "changedPropIds": []}


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://evil.example"}, {"Origin": "null"},
                                     {"Referer": "http://evil.example/page"}])
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
    response = dash_call(client, "ov-counts.children", {"ov-levels.value": [1, 2, 3, 4]}, origin=None,
                         headers={"Referer": "http://localhost/"})
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
