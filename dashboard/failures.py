"""What the dashboard answers when a request cannot be served: a clear page (not a bare 500) when the database
cannot be written or reached, with the admins alerted; and a refusal (400) for callback requests that do not
have the shape of the callback they name."""

from __future__ import annotations

import logging
from typing import Any

from dash.exceptions import CallbackException
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from yuqing.app import App
from yuqing.storage_alarm import report_storage_failure

log = logging.getLogger("yuqing.dashboard")
CALLBACK_PATH = "/_dash-update-component"
UNAVAILABLE = "数据库暂时不可用"
# What a callback raises when handed values of the wrong kind (checked after its dependencies were, see below).
BAD_INPUT_ERRORS = (
    TypeError,
    ValueError,
    LookupError,
    AttributeError,
    ArithmeticError,
    ArgumentError,
    CallbackException,
)


def init_failures(server: Flask, app: App, callback_map: dict[str, dict[str, Any]]) -> None:
    """Register the database-error page and the callback-shape check (after the login guard)."""

    def database_error(exc: DBAPIError):
        problem = report_storage_failure(app.settings, exc, f"看板 {request.method} {request.path}")
        if problem is not None:
            title, message, advice = "数据库暂时无法写入", problem.reason + "。", "系统已发邮件通知管理员处理。"
        elif isinstance(exc, OperationalError):
            log.error("看板 %s %s:数据库不可用:%s", request.method, request.path, exc.orig or exc)
            title, message, advice = UNAVAILABLE, "数据库连接失败或繁忙。", "如持续出现,请联系管理员。"
        else:
            return callback_crashed(exc)  # e.g. a list where a number belongs, refused by the driver
        if request.path.startswith("/_dash"):
            return jsonify({"error": f"{title}:{message}{advice}"}), 503
        page = render_template(
            "unavailable.html", town=app.settings.general.town, title=title, message=message, advice=advice
        )
        return page, 503, {"Retry-After": "60"}

    def check_callback():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        problem = callback_problem(request.get_json(silent=True), callback_map)
        if problem is None:
            return None
        log.warning("拒绝格式有误的看板回调请求(来自 %s):%s", request.remote_addr, problem)
        return jsonify({"error": f"请求格式有误:{problem}"}), 400

    def callback_crashed(exc: Exception):
        # A callback that breaks on values the browser would never send (a dict where a date belongs, ...): the
        # request is refused, and the traceback is kept in the log in case it was a bug rather than a bad request.
        if request.path != CALLBACK_PATH:
            raise exc
        log.error(
            "看板回调无法处理请求(来自 %s),已拒绝:%s: %s", request.remote_addr, type(exc).__name__, exc, exc_info=exc
        )
        return jsonify({"error": "请求数据无效,已拒绝"}), 400

    server.register_error_handler(DBAPIError, database_error)
    for kind in BAD_INPUT_ERRORS:
        server.register_error_handler(kind, callback_crashed)
    server.before_request(check_callback)


def callback_problem(body: Any, callback_map: dict[str, dict[str, Any]]) -> str | None:
    """Why a /_dash-update-component body is not one the named callback accepts (Chinese), or None when it is."""
    if not isinstance(body, dict):
        return "请求内容应为 JSON 对象"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return f"没有输出为 “{str(output)[:80]}” 的回调"
    spec = callback_map[output]
    outputs = body.get("outputs")
    if not (_dependency(outputs) or isinstance(outputs, list) and all(map(_dependency, outputs))):
        return "outputs 应为 {id, property} 或其列表"
    for part in ("inputs", "state"):
        values = body.get(part, [])
        declared = spec.get(part, [])
        if not isinstance(values, list) or len(values) != len(declared):
            return f"{part} 应为 {len(declared)} 项的列表"
        for position, (value, wanted) in enumerate(zip(values, declared, strict=True), start=1):
            if not _matches(value, wanted):
                return f"{part} 第 {position} 项应为 {wanted['id']}.{wanted['property']}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        return "changedPropIds 应为字符串列表"
    return None


def _dependency(value: Any) -> bool:
    return (
        isinstance(value, dict) and isinstance(value.get("property"), str) and isinstance(value.get("id"), (str, dict))
    )


def _matches(value: Any, wanted: dict[str, Any]) -> bool:
    """A value sent for a declared input: the same id and property, or for a pattern (ALL) a list of such values."""
    if str(wanted.get("id", "")).startswith("{"):  # a pattern-matching id: one dict (MATCH) or a list of them (ALL)
        return _dependency(value) or isinstance(value, list) and all(map(_dependency, value))
    return _dependency(value) and value["id"] == wanted["id"] and value["property"] == wanted["property"]
