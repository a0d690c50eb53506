"""The figures of the daily and weekly briefings (舆情日报 / 周报): new events, hottest events, running deadlines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import EVENT_STATUSES, OPEN_STATUSES, STAGE_NAMES, AuditLog, Event, Office
from yuqing.privacy import masked
from yuqing.reports import history
from yuqing.reports.figures import Namer, level_label, office_namer
from yuqing.reports.history import EventAsOf
from yuqing.reports.periods import Period
from yuqing.reports.tables import Column, Table
from yuqing.settings_model import Settings
from yuqing.timeutil import as_utc, remaining_text
from yuqing.workflow.holders import charge_key

TOP_EVENTS = 10


@dataclass
class BriefingFigures:
    """What a daily or weekly briefing shows."""

    period: Period
    cutoff: datetime
    complete: bool
    new_events: list[EventAsOf]
    open_events: int
    overdue: int
    new: Table
    hottest: Table
    deadlines: Table

    @property
    def new_by_level(self) -> Counter:
        """New events of the period per urgency level."""
        return Counter(e.urgency for e in self.new_events)


def _candidate_ids(session: Session, period: Period, cutoff: datetime) -> set[int]:
    """Events that may have been open at the cut-off: open now, or changed status since, or new."""
    open_now = session.scalars(select(Event.id).where(Event.status.in_(OPEN_STATUSES), Event.detected_at < cutoff))
    changed = session.scalars(
        select(AuditLog.event_id).where(
            AuditLog.field == "status", AuditLog.at >= cutoff, AuditLog.event_id.is_not(None)
        )
    )
    return set(open_now) | set(changed) | set(history.event_ids_detected(session, period.start, cutoff))


def _event_row(state: EventAsOf, topic_names: dict[str, str], office_name: Namer) -> list:
    return [
        state.id,
        state.detected_at,
        masked(state.title),
        topic_names.get(state.topic, state.topic),
        level_label(state.urgency),
        office_name(state.office_code),
        EVENT_STATUSES.get(state.status, state.status),
        state.heat,
    ]


EVENT_COLUMNS = [
    Column("事件编号", "int"),
    Column("发现时间", "datetime"),
    Column("事件"),
    Column("领域"),
    Column("预警等级"),
    Column("责任单位"),
    Column("状态"),
    Column("热度", "float"),
]


def compute_briefing(session: Session, settings: Settings, period: Period, now: datetime) -> BriefingFigures:
    """The briefing figures of a day or a week, as they stood at its end (or now, if it is not over)."""
    cutoff = min(period.end, as_utc(now))
    running = history.deadlines_open(session, cutoff)
    states = history.events_as_of(
        session, _candidate_ids(session, period, cutoff) | {d.event_id for d in running}, cutoff
    )
    office_name = office_namer({o.code: o for o in session.scalars(select(Office))}, settings.duty.name)
    topic_names = settings.topic_names()

    # A merged event is the matter it went into, listed once under that event.
    new_events = sorted(
        (s for s in states.values() if period.contains(s.detected_at) and s.status != "merged"),
        key=lambda s: (s.urgency, s.detected_at, s.id),
    )
    open_events = [s for s in states.values() if s.status in OPEN_STATUSES]
    hottest = sorted({s.id: s for s in [*open_events, *new_events]}.values(), key=lambda s: (-s.heat, s.id))

    deadline_rows = [
        [
            d.event_id,
            masked(states[d.event_id].title),
            # 研判 is the duty desk's; an office's open deadline follows its event to whichever office has it.
            STAGE_NAMES.get(d.stage, d.stage),
            level_label(d.level),
            office_name(charge_key(d.holder, states[d.event_id].office_code)),
            as_utc(d.due_at),
            remaining_text(d.due_at, cutoff),
        ]
        for d in running
    ]
    return BriefingFigures(
        period=period,
        cutoff=cutoff,
        complete=cutoff >= period.end,
        new_events=new_events,
        open_events=len(open_events),
        overdue=sum(as_utc(d.due_at) < cutoff for d in running),
        new=Table(
            "新发事件", "表1 新发事件", EVENT_COLUMNS, [_event_row(s, topic_names, office_name) for s in new_events]
        ),
        hottest=Table(
            "热度排行",
            f"表2 热度排行(前{TOP_EVENTS})",
            EVENT_COLUMNS,
            [_event_row(s, topic_names, office_name) for s in hottest[:TOP_EVENTS]],
        ),
        deadlines=Table(
            "未完成时限",
            "表3 未完成时限",
            [
                Column("事件编号", "int"),
                Column("事件"),
                Column("环节"),
                Column("等级"),
                Column("责任主体"),
                Column("截止时间", "datetime"),
                Column("状态"),
            ],
            deadline_rows,
            note="截至统计时点尚未完成、且未被替代的时限;“已超时”者须立即督办。",
        ),
    )
