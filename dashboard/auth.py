"""Login for the dashboard: Flask-Login users, the server-rendered /login form, the guard on every request."""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from dashboard.access import Viewer
from dashboard.security import (
    UNSAFE_METHODS,
    LoginThrottle,
    add_security_headers,
    load_secret_key,
    same_origin,
)
from yuqing.app import App
from yuqing.db.models import AuditLog, User
from yuqing.users import check_login, end_session, session_user, start_session

APP_KEY = "YUQING_APP"
THROTTLE_KEY = "YUQING_LOGIN_THROTTLE"
PUBLIC_PATHS = frozenset({"/login"})
IP_FAILURE_FACTOR = 4  # one address may fail this many times the per-user number before it must wait
SESSION_TOKEN = "sid"  # the login session's token in the (signed) cookie; the server keeps its digest
_NOT_A_PATH = re.compile(r"[\x00-\x1f\x7f\\]")  # control characters (browsers drop tabs inside URLs) and "\"
log = logging.getLogger("yuqing.dashboard")
CROSS_SITE = "跨站请求被拒绝:请从本系统页面操作"
NOT_LOGGED_IN = "登录已失效,请重新登录"


class DashboardUser(UserMixin):
    """The logged-in user, as Flask-Login keeps it for one request."""

    def __init__(self, user: User):
        self.id = str(user.id)
        self.viewer = Viewer(user.username, user.role, user.office_code, user.display_name or user.username)


class LoginForm(FlaskForm):
    """Username and password, with Flask-WTF's CSRF token."""

    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=100)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


def yuqing_app() -> App:
    """The yuqing App behind the current request."""
    return current_app.config[APP_KEY]


def current_viewer() -> Viewer | None:
    """The viewer of the current request, or None when nobody is logged in."""
    if not current_user or not current_user.is_authenticated:
        return None
    return current_user.viewer


def clicking_viewer() -> Viewer:
    """The viewer of a button's callback; no update when nobody is logged in or nothing was really clicked (a
    button rendered anew fires with no clicks)."""
    from dash import ctx
    from dash.exceptions import PreventUpdate

    viewer = current_viewer()
    if viewer is None or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return viewer


def init_auth(server: Flask, app: App) -> None:
    """Configure sessions, Flask-Login, the login routes and the guard that every request passes."""
    settings = app.settings
    minutes = settings.dashboard.session_minutes
    server.config.update(
        SECRET_KEY=load_secret_key(settings),
        SESSION_COOKIE_NAME="yuqing_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.general.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which itself expires
        WTF_CSRF_SSL_STRICT=False,  # the same-origin guard below checks Origin and Referer for every POST
    )
    if not server.config["SESSION_COOKIE_SECURE"]:
        log.warning(
            "[general] public_url 不是 https:// 地址,登录 Cookie 未设置 Secure 标志,会话可能在网络上被截获。"
            "请只在内网使用看板,或经 HTTPS 反向代理访问并把 public_url 设为 https://… 的地址"
        )
    server.config[APP_KEY] = app
    server.config[THROTTLE_KEY] = LoginThrottle(
        settings.dashboard.login_max_failures,
        settings.dashboard.login_lockout_minutes * 60,
        settings.dashboard.login_max_failures * IP_FAILURE_FACTOR,
    )
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id: str) -> DashboardUser | None:
        """The user, only while the login session the cookie names is live on the server."""
        try:
            number = int(user_id)
        except ValueError:
            return None
        with app.db.read() as db:
            user = session_user(db, number, session.get(SESSION_TOKEN))
            return DashboardUser(user) if user is not None else None

    server.before_request(_guard)
    server.after_request(lambda response: add_security_headers(response, request.path in PUBLIC_PATHS))
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])


def _refuse(message: str, status: int):
    if request.path.startswith("/_dash"):
        return jsonify({"error": message}), status
    if status == 401:
        return redirect(url_for("login", next=_local_path(request.full_path)))
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}


def _guard():
    """Every request: unsafe methods must be same-origin; everything but /login needs a live session."""
    app: App = current_app.config[APP_KEY]
    if request.method in UNSAFE_METHODS and not same_origin(request, app.settings):
        return _refuse(CROSS_SITE, 403)
    if request.path in PUBLIC_PATHS:
        return None
    if not current_user.is_authenticated:
        return _refuse(NOT_LOGGED_IN, 401)
    started = session.get("login_at")
    if not isinstance(started, (int, float)) or time.time() - started > app.settings.dashboard.session_minutes * 60:
        logout_user()
        session.clear()
        return _refuse(NOT_LOGGED_IN, 401)
    return None


def _local_path(target: str | None) -> str:
    """Only a path on this site may be a redirect target: no //host, scheme, backslash or control characters."""
    if not target or _NOT_A_PATH.search(target) or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target.rstrip("?") or "/"


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _login():
    app: App = current_app.config[APP_KEY]
    throttle: LoginThrottle = current_app.config[THROTTLE_KEY]
    form = LoginForm()
    error, status = "", 200
    target = _local_path(request.args.get("next"))
    if request.method == "POST":
        address = _client_address()
        username = (form.username.data or "").strip()
        wait = throttle.wait(address, username)
        if wait > 0:
            error, status = f"登录尝试过于频繁,请 {math.ceil(wait)} 秒后再试", 429
        elif not form.validate_on_submit():
            error, status = _form_error(form), 400
        else:
            dash_user, token, error = _check(app, username, form.password.data)
            if dash_user is not None:
                throttle.succeeded(address, username)
                session.clear()
                login_user(dash_user)
                session.permanent = True
                session["login_at"] = time.time()
                session[SESSION_TOKEN] = token
                return redirect(target)
            throttle.failed(address, username)
            status = 401
    elif current_user.is_authenticated:
        return redirect(target)
    page = render_template(
        "login.html",
        form=form,
        error=error,
        town=app.settings.general.town,
        expired=request.args.get("next") is not None,
    )
    return page, status


def _check(app: App, username: str, password: str) -> tuple[DashboardUser | None, str, str]:
    """(user, session token, "") for the right password, else (None, "", reason)."""
    lifetime = timedelta(minutes=app.settings.dashboard.session_minutes)
    with app.db.write() as db:
        user, reason = check_login(db, username, password)
        if user is None:
            return None, "", reason
        return DashboardUser(user), start_session(db, user, lifetime), ""


def _form_error(form: LoginForm) -> str:
    if form.csrf_token.errors:
        return "页面已过期,请刷新后重新登录"
    messages = [message for errors in (form.username.errors, form.password.errors) for message in errors]
    return ";".join(messages) or "请输入用户名和密码"


def _logout():
    app: App = current_app.config[APP_KEY]
    viewer = current_viewer()
    if viewer is not None:
        with app.db.write() as db:
            end_session(db, session.get(SESSION_TOKEN))
            db.add(AuditLog(actor=viewer.username, entity="user", entity_id=viewer.username, action="logout"))
    logout_user()
    session.clear()
    return redirect(url_for("login"))
