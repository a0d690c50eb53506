"""Dashboard users: creation, Argon2 password hashing, login checks, and server-side login sessions.

There is no account lockout: it would let anyone block a known duty officer during an incident and tell which
usernames exist. Repeated failures are slowed down per client address and username (dashboard.security)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yuqing.db.models import ROLES, AuditLog, LoginSession, Office, User
from yuqing.timeutil import utcnow

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
    else:
        revoke_sessions(session, user.id, "credentials")  # a new password or role: old cookies must not work
    user.password_hash = hash_password(password)
    user.role = role
    user.office_code = office_code
    user.display_name = display_name or user.display_name or username
    user.active = True
    user.failed_logins = 0
    session.flush()
    session.add(
        AuditLog(
            actor=actor,
            entity="user",
            entity_id=username,
            action=action,
            field="role",
            after=f"{role}:{office_code or ''}",
        )
    )
    return user


def check_login(session: Session, username: str, password: str, now: datetime | None = None) -> tuple[User | None, str]:
    """Verify a login; returns (user, "") on success or (None, Chinese reason), the same for unknown users."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher_dummy_verify(password)
        return None, "用户名或密码错误"
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        return None, "用户名或密码错误"
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_login_at = now
    session.add(AuditLog(actor=username, entity="user", entity_id=username, action="login"))
    return user, ""


def _token_id(token: str) -> str:
    # The table keeps a digest: reading the database does not yield a usable cookie.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, lifetime: timedelta, now: datetime | None = None) -> str:
    """Record a new login of the user; returns the token the cookie carries. Expired rows are cleared here."""
    now = now or utcnow()
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now - timedelta(days=7)))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=_token_id(token), user_id=user.id, created_at=now, expires_at=now + lifetime))
    return token


def session_user(session: Session, user_id: int, token: str | None, now: datetime | None = None) -> User | None:
    """The active user whose live (not revoked, not expired) login session this token names, or None."""
    if not token:
        return None
    now = now or utcnow()
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            LoginSession.id == _token_id(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
        )
    )


def end_session(session: Session, token: str | None, now: datetime | None = None) -> None:
    """Revoke one login session (logout)."""
    if token:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == _token_id(token), LoginSession.revoked_at.is_(None))
            .values(revoked_at=now or utcnow(), revoked_reason="logout")
        )


def revoke_sessions(session: Session, user_id: int, reason: str, now: datetime | None = None) -> int:
    """Revoke every live login session of a user (password or role changed, user disabled); returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow(), revoked_reason=reason)
    )
    return result.rowcount or 0


def _admin_target(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"用户 “{username}” 不存在")
    return user


def reset_password(session: Session, username: str, password: str, actor: str, now: datetime | None = None) -> User:
    """Set a new password for a user (who then logs in with it); their open logins end, their failed attempts are
    forgotten; audited, without the password."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    user = _admin_target(session, username)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    revoke_sessions(session, user.id, "password")
    session.add(
        AuditLog(
            at=now or utcnow(),
            actor=actor,
            entity="user",
            entity_id=username,
            action="password_reset",
            field="password",
            comment="管理员重设密码",
        )
    )
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _hasher_dummy_verify(password: str) -> None:
    # Spend the same time as a real check so that response time does not reveal which usernames exist.
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass
