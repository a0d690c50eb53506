"""Emerging events: a burst of mentions for a topic or a village above its own baseline, before any post is severe."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from yuqing.app import App
from yuqing.db.models import OPEN_STATUSES, AuditLog, Event, Mention
from yuqing.timeutil import as_utc, utcnow

log = logging.getLogger("yuqing.bursts")
HISTORY_HOURS = 7 * 24
MIN_BASELINE_HOURS = 24  # before the system has watched this long, every hour looks like a burst


def hourly_counts(rows: list[tuple[str, str | None, datetime]], now: datetime) -> dict[tuple, list[int]]:
    """Per key — (topic, None) and (None, village) — the mentions in each of the last HISTORY_HOURS hours, oldest first."""
    counts: dict[tuple, Counter] = {}
    for topic, village, seen in rows:
        age = int((now - as_utc(seen)).total_seconds() // 3600)
        if not 0 <= age < HISTORY_HOURS:
            continue
        for key in ((topic, None), (None, village)) if village else ((topic, None),):
            counts.setdefault(key, Counter())[age] += 1
    return {key: [c[age] for age in range(HISTORY_HOURS - 1, -1, -1)] for key, c in counts.items()}


def detect_bursts(app: App, now: datetime | None = None) -> list[tuple]:
    """Flag the open events behind every burst as emerging (raising 一般 to 较大); returns the burst keys."""
    from pipeline.bursts import detect_burst
    from yuqing.workflow.hooks import on_event_changed

    now = now or utcnow()
    settings = app.settings
    names = settings.topic_names()
    with app.db.read() as session:
        watching_since = session.scalar(select(func.min(Mention.first_seen_at)))
        if watching_since is None or now - as_utc(watching_since) < timedelta(hours=MIN_BASELINE_HOURS):
            return []  # the first crawls bring in days of backlog at once: no baseline to compare with yet
        # Bursts are about when people posted, not when we happened to crawl it.
        posted = func.coalesce(Mention.published_at, Mention.first_seen_at)
        rows = session.execute(
            select(Mention.topic, Mention.village, posted).where(
                Mention.relevant.is_(True), posted >= now - timedelta(hours=HISTORY_HOURS)
            )
        ).all()
    bursts = []
    for key, series in hourly_counts(rows, now).items():
        topic, village = key
        label = village or names.get(topic, topic)
        signal = detect_burst(
            series, key=label, sigma=settings.clustering.burst_sigma, min_count=settings.clustering.burst_min_mentions
        )
        if signal.emerging:
            bursts.append((key, signal.reason))
    for (topic, village), reason in bursts:
        with app.db.write() as session:
            posted = func.coalesce(Mention.published_at, Mention.first_seen_at)
            query = (
                select(Event)
                .join(Mention, Mention.event_id == Event.id)
                .where(Event.status.in_(OPEN_STATUSES), posted >= now - timedelta(hours=1))
                .distinct()
            )
            query = query.where(Mention.topic == topic) if topic else query.where(Mention.village == village)
            for event in session.scalars(query):
                if event.emerging:
                    continue
                event.emerging = True
                old_level = event.urgency
                event.reasons = list(event.reasons or []) + [f"突增:{reason}"]
                session.add(
                    AuditLog(
                        actor="system",
                        event_id=event.id,
                        entity="event",
                        entity_id=str(event.id),
                        action="emerging",
                        field="emerging",
                        before="否",
                        after="是",
                        comment=reason,
                    )
                )
                if event.urgency > 3:
                    event.urgency = 3
                    on_event_changed(session, settings, event, old_level)
                log.warning("突增预警:事件 #%s —— %s", event.id, reason)
        app.wake_outbox()
    return [key for key, _ in bursts]
