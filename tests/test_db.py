"""The database layer on SQLite and PostgreSQL: migrations match the models, UTC round-trips, append-only audit."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from yuqing.db.models import AuditLog, Base, Event, Office, Source


def test_migrations_match_models(any_app):
    with any_app.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []


def test_config_offices_and_sources_are_synchronised(any_app):
    with any_app.db.read() as session:
        assert session.get(Office, "dzb").lead is True
        assert {o.code for o in session.scalars(select(Office))} >= {"dzb", "msfw", "zzwb"}
        assert session.scalars(select(Source)).all() == []


def test_times_round_trip_as_aware_utc(any_app):
    local = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    with any_app.db.write() as session:
        session.add(Event(title="测试", detected_at=local))
    with any_app.db.read() as session:
        stored = session.scalars(select(Event)).one().detected_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == local


def test_audit_log_is_append_only(any_app):
    with any_app.db.write() as session:
        session.add(AuditLog(actor="tester", action="assess", before="detected", after="assessed"))
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), any_app.db.write() as session:
            session.execute(text(statement))
    with any_app.db.read() as session:
        assert session.scalars(select(AuditLog.actor).where(AuditLog.entity != "scheme")).all() == ["tester"]


def test_concurrent_writers_do_not_fail_with_locked(app):
    """Read-modify-write from several threads at once: BEGIN IMMEDIATE serialises them, no 'database is locked'."""
    with app.db.write() as session:
        session.add(Event(title="计数", mention_count=0))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with app.db.write() as session:
                    event = session.scalars(select(Event)).one()
                    event.mention_count += 1
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.db.read() as session:
        assert session.scalars(select(Event.mention_count)).one() == 100
