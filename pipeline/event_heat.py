"""An event's heat over time: mentions, distinct sources, reposts and velocity, on one score."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


def seconds(when: datetime | float) -> float:
    """A moment, given as a datetime or as POSIX seconds, in POSIX seconds."""
    return when.timestamp() if isinstance(when, datetime) else float(when)


@dataclass(frozen=True)
class Heat:
    """An event's heat at a moment: mentions, distinct sources, reposts, velocity and a combined score."""

    mentions: int
    sources: int
    reposts: int
    velocity: float  # mentions per hour over the recent span
    score: float


def event_heat(
    mention_times: Sequence[datetime | float],
    sources: Iterable[str],
    now: datetime | float,
    *,
    reposts: int = 0,
    span_hours: float = 1.0,
) -> Heat:
    """Heat of an event from its mentions' times and sources; velocity counts the last `span_hours`."""
    current = seconds(now)
    times = [seconds(t) for t in mention_times]
    recent = sum(1 for t in times if 0 <= current - t <= span_hours * 3600)
    velocity = recent / span_hours
    distinct = len(set(sources))
    score = len(times) + 3 * max(distinct - 1, 0) + 0.1 * reposts + 5 * velocity
    return Heat(len(times), distinct, reposts, round(velocity, 3), round(score, 2))
