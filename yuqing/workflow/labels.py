"""Corrections are labels: every 研判 and every correction of a topic, level, relevance or office by a person is
kept as a `labels` row (who, when, from → to, which mention or event), and the town's topic training set is read
back from those rows."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import Event, Label, Mention
from yuqing.timeutil import utcnow
from yuqing.workflow.audit import as_text

LABEL_FIELDS = ("topic", "urgency", "relevant", "office_code")
FIELD_NAMES = {"topic": "领域", "urgency": "预警等级", "relevant": "相关性", "office_code": "责任单位"}
# How a mention came to be labelled, where it matters (`Label.action`): a correction of the officer's own choosing
# ("correct"), a 分类复核 answer on a message the model was unsure of ("review"), or one on a message drawn at random
# ("spot_check": the queue's sample before any version, and its spot checks). Only the last speak for the whole town
# (yuqing/review_queue.py, yuqing/learning_gate.py).
SPOT_CHECK = "spot_check"


def record_label(
    session: Session,
    *,
    actor: str,
    action: str,
    field: str,
    before: Any,
    after: Any,
    event_id: int | None = None,
    mention_id: int | None = None,
    comment: str | None = None,
    at: datetime | None = None,
) -> Label:
    """One label row in the caller's transaction (a mention's when mention_id is given, else the event's)."""
    if field not in LABEL_FIELDS:
        raise ValueError(f"unknown label field {field!r}")
    row = Label(
        at=at or utcnow(),
        actor=actor,
        target="mention" if mention_id is not None else "event",
        mention_id=mention_id,
        event_id=event_id,
        field=field,
        before=(as_text(before) or "")[:60] or None,
        after=(as_text(after) or "")[:60],
        action=action,
        comment=(comment or None),
    )
    session.add(row)
    return row


def record_event_labels(
    session: Session,
    event: Event,
    before: dict[str, Any],
    *,
    actor: str,
    action: str,
    at: datetime,
    comment: str | None = None,
) -> list[Label]:
    """Label rows for the fields a person set on an event: `before` holds the values before the change, the event
    the values after. A value confirmed unchanged is a label too (the system was right)."""
    return [
        record_label(
            session,
            actor=actor,
            action=action,
            field=field,
            before=value,
            after=getattr(event, field),
            event_id=event.id,
            comment=comment,
            at=at,
        )
        for field, value in before.items()
        if field in LABEL_FIELDS
    ]


@dataclass(frozen=True)
class Example:
    """One labelled text for topic training: the mention, its masked text, the topic a person gave it, the group
    (its event, else itself) that keeps near-copies on one side of a hold-out split, when it was labelled,
    whether the person confirmed the topic they were shown (rather than changing it) and whether the message was
    drawn at random for review (a spot check: such labels speak for the whole town)."""

    mention_id: int
    title: str
    content: str
    label: str
    group: str
    at: datetime
    confirmed: bool = False
    spot_check: bool = False


def _latest(rows: Iterable[Label], key) -> dict[int, Label]:
    latest: dict[int, Label] = {}
    for row in rows:
        target = key(row)
        if target is not None and (target not in latest or (row.at, row.id) >= (latest[target].at, latest[target].id)):
            latest[target] = row
    return latest


def topic_examples(session: Session, topics: Iterable[str] | None = None) -> list[Example]:
    """The town's topic training set from its label rows, one example per mention (`topic_labels`). `topics`, when
    given, keeps only labels among them."""
    labelled = topic_labels(session)
    allowed = set(topics) if topics is not None else None
    wanted = [m for m, row in labelled.items() if allowed is None or row.after in allowed]
    examples: list[Example] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for mention_id, title, content, event_id in session.execute(
            select(Mention.id, Mention.title, Mention.content, Mention.event_id).where(Mention.id.in_(chunk))
        ):
            row = labelled[mention_id]
            group = f"e{event_id}" if event_id is not None else f"m{mention_id}"
            examples.append(
                Example(
                    mention_id,
                    title or "",
                    content or "",
                    row.after,
                    group,
                    row.at,
                    row.before == row.after,
                    row.action == SPOT_CHECK,
                )
            )
    examples.sort(key=lambda e: e.mention_id)
    return examples


def topic_labels(session: Session) -> dict[int, Label]:
    """Each labelled mention's topic label: a mention's own topic label wins; else the latest topic label of the
    event it is in now (研判 confirms or corrects the topic of every mention of the matter). Mentions a person found
    not relevant, and events marked 误报, have none."""
    rows = session.scalars(select(Label).where(Label.field.in_(("topic", "relevant")))).all()
    mention_topic = _latest((r for r in rows if r.field == "topic" and r.target == "mention"), lambda r: r.mention_id)
    mention_relevant = _latest(
        (r for r in rows if r.field == "relevant" and r.target == "mention"), lambda r: r.mention_id
    )
    event_topic = _latest((r for r in rows if r.field == "topic" and r.target == "event"), lambda r: r.event_id)
    event_relevant = _latest((r for r in rows if r.field == "relevant" and r.target == "event"), lambda r: r.event_id)
    labelled: dict[int, Label] = dict(mention_topic)
    if event_topic:
        members = session.execute(
            select(Mention.id, Mention.event_id).where(Mention.event_id.in_(list(event_topic)))
        ).all()
        for mention_id, event_id in members:
            if mention_id not in labelled and event_id is not None:
                row = event_topic[event_id]
                relevance = event_relevant.get(event_id)
                if relevance is not None and relevance.after == "False" and relevance.at >= row.at:
                    continue
                labelled[mention_id] = row
    for mention_id, row in mention_relevant.items():
        if row.after == "False":
            labelled.pop(mention_id, None)
    return labelled


def held_back(group: str, share: float) -> bool:
    """Whether a group is in the hold-out part: decided by a stable hash of the group, so that a mention held back
    once is held back at every retraining and no model in use was ever trained on the rows that judge it."""
    return zlib.crc32(group.encode("utf-8")) % 10_000 < share * 10_000
