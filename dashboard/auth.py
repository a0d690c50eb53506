"""Login for the dashboard: Flask-Login users, the server-rendered /login form, the guard on every request."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from dashboard.access import Viewer
from dashboard.security import (
    UNSAFE_METHODS,
    LoginRateLimiter,
    add_security_headers,
    load_secret_key,
    same_origin,
)
from yuqing.app import App
from yuqing.db.models import AuditLog, User
from yuqing.users import check_login

APP_KEY = "YUQING_APP"
LIMITER_KEY = "YUQING_LOGIN_LIMITER"
PUBLIC_PATHS = frozenset({"/login"})
IP_FAILURE_FACTOR = 4  # one address may fail this many times the per-user limit before it must wait
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
    server.config[APP_KEY] = app
    server.config[LIMITER_KEY] = LoginRateLimiter(
        settings.dashboard.login_max_failures * IP_FAILURE_FACTOR, settings.dashboard.login_lockout_minutes * 60
    )
    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id: str) -> DashboardUser | None:
        try:
            number = int(user_id)
        except ValueError:
            return None
        with app.db.read() as db:
            user = db.get(User, number)
            return DashboardUser(user) if user is not None and user.active else None

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
    """Only a path on this site may be a redirect target (no //host or scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target.rstrip("?") or "/"


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _login():
    app: App = current_app.config[APP_KEY]
    limiter: LoginRateLimiter = current_app.config[LIMITER_KEY]
    form = LoginForm()
    error, status = "", 200
    target = _local_path(request.args.get("next"))
    if request.method == "POST":
        address = _client_address()
        if limiter.blocked(address):
            error = f"此地址登录失败次数过多,请 {app.settings.dashboard.login_lockout_minutes} 分钟后再试"
            status = 429
        elif not form.validate_on_submit():
            error, status = _form_error(form), 400
        else:
            dash_user, error = _check(app, form.username.data.strip(), form.password.data)
            if dash_user is not None:
                limiter.succeeded(address)
                session.clear()
                login_user(dash_user)
                session.permanent = True
                session["login_at"] = time.time()
                return redirect(target)
            limiter.failed(address)
            status = 401
    elif current_user.is_authenticated:
        return redirect(target)
    page = render_template("login.html", form=form, error=error, town=app.settings.general.town,
                           expired=request.args.get("next") is not None)
    return page, status


def _check(app: App, username: str, password: str) -> tuple[DashboardUser | None, str]:
    dashboard = app.settings.dashboard
    with app.db.write() as db:
        user, reason = check_login(db, username, password, max_failures=dashboard.login_max_failures,
                                   lockout=timedelta(minutes=dashboard.login_lockout_minutes))
        return (DashboardUser(user) if user is not None else None), reason


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
            db.add(AuditLog(actor=viewer.username, entity="user", entity_id=viewer.username, action="logout"))
    logout_user()
    session.clear()
    return redirect(url_for("login"))
