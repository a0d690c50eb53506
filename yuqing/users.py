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
        return None, "登录失败次数过多,账户已临时锁定,请稍后再试"
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            session.add(AuditLog(actor=username, entity="user", entity_id=username, action="login_locked"))
        return None, "用户名或密码错误"
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(AuditLog(actor=username, entity="user", entity_id=username, action="login"))
    return user, ""


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _hasher_dummy_verify(password: str) -> None:
    # Spend the same time as a real check so that response time does not reveal which usernames exist.
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass
