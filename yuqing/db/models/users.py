"""Offices, dashboard users and what belongs to a user: login sessions, read alerts, saved filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow

ROLES = {"duty": "值班员", "office": "责任单位", "leader": "镇领导", "admin": "管理员"}


class Office(Base):
    """A responsible office (责任单位), synchronised from config."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200), default="")
    head_email: Mapped[str] = mapped_column(String(200), default="")
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A dashboard user with a role; office users belong to one office."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords since the last login


class LoginSession(Base):
    """One dashboard login; the cookie carries its token. Logout, a password or role change and disabling the
    user revoke it on the server, so a copied cookie stops working at once."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token in the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))  # logout | credentials | disabled


class InboxRead(Base):
    """A dashboard user has read an alert that was sent to them (their 收件箱); unread ones are listed first."""

    __tablename__ = "inbox_reads"
    __table_args__ = (UniqueConstraint("user_id", "message_id", name="uq_inbox_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedFilter(Base):
    """A dashboard user's named filter of the event list (事件); at most one per user is their default, applied when
    they open the list."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_filter_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)  # filter field → value (yuqing.saved_filters.FIELDS)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
