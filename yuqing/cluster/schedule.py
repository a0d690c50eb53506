"""The crawl schedule shared by the leader and the workers (table source_schedule): which sources are due, their
leases, and what a finished batch records."""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime, timedelta

from sqlalchemy import select, update

from yuqing.app import App
from yuqing.db.models import SourceSchedule
from yuqing.timeutil import utcnow

FIRST_RUN_SPREAD = 60.0  # seconds over which sources new to the schedule first come due


def sync_sources(app: App, now: datetime | None = None) -> int:
    """Give every enabled source of config a schedule row (new ones spread over the first minute)."""
    from yuqing.ingest import insert_ignoring_conflict

    now = now or utcnow()
    added = 0
    with app.db.write() as session:
        known = set(session.scalars(select(SourceSchedule.source)))
        for conf in app.settings.sources:
            if not conf.enabled or conf.name in known:
                continue
            spread = min(conf.interval, FIRST_RUN_SPREAD) * (zlib.crc32(conf.name.encode()) % 1000) / 1000
            values = {"source": conf.name, "next_due_at": now + timedelta(seconds=spread), "polls": 0}
            if insert_ignoring_conflict(session, SourceSchedule, values, "source") is not None:
                added += 1
    return added


def capacity(app: App, now: datetime | None = None) -> int:
    """How many more sources the leader may lease now: twice what the live workers crawl at once, less what is
    leased already. Queuing more would only let leases run out while batches wait in the broker (and be queued
    again); sources left due show as overdue in `yuqing status` (workers to add)."""
    from sqlalchemy import func

    from yuqing.cluster.nodes import ALIVE_BEATS
    from yuqing.db.models import ClusterNode

    now = now or utcnow()
    conf = app.settings.cluster
    seen = now - timedelta(seconds=conf.heartbeat_seconds * ALIVE_BEATS)
    with app.db.read() as session:
        workers = session.scalar(
            select(func.count())
            .select_from(ClusterNode)
            .where(ClusterNode.role == "worker", ClusterNode.stopped.is_(False), ClusterNode.last_seen_at >= seen)
        )
        leased = session.scalar(
            select(func.count()).select_from(SourceSchedule).where(SourceSchedule.leased_until >= now)
        )
    return max(0, max(1, workers or 0) * conf.worker_batches * conf.batch_size * 2 - (leased or 0))


def lease_due(app: App, now: datetime | None = None, limit: int = 5000) -> list[tuple[str, list[str]]]:
    """Lease up to `limit` due sources (not leased, or their lease ran out), the longest due first, in batches:
    [(token, [source, ...]), ...].

    FOR UPDATE SKIP LOCKED: even two leaders (a split second during failover) never lease one source twice."""
    now = now or utcnow()
    if limit <= 0:
        return []
    conf = app.settings.cluster
    enabled = {s.name for s in app.settings.sources if s.enabled}
    lease = timedelta(seconds=conf.lease_seconds)
    with app.db.write() as session:
        rows = list(
            session.scalars(
                select(SourceSchedule)
                .where(
                    SourceSchedule.next_due_at <= now,
                    (SourceSchedule.leased_until.is_(None)) | (SourceSchedule.leased_until < now),
                )
                .order_by(SourceSchedule.next_due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        rows = [row for row in rows if row.source in enabled]
        batches: list[tuple[str, list[str]]] = []
        for start in range(0, len(rows), conf.batch_size):
            chunk = rows[start : start + conf.batch_size]
            token = uuid.uuid4().hex
            for row in chunk:
                row.leased_until, row.lease_token, row.queued_at = now + lease, token, now
            batches.append((token, [row.source for row in chunk]))
    return batches


def release(app: App, token: str) -> None:
    """A batch that could not be published: its sources are due again at once."""
    with app.db.write() as session:
        session.execute(
            update(SourceSchedule)
            .where(SourceSchedule.lease_token == token)
            .values(leased_until=None, lease_token=None)
        )


def start_batch(app: App, sources: list[str], token: str, worker: str, now: datetime | None = None) -> list[str]:
    """The sources of the batch still leased under its token (a batch re-queued after its lease ran out carries a
    new token; the old one, redelivered, then skips them); their lease runs from now."""
    now = now or utcnow()
    lease = timedelta(seconds=app.settings.cluster.lease_seconds)
    with app.db.write() as session:
        rows = list(
            session.scalars(
                select(SourceSchedule)
                .where(SourceSchedule.source.in_(sources), SourceSchedule.lease_token == token)
                .order_by(SourceSchedule.source)  # the lock order of finish_batch
                .with_for_update()
            )
        )
        for row in rows:
            row.started_at, row.worker, row.leased_until = now, worker, now + lease
        return [row.source for row in rows]


def finish_batch(app: App, intervals: dict[str, float], token: str, now: datetime | None = None) -> None:
    """The batch's sources are done (source → its interval), in one transaction: each is next due one interval
    after it was due (or now, if that has passed). A source whose lease ran out and went to another batch is left
    to that one."""
    now = now or utcnow()
    with app.db.write() as session:
        rows = list(
            session.scalars(
                select(SourceSchedule)
                .where(SourceSchedule.source.in_(list(intervals)), SourceSchedule.lease_token == token)
                .order_by(SourceSchedule.source)  # one lock order for every transaction on these rows
                .with_for_update()
            )
        )
        for row in rows:
            due = row.next_due_at + timedelta(seconds=intervals[row.source])
            row.next_due_at = max(due, now)
            row.leased_until, row.lease_token, row.done_at = None, None, now
            row.polls = (row.polls or 0) + 1
