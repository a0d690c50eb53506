"""What the dashboard's user forms do: an administrator adds, disables and re-enables users and resets passwords
(用户 page); a user marks their alerts read (收件箱). Every change is audited with who made it."""

from __future__ import annotations

import re

from sqlalchemy import select

from dashboard.access import DENIED, Viewer
from dashboard.actions import ActionResult
from dashboard.event_form_checks import text_field
from yuqing.app import App
from yuqing.db.models import AuditLog, User
from yuqing.users import UserError, add_user, reset_password, revoke_sessions


def add_dashboard_user(app: App, viewer: Viewer, values: dict) -> ActionResult:
    """Create a user (admin only), audited with the admin's name."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    username = text_field(values, "username")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,50}", username):
        return ActionResult(False, "用户名应为 2–50 位字母、数字、点、下划线或连字符")
    role = values.get("role") or ""
    office = values.get("office_code") if role == "office" else None
    try:
        with app.db.write() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                return ActionResult(False, f"用户 “{username}” 已存在")
            add_user(
                session,
                username,
                values.get("password") or "",
                role,
                office,
                text_field(values, "display_name")[:100],
                actor=viewer.username,
            )
    except UserError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"已添加用户 “{username}”")


def set_user_active(app: App, viewer: Viewer, username: str | None, active: bool) -> ActionResult:
    """Disable or re-enable a user (admin only, not oneself), audited."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    if not username:
        return ActionResult(False, "请选择用户")
    if username == viewer.username and not active:
        return ActionResult(False, "不能停用自己的账户")
    with app.db.write() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return ActionResult(False, f"用户 “{username}” 不存在")
        if user.active == active:
            return ActionResult(True, "状态未变")
        user.active = active
        if not active:
            revoke_sessions(session, user.id, "disabled")
        session.add(
            AuditLog(
                actor=viewer.username,
                entity="user",
                entity_id=username,
                action="user_enable" if active else "user_disable",
                field="active",
                before=str(not active),
                after=str(active),
            )
        )
    return ActionResult(True, f"已{'启用' if active else '停用'}用户 “{username}”")


def reset_user_password(app: App, viewer: Viewer, username: str | None, password: str | None) -> ActionResult:
    """Set a new password for a user (admin only), audited with the admin's name; the user's logins end."""
    if viewer.role != "admin":
        return ActionResult(False, DENIED)
    if not username:
        return ActionResult(False, "请先在列表中选择用户")
    try:
        with app.db.write() as session:
            reset_password(session, username, password or "", viewer.username)
    except UserError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"已重设用户 “{username}” 的密码,请当面或电话告知本人")


def mark_inbox_read(app: App, viewer: Viewer, message_ids: list[int]) -> ActionResult:
    """收件箱: mark alerts sent to the viewer as read (only their own), audited."""
    from yuqing.inbox import mark_read

    if not viewer.can_open("inbox"):
        return ActionResult(False, DENIED)
    ids = [value for value in message_ids if isinstance(value, int)]
    if not ids:
        return ActionResult(False, "没有未读的提醒")
    with app.db.write() as session:
        user = session.scalar(select(User).where(User.username == viewer.username, User.active.is_(True)))
        if user is None:
            return ActionResult(False, DENIED)
        count = mark_read(session, app.settings, user, ids)
        if count:
            session.add(
                AuditLog(
                    actor=viewer.username,
                    entity="inbox",
                    entity_id=viewer.username,
                    action="inbox_read",
                    comment=f"{count} 条提醒标记为已读",
                )
            )
    return ActionResult(True, f"已将 {count} 条标记为已读" if count else "没有未读的提醒")
