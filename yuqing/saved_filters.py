"""Per-user saved filters of the event list (事件): a user saves the filters they use under a name, picks one later,
sets one as their default (applied when they open the list) and deletes those they no longer need. Each user sees
and changes only their own; what a filter shows is still limited to what the user may see (office users: their
office's events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yuqing.db.models import SavedFilter, User
from yuqing.timeutil import utcnow

FIELDS = ("topics", "levels", "offices", "statuses", "source", "village", "period", "text")
LIST_FIELDS = ("topics", "levels", "offices", "statuses")
MAX_NAME = 40
MAX_PER_USER = 30


class SavedFilterError(ValueError):
    """A saved-filter request that cannot be done; the message (Chinese) says why."""


@dataclass(frozen=True)
class Saved:
    """One saved filter as the page shows it."""

    id: int
    name: str
    values: dict[str, Any]
    is_default: bool


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Only the known filter fields, each of its type: lists of strings (levels: 1-4), single strings or None, the
    title keyword cut to 100 characters. Anything else is dropped."""
    clean: dict[str, Any] = {}
    for name in FIELDS:
        value = values.get(name)
        if name == "levels":
            clean[name] = sorted({int(v) for v in value or [] if str(v) in ("1", "2", "3", "4")})
        elif name in LIST_FIELDS:
            clean[name] = [str(v) for v in value or [] if isinstance(v, str | int) and str(v)][:50]
        elif name == "text":
            clean[name] = str(value or "").strip()[:100]
        else:
            clean[name] = str(value)[:100] if isinstance(value, str | int) and str(value) else None
    return clean


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise SavedFilterError("用户不存在或已停用")
    return user


def _own(session: Session, username: str, filter_id: int | None) -> SavedFilter:
    user = _user(session, username)
    row = session.get(SavedFilter, filter_id) if filter_id else None
    if row is None or row.user_id != user.id:
        raise SavedFilterError("请先选择一个已保存的筛选")
    return row


def _as_saved(row: SavedFilter) -> Saved:
    return Saved(row.id, row.name, clean_values(row.criteria or {}), row.is_default)


def list_filters(session: Session, username: str) -> list[Saved]:
    """The user's saved filters, the default first, then by name."""
    rows = session.scalars(
        select(SavedFilter)
        .join(User, User.id == SavedFilter.user_id)
        .where(User.username == username)
        .order_by(SavedFilter.is_default.desc(), SavedFilter.name)
    ).all()
    return [_as_saved(row) for row in rows]


def default_filter(session: Session, username: str) -> Saved | None:
    """The user's default filter, if they set one."""
    filters = list_filters(session, username)
    return filters[0] if filters and filters[0].is_default else None


def save_filter(
    session: Session, username: str, name: str, values: dict[str, Any], now: datetime | None = None
) -> tuple[Saved, bool]:
    """Save the filters under a name (the same name again replaces that filter's values). Returns the saved filter
    and whether it replaced one. Raises SavedFilterError."""
    name = " ".join((name or "").split())
    if not name:
        raise SavedFilterError("请填写筛选名称")
    if len(name) > MAX_NAME:
        raise SavedFilterError(f"筛选名称最多 {MAX_NAME} 个字")
    user = _user(session, username)
    now = now or utcnow()
    row = session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name))
    replaced = row is not None
    if row is None:
        count = len(session.scalars(select(SavedFilter.id).where(SavedFilter.user_id == user.id)).all())
        if count >= MAX_PER_USER:
            raise SavedFilterError(f"每人最多保存 {MAX_PER_USER} 个筛选,请先删除不用的")
        row = SavedFilter(user_id=user.id, name=name, created_at=now, is_default=False)
        session.add(row)
    row.criteria = clean_values(values)
    row.updated_at = now
    session.flush()
    return _as_saved(row), replaced


def set_default(session: Session, username: str, filter_id: int) -> Saved:
    """Make this filter the user's default (the one before stops being it). Raises SavedFilterError."""
    row = _own(session, username, filter_id)
    session.execute(
        update(SavedFilter).where(SavedFilter.user_id == row.user_id, SavedFilter.id != row.id).values(is_default=False)
    )
    row.is_default = True
    session.flush()
    return _as_saved(row)


def delete_filter(session: Session, username: str, filter_id: int) -> str:
    """Delete one of the user's filters; returns its name. Raises SavedFilterError."""
    row = _own(session, username, filter_id)
    name = row.name
    session.delete(row)
    session.flush()
    return name
