"""传播脉络 of a topic report: the event's posts counted per time slot and source type (table and stacked chart)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.urgency import SOURCE_NAMES
from yuqing.reports.tables import Chart, Column, Section, Table
from yuqing.reports.topic_data import Post

# Slot lengths tried in turn; the first that covers the whole spread in at most MAX_SLOTS slots is used.
STEPS = (timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12), timedelta(days=1))
WEEK = timedelta(days=7)
MAX_SLOTS = 24
TYPE_ORDER = tuple(SOURCE_NAMES)  # news, official, forum, weibo, board, other


@dataclass(frozen=True)
class Slots:
    """Time slots of one length from the first post's slot to the last's, in local time."""

    start: datetime
    step: timedelta
    count: int

    def index(self, moment: datetime) -> int:
        return int((moment - self.start) // self.step)

    def label(self, index: int) -> str:
        begin = self.start + self.step * index
        if self.step >= WEEK:
            return begin.strftime("%m-%d起")
        if self.step >= timedelta(days=1):
            return begin.strftime("%m-%d")
        return begin.strftime("%m-%d %H时")


def _floor(moment: datetime, step: timedelta) -> datetime:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if step >= WEEK:
        return midnight - timedelta(days=midnight.weekday())
    hours = int(step.total_seconds() // 3600)
    return midnight + timedelta(hours=moment.hour // hours * hours) if hours < 24 else midnight


def slots_for(first: datetime, last: datetime, zone: ZoneInfo) -> Slots:
    """The shortest slot length that shows the spread from `first` to `last` in at most MAX_SLOTS slots."""
    first, last = first.astimezone(zone), last.astimezone(zone)
    for step in (*STEPS, WEEK):
        start = _floor(first, step)
        count = int((last - start) // step) + 1
        if count <= MAX_SLOTS or step == WEEK:
            return Slots(start, step, count)
    raise AssertionError("unreachable")


def step_text(step: timedelta) -> str:
    if step >= WEEK:
        return "周"
    if step >= timedelta(days=1):
        return "天"
    return f"{int(step.total_seconds() // 3600)}小时"


def timeline_section(posts: list[Post], zone: ZoneInfo, heading: str) -> Section:
    """Posts per slot and source type: a sentence on the peak, the table and the stacked bar chart."""
    if not posts:
        return Section(heading, ["截至统计时点无相关信息。"])
    slots = slots_for(posts[0].at, posts[-1].at, zone)
    counts: Counter[tuple[int, str]] = Counter((slots.index(p.at.astimezone(zone)), p.source_type) for p in posts)
    types = [t for t in TYPE_ORDER if any(key[1] == t for key in counts)]
    types += sorted({key[1] for key in counts} - set(types))
    names = [SOURCE_NAMES.get(t, t) for t in types]
    totals = [sum(counts[(i, t)] for t in types) for i in range(slots.count)]
    table = Table(
        "传播脉络",
        f"表2 各时段信息量(按{step_text(slots.step)}、来源类型)",
        [Column("时段"), *(Column(name, "int") for name in names), Column("合计", "int")],
        [[slots.label(i), *(counts[(i, t)] for t in types), totals[i]] for i in range(slots.count)],
    )
    peak = max(range(slots.count), key=lambda i: (totals[i], -i))
    by_type = "、".join(f"{name}{sum(counts[(i, t)] for i in range(slots.count))}条" for t, name in zip(types, names))
    text = (
        f"相关信息按{step_text(slots.step)}统计,自{slots.label(0)}至{slots.label(slots.count - 1)}共{len(posts)}条,"
        f"其中{by_type}。信息量最多的时段为{slots.label(peak)},共{totals[peak]}条。"
    )
    chart = Chart(
        "timeline",
        "传播脉络:各时段信息量(按来源类型)",
        [slots.label(i) for i in range(slots.count)],
        {name: [float(counts[(i, t)]) for i in range(slots.count)] for t, name in zip(types, names)},
        value_label="信息量(条)",
        stacked=True,
    )
    return Section(heading, [text], [table], [chart])
