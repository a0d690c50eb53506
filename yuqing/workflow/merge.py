"""Merging two events found to be one matter: automatically when a new mention bridges them, or by a duty officer.

The event kept takes the other's mentions, proposed and confirmed responses, hourly heat, terms and severity
signals; the other becomes 已合并 with a link to the kept one, its open deadlines stop, its alerts not yet sent
are dropped, whoever was told about it hears where the matter went, and its breaches stay on record. Both sides
get audit rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yuqing.db.models import Event, EventHeat, Mention, Response
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc
from yuqing.workflow import audit
from yuqing.workflow.deadlines import cancel_open
from yuqing.workflow.notify import tell_where_merged


def may_be_one_matter(first: Event, second: Event) -> bool:
    """An emergency (level 1–2) and a routine matter that names no kind of emergency in common are kept apart by
    automatic merging, however alike their words (a food poisoning at a school and a complaint about its lunches)."""
    if min(first.urgency, second.urgency) > 2:
        return True
    hazards = [set((event.signals or {}).get("hazards", ())) for event in (first, second)]
    return bool(hazards[0] & hazards[1])


def survivor(first: Event, second: Event) -> tuple[Event, Event] | None:
    """(kept, absorbed) for an automatic merge: the event an officer has already worked on is kept, else the one
    detected first; None when both have been worked on (an officer decides that merge)."""
    worked = [event for event in (first, second) if event.assessed_at is not None or event.status != "detected"]
    if len(worked) == 2:
        return None
    if worked:
        kept = worked[0]
    else:
        kept = min((first, second), key=lambda event: (as_utc(event.detected_at), event.id))
    return kept, (second if kept is first else first)


def _move_heat(session: Session, kept_id: int, absorbed_id: int) -> None:
    """Add the absorbed event's hourly heat rows to the kept event's (sources recounted afterwards)."""
    rows = session.scalars(select(EventHeat).where(EventHeat.event_id == absorbed_id)).all()
    for row in rows:
        target = session.get(EventHeat, (kept_id, row.hour))
        if target is None:
            target = EventHeat(event_id=kept_id, hour=row.hour, mentions=0, sources=0, reposts=0, negative=0)
            session.add(target)
        target.mentions += row.mentions
        target.reposts += row.reposts
        target.negative += row.negative
        target.sources = max(target.sources, row.sources)
    session.flush()
    session.execute(delete(EventHeat).where(EventHeat.event_id == absorbed_id))


def merge_events(
    session: Session, settings: Settings, kept: Event, absorbed: Event, *, actor: str, reason: str, now: datetime
) -> Event:
    """Fold `absorbed` into `kept` in the caller's transaction; returns the kept event."""
    from pipeline.anchors import Anchors
    from pipeline.event_terms import representative_terms
    from pipeline.urgency import Signals
    from yuqing.event_figures import raise_level, refresh_counts
    from yuqing.workflow.hooks import on_event_changed

    if kept.id == absorbed.id:
        raise ValueError("cannot merge an event into itself")
    # What the absorbed event brings, so that a person can undo the merge (yuqing.workflow.split.unmerge_event).
    absorbed.merge_record = {
        "mentions": list(session.scalars(select(Mention.id).where(Mention.event_id == absorbed.id))),
        "responses": list(session.scalars(select(Response.id).where(Response.event_id == absorbed.id))),
        "status": absorbed.status,
    }
    session.execute(update(Mention).where(Mention.event_id == absorbed.id).values(event_id=kept.id))
    session.execute(update(Response).where(Response.event_id == absorbed.id).values(event_id=kept.id))
    _move_heat(session, kept.id, absorbed.id)
    kept.term_counts = dict(Counter(kept.term_counts or {}) + Counter(absorbed.term_counts or {}))
    kept.anchors = Anchors.from_dict(kept.anchors).union(Anchors.from_dict(absorbed.anchors)).to_dict()
    kept.key_terms = sorted(representative_terms(kept.term_counts, limit=12))
    kept.village = kept.village or absorbed.village
    kept.emerging = bool(kept.emerging or absorbed.emerging)
    times = [as_utc(t) for t in (kept.last_mention_at, absorbed.last_mention_at) if t is not None]
    kept.last_mention_at = max(times) if times else kept.last_mention_at
    old_level = kept.urgency
    refresh_counts(session, kept, now)
    raise_level(kept, Signals.from_dict(absorbed.signals or {}), absorbed.urgency, settings)
    if absorbed.urgency < kept.urgency:  # the other event's level stands for facts the kept one now holds
        kept.urgency, kept.reasons = absorbed.urgency, list(absorbed.reasons or [])
    if kept.urgency < old_level and kept.urgency == absorbed.urgency:
        kept.title, kept.summary = absorbed.title, absorbed.summary  # known by the post that made it serious
    cancel_open(session, absorbed, now, actor, f"并入事件 #{kept.id}")
    audit.change_fields(
        session,
        absorbed,
        {"status": "merged", "merged_into_id": kept.id, "status_reason": reason, "closed_at": now},
        actor=actor,
        action="merge",
        at=now,
        comment=reason,
    )
    audit.record(
        session,
        actor=actor,
        action="merge",
        event_id=kept.id,
        field="merged_from",
        after=absorbed.id,
        comment=f"并入事件 #{absorbed.id}“{absorbed.title[:40]}”:{reason}",
        at=now,
    )
    refresh_counts(session, absorbed, now)
    if kept.urgency != old_level:
        on_event_changed(session, settings, kept, old_level, now)
    tell_where_merged(session, settings, kept, absorbed, reason, now)
    return kept
