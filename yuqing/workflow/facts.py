"""The event follows the facts: its casualty figures, title and level come from the newest authoritative report.

An official release outranks the media, the media outrank what people post. A report that gives casualty
figures and is at least as authoritative as the one the event rests on becomes its source of facts: the event's
figures are that report's (3 dead becomes 5 dead, not the largest number anyone wrote), its title is that report's
title, and its level is decided again with those figures. An official release may lower a level that rumours
raised, unless a duty officer has assessed the event. Every change is an audit row, so earlier values stay in
the event's history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from yuqing.db.models import Event, Mention
from yuqing.settings_model import Settings
from yuqing.workflow import audit

OFFICIAL, MEDIA, PUBLIC = 3, 2, 1
RANK_NAMES = {OFFICIAL: "官方发布", MEDIA: "媒体报道", PUBLIC: "网民发布"}
KINDS = ("dead", "injured", "trapped", "missing", "poisoned")


def authority(mention: Mention) -> int:
    """How authoritative the mention's source is: official release, media, or the public."""
    if mention.official or mention.source_type == "official":
        return OFFICIAL
    return MEDIA if mention.source_type == "news" else PUBLIC


def _figures(casualties) -> dict[str, int]:
    return {kind: getattr(casualties, kind) for kind in KINDS if getattr(casualties, kind)}


def newer_facts(current: dict, mention: Mention, signals, now: datetime) -> dict | None:
    """The facts the mention establishes if it gives casualty figures and is at least as authoritative as the
    current source of facts; None otherwise."""
    figures = _figures(signals.casualties)
    rank = authority(mention)
    if not figures or rank < (current or {}).get("rank", 0):
        return None  # what people post does not overwrite what officials or the media said
    return {"rank": rank, "figures": figures, "mention_id": mention.id, "at": now.isoformat()}


def describe(figures: dict[str, int]) -> str:
    """死亡5人、受伤12人 (or 无 for no figures)."""
    from pipeline.casualties import KINDS as NAMES

    return "、".join(f"{NAMES[kind]}{figures[kind]}人" for kind in KINDS if figures.get(kind)) or "无"


def follow_facts(session: Session, event: Event, mention: Mention, signals, now: datetime) -> bool:
    """Make the mention the event's source of facts if it gives casualty figures and is at least as authoritative
    as the current source; returns True when the figures changed."""
    current = event.facts or {}
    facts = newer_facts(current, mention, signals, now)
    if facts is None:
        return False
    figures = facts["figures"]
    changed = figures != current.get("figures")
    event.facts = facts
    source = f"依据{RANK_NAMES[facts['rank']]}“{(mention.title or mention.content)[:40]}”"
    if changed:
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="facts",
            event_id=event.id,
            field="casualties",
            before=describe(current.get("figures") or {}),
            after=describe(figures),
            comment=source,
            at=now,
        )
        title = mention.title.strip() if mention.title else ""
        if title and title != event.title:
            audit.change_fields(
                session,
                event,
                {"title": title, "summary": mention.content[:300] or event.summary},
                actor=audit.SYSTEM,
                action="facts",
                at=now,
                comment=source,
            )
    return changed


def fact_signals(event: Event, signals):
    """The event's signals with the casualty figures of its source of facts (if it has one) instead of the largest
    figures any report gave."""
    from pipeline.casualties import Casualties

    facts = event.facts or {}
    figures = facts.get("figures")
    if not figures:
        return signals
    fatal = signals.fatal_terms if figures.get("dead") or facts.get("rank", 0) < MEDIA else ()
    # Figures from the media or officials that count no dead outweigh a word of death from anyone else.
    return replace(signals, casualties=Casualties(**figures, phrases=signals.casualties.phrases), fatal_terms=fatal)


def settle_level(session: Session, settings: Settings, event: Event, now: datetime) -> int | None:
    """After official figures, lower a level that other reports raised (never after a duty officer's 研判);
    returns the old level when it changed."""
    from pipeline.urgency import Signals, UrgencyRules, event_urgency

    if (event.facts or {}).get("rank") != OFFICIAL or event.assessed_at is not None or not event.signals:
        return None
    decided = event_urgency(
        [fact_signals(event, Signals.from_dict(event.signals))],
        velocity=event.velocity,
        rules=UrgencyRules(**settings.urgency.model_dump()),
    )
    if decided.level <= event.urgency:
        return None
    old = event.urgency
    audit.change_fields(
        session,
        event,
        {"urgency": decided.level},
        actor=audit.SYSTEM,
        action="facts",
        at=now,
        comment="官方发布的伤亡人数低于此前的说法，等级随之调整",
    )
    event.reasons = decided.reasons
    return old
