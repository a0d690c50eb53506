"""Burst detection: an EWMA baseline of hourly counts per key (topic, village) flags emerging events."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Baseline:
    """EWMA mean and variance of a key's hourly counts; JSON-friendly so callers can store it."""

    mean: float = 0.0
    variance: float = 0.0
    hours: int = 0

    def updated(self, count: float, alpha: float = 0.1) -> Baseline:
        """The baseline after one more hour with `count` mentions."""
        if self.hours == 0:
            return Baseline(float(count), 0.0, 1)
        difference = count - self.mean
        increment = alpha * difference
        return Baseline(self.mean + increment, (1 - alpha) * (self.variance + difference * increment), self.hours + 1)

    def threshold(self, sigma: float) -> float:
        """mean + sigma·std, with std at least √mean (counts are Poisson-like) and at least 1."""
        spread = max(math.sqrt(max(self.variance, 0.0)), math.sqrt(max(self.mean, 0.0)), 1.0)
        return self.mean + sigma * spread


@dataclass(frozen=True)
class BurstSignal:
    """Whether an hour's count is a burst for its key, and why (Chinese)."""

    emerging: bool
    count: int
    expected: float
    threshold: float
    reason: str


def _label(key: Hashable) -> str:
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key if part not in (None, ""))
    return str(key)


def check_burst(
    baseline: Baseline, count: int, *, key: Hashable = "", sigma: float = 3.0, min_count: int = 5, min_history: int = 24
) -> BurstSignal:
    """Is `count` (this hour) above the key's baseline? A short history needs twice `min_count`."""
    floor = min_count if baseline.hours >= min_history else 2 * min_count
    threshold = max(float(floor), baseline.threshold(sigma))
    emerging = count >= threshold
    label = _label(key) or "该类"
    if emerging:
        reason = (
            f"近1小时“{label}”相关信息{count}条，高于其基线"
            f"（均值{baseline.mean:.1f}条/小时，阈值{threshold:.1f}，历史{baseline.hours}小时）"
        )
    else:
        reason = f"近1小时“{label}”相关信息{count}条，未超过阈值{threshold:.1f}"
    return BurstSignal(emerging, count, round(baseline.mean, 3), round(threshold, 3), reason)


def detect_burst(
    hourly_counts: Sequence[int],
    *,
    key: Hashable = "",
    sigma: float = 3.0,
    min_count: int = 5,
    alpha: float = 0.1,
    min_history: int = 24,
) -> BurstSignal:
    """Check the last hour of a series of hourly counts against the EWMA of the hours before it."""
    if not hourly_counts:
        return check_burst(Baseline(), 0, key=key, sigma=sigma, min_count=min_count, min_history=min_history)
    baseline = Baseline()
    for count in hourly_counts[:-1]:
        baseline = baseline.updated(count, alpha)
    return check_burst(
        baseline, int(hourly_counts[-1]), key=key, sigma=sigma, min_count=min_count, min_history=min_history
    )


class BurstDetector:
    """Baselines for many keys, fed hour by hour; hours without mentions count as zero."""

    def __init__(self, *, sigma: float = 3.0, min_count: int = 5, alpha: float = 0.1, min_history: int = 24) -> None:
        self.sigma, self.min_count, self.alpha, self.min_history = sigma, min_count, alpha, min_history
        self.baselines: dict[Hashable, Baseline] = {}
        self._last_hour: dict[Hashable, int] = {}

    def observe(self, key: Hashable, hour: int, count: int) -> BurstSignal:
        """Check `count` mentions of `key` in `hour` (hours since the epoch), then learn from it.

        A burst hour is still learnt from, at a tenth of the usual weight, so that a lasting new level
        becomes the baseline without one spike inflating it.
        """
        baseline = self.baselines.get(key, Baseline())
        last = self._last_hour.get(key)
        if last is not None and hour > last + 1:
            for _ in range(min(hour - last - 1, 24 * 14)):  # quiet hours in between; two weeks is plenty
                baseline = baseline.updated(0, self.alpha)
        signal = check_burst(
            baseline, count, key=key, sigma=self.sigma, min_count=self.min_count, min_history=self.min_history
        )
        weight = self.alpha / 10 if signal.emerging else self.alpha
        self.baselines[key] = baseline.updated(count, weight)
        self._last_hour[key] = max(hour, last if last is not None else hour)
        return signal

    def observe_many(self, hour: int, counts: Iterable[tuple[Hashable, int]]) -> list[tuple[Hashable, BurstSignal]]:
        """Observe one hour for several keys; returns only the keys that burst."""
        signals = [(key, self.observe(key, hour, count)) for key, count in counts]
        return [(key, signal) for key, signal in signals if signal.emerging]
