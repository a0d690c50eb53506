"""Settings of the judgement core: topics, monitoring schemes, urgency thresholds, classifier, learning, clustering."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from pipeline.topics import TOPIC_NAMES
from yuqing.settings_model.checks import Strict, check_hhmm

# The default taxonomy (stable codes → names) is the pipeline's own, as are the urgency levels (LEVEL_NAMES, which
# the package re-exports).
TOPIC_DEFAULTS: dict[str, str] = TOPIC_NAMES

LEVEL_COLOURS = {1: "红", 2: "橙", 3: "黄", 4: "蓝"}


class TopicSettings(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    keywords: list[str] = []


class SchemeSettings(Strict):
    name: str
    region: str = ""
    subject: str = ""
    event: str = ""
    exclude: str = ""
    enabled: bool = True


class UrgencySettings(Strict):
    """Thresholds of the urgency rules (预警等级); the defaults are the pipeline's."""

    dead_level1: int = Field(3, ge=1)  # deaths that make an event 特别重大
    injured_level1: int = Field(10, ge=1)
    trapped_level1: int = Field(10, ge=1)  # trapped or missing
    poisoned_level1: int = Field(30, ge=1)
    injured_level2: int = Field(3, ge=1)
    trapped_level2: int = Field(3, ge=1)
    poisoned_level2: int = Field(10, ge=1)
    velocity_level2: float = Field(30.0, gt=0)  # mentions per hour of one event
    velocity_level3: float = Field(10.0, gt=0)
    negativity_strong: float = Field(0.6, gt=0, le=1)


class ClassifierSettings(Strict):
    model_dir: str = ""  # a directory written by `yuqing train`; empty: the shipped lexicon classifier


class LearningSettings(Strict):
    """Retraining the topic model on the town's corrections (issue 15)."""

    retrain: Literal["", "daily", "weekly"] = ""  # scheduled retraining; empty: only by hand (模型 page, CLI)
    retrain_weekday: int = Field(7, ge=1, le=7)  # weekly: 1 = Monday
    retrain_time: str = "03:00"
    # A version trained before cross-validation kept this share of the corrections apart; they judge it still.
    holdout_share: float = Field(0.2, gt=0, lt=1)
    min_labels: int = Field(30, ge=2)  # fewer labelled mentions than this: no training
    min_held_back: int = Field(10, ge=1)  # fewer corrections the model in use never learned: no switch
    min_gain: float = Field(0.0, ge=0, lt=1)  # a new model must beat the one in use by more than this
    # Judging a model: another topic of the same office ([[offices]] topics) as the officers' scores this much
    # (the exact topic 1); 0: the exact topic only (yuqing/learning_agreement.py).
    office_credit: float = Field(0.5, ge=0, le=1)

    _times = field_validator("retrain_time")(lambda cls, v: check_hhmm(v))


class ClusteringSettings(Strict):
    window_hours: float = Field(72, gt=0)
    similarity: float = Field(0.5, gt=0, le=1)
    burst_sigma: float = Field(3.0, gt=0)
    burst_min_mentions: int = Field(5, ge=1)
