"""Dashboard users: creation, Argon2 password hashing, login checks with lockout."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import ROLES, AuditLog, Office, User
from yuqing.timeutil import as_utc, utcnow

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user-management request that cannot be carried out (message in Chinese)."""


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    office_code: str | None = None,
    display_name: str = "",
    actor: str = "system",
) -> User:
    """Create a user (or reset an existing one's password, role and office), audited."""
    if role not in ROLES:
        raise UserError(f"未知角色 “{role}”,应为 {' / '.join(ROLES)}")
    if role == "office" and not office_code:
        raise UserError("责任单位用户必须用 --office 指定所属单位代码")
    if office_code and session.get(Office, office_code) is None:
        codes = ", ".join(session.scalars(select(Office.code).order_by(Office.code)))
        raise UserError(f"未知单位代码 “{office_code}”,已配置的单位:{codes}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    user = session.scalar(select(User).where(User.username == username))
    action = "user_update" if user else "user_add"
    if user is None:
        user = User(username=username)
        session.add(user)
    user.password_hash = hash_password(password)
    user.role = role
    user.office_code = office_code
    user.display_name = display_name or user.display_name or username
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    session.add(
        AuditLog(actor=actor, entity="user", entity_id=username, action=action, field="role",
                 after=f"{role}:{office_code or ''}")
    )
    return user


def check_login(session: Session, username: str, password: str, *, max_failures: int, lockout: timedelta,
                now: datetime | None = None) -> tuple[User | None, str]:
    """Verify a login; returns (user, "") on success or (None, Chinese reason). Failures count toward a lockout."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher_dummy_verify(password)
        return None, "用户名或密码错误"
    if user.locked_until and as_utc(user.locked_until) > now:
        return None, locked_message(as_utc(user.locked_until), now)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            session.add(AuditLog(actor=username, entity="user", entity_id=username, action="login_locked",
                                 field="locked_until", after=as_utc(user.locked_until).isoformat(),
                                 comment=f"连续 {max_failures} 次密码错误"))
            return None, f"密码错误已达 {max_failures} 次。" + locked_message(user.locked_until, now)
        return None, "用户名或密码错误"
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(AuditLog(actor=username, entity="user", entity_id=username, action="login"))
    return user, ""


def locked_message(until: datetime, now: datetime) -> str:
    """How long a locked account stays locked, in the words the login page shows."""
    from yuqing.timeutil import format_local

    minutes = max(1, round((until - now).total_seconds() / 60))
    return (f"账户已锁定至 {format_local(until, '%H:%M')}(约 {minutes} 分钟后自动解锁);"
            "如需提前解锁,请联系系统管理员")


def _admin_target(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"用户 “{username}” 不存在")
    return user


def unlock_user(session: Session, username: str, actor: str, now: datetime | None = None) -> User:
    """Lift a login lockout (and forget the failures counted so far), audited."""
    user = _admin_target(session, username)
    before = user.locked_until
    user.locked_until, user.failed_logins = None, 0
    session.add(AuditLog(at=now or utcnow(), actor=actor, entity="user", entity_id=username, action="user_unlock",
                         field="locked_until", before=as_utc(before).isoformat() if before else None))
    return user


def reset_password(session: Session, username: str, password: str, actor: str, now: datetime | None = None) -> User:
    """Set a new password for a user (who then logs in with it), lifting any lockout; audited, without the password."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    user = _admin_target(session, username)
    user.password_hash = hash_password(password)
    user.locked_until, user.failed_logins = None, 0
    session.add(AuditLog(at=now or utcnow(), actor=actor, entity="user", entity_id=username, action="password_reset",
                         field="password", comment="管理员重设密码"))
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _hasher_dummy_verify(password: str) -> None:
    # Spend the same time as a real check so that response time does not reveal which usernames exist.
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass
