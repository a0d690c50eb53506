"""Hardening (issue 13): redirects after login, server-side session revocation, the Secure cookie warning,
malformed callback requests refused, and a clear page plus an admin alert when the database cannot be written."""

from __future__ import annotations

import logging

import pytest
from dash_support import PASSWORD, SOURCES, dash_call, login, seed
from sqlalchemy import event, select

from yuqing.app import open_app
from yuqing.db.models import Event, User
from yuqing.mail.sink import SmtpSink
from yuqing.users import add_user

ORIGIN = {"Origin": "http://localhost"}


def _login_to(client, next_path: str):
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post(
        f"/login?next={next_path}", data={"csrf_token": token, "username": "duty", "password": PASSWORD}, headers=ORIGIN
    )


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/phish",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "/%5cevil.example",
        "%2F%2Fevil.example",
        "https:evil.example",
        "/%00/evil.example",
        "//evil.example",
    ],
)
def test_login_never_redirects_off_site(dash_app, target):
    response = _login_to(dash_app.server.test_client(), target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_keeps_a_local_target(dash_app):
    response = _login_to(dash_app.server.test_client(), "/events%3Flevel%3D1")
    assert response.headers["Location"] == "/events?level=1"


def _replay(dash_app, cookie: str):
    thief = dash_app.server.test_client()
    thief.set_cookie("yuqing_session", cookie, domain="localhost")
    return thief.get("/_dash-layout").status_code


def _logged_in(dash_app, username: str):
    client = dash_app.server.test_client()
    assert login(client, username).status_code == 302
    cookie = client.get_cookie("yuqing_session", domain="localhost").value
    assert _replay(dash_app, cookie) == 200  # a copied cookie works while the session is live
    return client, cookie


def test_cookie_replay_after_logout_is_refused(dash_app, seeded_app):
    app, _ = seeded_app
    client, cookie = _logged_in(dash_app, "duty")
    assert client.post("/logout", headers=ORIGIN).status_code == 302
    assert _replay(dash_app, cookie) == 401
    from yuqing.db.models import LoginSession

    with app.db.read() as session:
        assert session.scalar(select(LoginSession.revoked_reason)) == "logout"


@pytest.mark.parametrize(
    "change",
    [
        {"password": "another-password-1", "role": "leader", "office": None},  # password reset
        {"password": PASSWORD, "role": "duty", "office": None},  # role change (same password)
    ],
)
def test_cookie_replay_after_password_or_role_change_is_refused(dash_app, seeded_app, change):
    app, _ = seeded_app
    _, cookie = _logged_in(dash_app, "leader")
    other, other_cookie = _logged_in(dash_app, "admin")
    with app.db.write() as session:
        add_user(session, "leader", change["password"], change["role"], change["office"], actor="admin")
    assert _replay(dash_app, cookie) == 401
    assert _replay(dash_app, other_cookie) == 200  # other users keep their sessions


def test_disabling_a_user_revokes_their_sessions(dash_app, seeded_app):
    app, _ = seeded_app
    _, cookie = _logged_in(dash_app, "leader")
    admin = dash_app.server.test_client()
    login(admin, "admin")
    dash_call(
        admin,
        "us-state-msg.children",
        {"us-disable.n_clicks": 1, "us-grid.selectedRows": [{"username": "leader"}]},
        changed="us-disable.n_clicks",
    )
    from yuqing.db.models import LoginSession

    assert _replay(dash_app, cookie) == 401
    with app.db.read() as session:
        assert session.scalar(select(User.active).where(User.username == "leader")) is False
        assert (
            session.scalar(select(LoginSession.revoked_reason).join(User).where(User.username == "leader"))
            == "disabled"
        )


def test_plain_http_is_said_at_start_and_https_sets_secure(settings_factory, caplog):
    from dashboard.app import create_app

    with caplog.at_level(logging.WARNING, logger="yuqing.dashboard"):
        create_app(open_app(settings_factory({"dashboard": {"secret_key": "k"}})))
    assert any("Secure" in r.getMessage() and "https" in r.getMessage() for r in caplog.records)
    caplog.clear()
    secure = open_app(
        settings_factory(
            {
                "sources": SOURCES,
                "dashboard": {"secret_key": "k"},
                "general": {"public_url": "https://yuqing.example.gov.cn"},
            }
        )
    )
    seed(secure)
    with caplog.at_level(logging.WARNING, logger="yuqing.dashboard"):
        dash_app = create_app(secure)
    assert not caplog.records
    response = login(dash_app.server.test_client(), "duty", origin="https://yuqing.example.gov.cn")
    assert "Secure" in response.headers["Set-Cookie"]


MALFORMED = [
    b"not json",
    b"[]",
    b"{}",
    b'{"output": 5}',
    b'{"output": "nope.children", "outputs": {"id": "nope", "property": "children"}, "inputs": []}',
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_callback_requests_are_refused(dash_app, body):
    client = dash_app.server.test_client()
    login(client, "duty")
    response = client.post("/_dash-update-component", data=body, headers={**ORIGIN, "Content-Type": "application/json"})
    assert response.status_code == 400 and "请求格式有误" in response.get_json()["error"]


@pytest.mark.parametrize(
    "values",
    [
        {"ov-levels.value": "x" * 5000},  # a string where the list of levels belongs
        {"ov-levels.value": -1},
        {"ev-levels.value": [[1]]},  # a nested list, refused by the database driver
    ],
)
def test_callback_values_of_the_wrong_kind_are_refused(dash_app, values):
    client = dash_app.server.test_client()
    login(client, "duty")
    output = "ov-counts.children" if "ov-levels.value" in values else "ev-grid.rowData"
    response = dash_call(client, output, values)
    assert response.status_code == 400 and "无效" in response.get_json()["error"]


def test_wrong_number_of_inputs_is_refused(dash_app):
    client = dash_app.server.test_client()
    login(client, "duty")
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if "ov-counts.children" in d["output"])
    body = {
        "output": dep["output"],
        "outputs": [],
        "inputs": [{"id": "tick", "property": "n_intervals", "value": 1}],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 400 and "inputs" in response.get_json()["error"]


def _read_only(app) -> None:
    """Every new connection of this app refuses writes, as SQLite does for a read-only database file."""

    @event.listens_for(app.db.engine, "connect")
    def _refuse_writes(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    app.db.engine.dispose()


def test_unwritable_database_gives_a_clear_page_and_mails_the_admins(settings_factory, monkeypatch):
    from dash_support import viewer

    from dashboard.actions import run_event_action
    from dashboard.app import create_app
    from yuqing import storage_alarm

    monkeypatch.setattr(storage_alarm, "_last_sent", {})
    with SmtpSink() as sink:
        extra = {
            "sources": SOURCES,
            "dashboard": {"secret_key": "k"},
            "mail": {"smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_timeout": 5},
        }
        seeded = open_app(settings_factory(extra))
        data = seed(seeded)
        client = create_app(seeded).server.test_client()
        login(client, "duty")  # logged in while the disk was fine
        stuck = open_app(settings_factory(extra), migrate=False)
        _read_only(stuck)
        page = login(create_app(stuck).server.test_client(), "duty")
        text = page.get_data(as_text=True)
        assert page.status_code == 503 and "数据库暂时无法写入" in text and "只读" in text
        assert "Traceback" not in text and "Internal Server Error" not in text
        result = run_event_action(stuck, viewer("duty"), "close", data.medical, {"comment": "x"})
        assert not result.ok and "操作未能保存" in result.message
        assert sink.wait_for(1, timeout=10)
        mail = sink.received[0]
        assert mail.recipients == ["admin@example.gov.cn"] and "数据库无法写入" in str(mail.message["Subject"])
        assert "只读" in mail.message.get_body(("plain",)).get_content()
        assert len(sink.received) == 1  # once an hour, not once a request
    with seeded.db.read() as session:  # nothing stored was lost
        assert session.scalar(select(Event.status).where(Event.id == data.medical)) == "detected"
