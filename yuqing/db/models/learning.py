"""Training data and trained models: people's labels and the topic models trained on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow


class Label(Base):
    """A person's judgement about a mention or an event, kept as training data: every 研判 and every correction of a
    topic, level, relevance (误报) or office writes one row, from → to (equal when the person confirmed the system)."""

    __tablename__ = "labels"
    __table_args__ = (
        Index("ix_labels_field_target", "field", "target"),
        Index("ix_labels_mention", "mention_id"),
        Index("ix_labels_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(10))  # mention | event
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    field: Mapped[str] = mapped_column(String(20))  # topic | urgency | relevant | office_code
    before: Mapped[str | None] = mapped_column(String(60))
    after: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    # assess | bulk_assess | correct | review | spot_check | false_alarm | reassign (yuqing/workflow/labels.py)
    comment: Mapped[str | None] = mapped_column(Text)


class TopicModel(Base):
    """A topic model trained on the town's corrections (a version), with its evaluation on held-back corrections
    against the model in use at the time, and whether it was switched in. At most one row is `active`; none active
    means the configured classifier (shipped lexicon or [classifier] model_dir) is in use."""

    __tablename__ = "topic_models"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number: v{id}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="training")
    # training → active | rejected | failed; active → retired (another switched in) and back (rollback)
    path: Mapped[str | None] = mapped_column(String(500))  # the model directory, relative to general.data_dir
    correction_rows: Mapped[int] = mapped_column(Integer, default=0)  # labelled mentions trained on
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)  # rows of imported labelled files trained on
    held_back_rows: Mapped[int] = mapped_column(Integer, default=0)  # corrections the figures rest on
    accuracy: Mapped[float | None] = mapped_column(Float)  # of this model (yuqing/learning_gate.py)
    baseline: Mapped[str | None] = mapped_column(String(60))  # the model in use when it was trained
    baseline_accuracy: Mapped[float | None] = mapped_column(Float)  # of that model on the same rows
    decision: Mapped[str | None] = mapped_column(Text)  # why it was (not) switched in, in Chinese
    activated_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # labels, per-label counts, sources
