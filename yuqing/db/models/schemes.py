"""Monitoring schemes (监测方案) and their version history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow


class MonitoringScheme(Base):
    """A monitoring scheme (监测方案) in force: seeded from config.toml's [[schemes]] (origin config) or written on
    the 监测方案 page (origin dashboard). `managed_by` says who governs it now: config (config.toml changes are
    applied when the application opens) or dashboard (edited on the page at least once; config no longer touches
    it). Every change is a SchemeVersion row."""

    __tablename__ = "monitoring_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str] = mapped_column(Text, default="")
    exclude: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    office_code: Mapped[str | None] = mapped_column(String(50))  # the office that keeps it; None: the town's
    origin: Mapped[str] = mapped_column(String(20), default="config")  # config | dashboard
    managed_by: Mapped[str] = mapped_column(String(20), default="config")  # config | dashboard
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchemeVersion(Base):
    """One change of a monitoring scheme: who, when, what (seed | config | create | edit | disable | enable),
    the scheme before and after (None before its first version). The highest id tells every process that the
    schemes changed."""

    __tablename__ = "scheme_versions"
    __table_args__ = (UniqueConstraint("scheme_id", "version", name="uq_scheme_versions_scheme_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("monitoring_schemes.id"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
