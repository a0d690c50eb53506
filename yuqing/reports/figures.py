"""The monthly accountability figures, computed from the audit log and the deadline rows as they stood.

Counting rules (also printed in the report's 统计口径):
- events of the month: first detected in the month; level, topic, office and status as at the cut-off;
  events dismissed as 误报 / 无需处置 by the cut-off are counted apart;
- deadlines of the month: rows due in the month and not superseded by the cut-off; a deadline is on time
  when it was done no later than due; one not done on time is a breach (超时), attributed to the office
  and level on the deadline row, whatever the event says now;
- per-office events: the distinct events behind that office's deadlines of the month; times per stage run
  from detection to the stage's first audit-log entry;
- 评估: events whose status became “evaluated” in the month, with the before/after figures in Event.effect."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import STAGE_NAMES, Breach, Deadline, Event, Office, Response
from yuqing.reports import history
from yuqing.reports.history import EventAsOf
from yuqing.reports.periods import Period
from yuqing.reports.tables import Column, Table
from yuqing.settings_model import LEVEL_NAMES, AccountabilityRule, Settings
from yuqing.timeutil import as_utc

RESPONSE_STAGES = ("publish", "press", "respond")
ACTION_ORDER = {"约谈负责人": 0, "通报批评": 1}
EFFECT_KEYS = ("before_per_hour", "after_per_hour", "before_negative_share", "after_negative_share")
UNASSIGNED = "未分派"
Namer = Callable[[str | None], str]


def _mask(text: str) -> str:
    from pipeline.deidentify import mask

    return mask(text or "")


def office_namer(offices: dict[str, Office]) -> Namer:
    """A function from an office code to its current display name (“未分派” for none)."""

    def name(code: str | None) -> str:
        return offices[code].name if code in offices else (code or UNASSIGNED)

    return name


def level_label(level: int) -> str:
    """“2级(重大)”."""
    return f"{level}级({LEVEL_NAMES.get(level, '')})"


@dataclass
class Late:
    """A deadline of the month not met on time: a breach (超时)."""

    deadline: Deadline
    event: EventAsOf
    done: datetime | None  # when it was done, if before the cut-off
    hours_late: float
    breach_id: int | None


@dataclass
class Suggestion:
    """One accountability suggestion for one office, with the rules and the breaches behind it."""

    action: str
    office_code: str
    reasons: list[str]
    lates: list[Late]


@dataclass
class MonthlyFigures:
    """Everything the monthly report shows, as numbers and tables."""

    period: Period
    cutoff: datetime
    complete: bool
    events: list[EventAsOf]
    previous_events: list[EventAsOf]
    dismissed: Counter
    deadlines: list[Deadline]
    lates: list[Late]
    suggestions: list[Suggestion]
    levels: Table
    topics: Table
    offices: Table
    breaches: Table
    effects: Table
    actions: Table


def _rate(deadlines: list[Deadline], cutoff: datetime) -> float | None:
    if not deadlines:
        return None
    return sum(history.on_time(d, cutoff) for d in deadlines) / len(deadlines)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def rule_text(rule: AccountabilityRule) -> str:
    """A rule in words: “重大及以上(1—2级)事件超时1次及以上,且事件热度不低于50”."""
    scope = {1: "特别重大(1级)", 2: "重大及以上(1—2级)", 3: "较大及以上(1—3级)"}.get(rule.max_level, "各等级")
    text = f"本月{scope}事件处置超时{rule.min_breaches}次及以上"
    return text + (f",且事件热度不低于{rule.min_heat:g}" if rule.min_heat else "")


def compute_monthly(session: Session, settings: Settings, period: Period, now: datetime) -> MonthlyFigures:
    """The figures of one month, as they stood at the cut-off (the month's end, or now if it is not over)."""
    cutoff = min(period.end, as_utc(now))
    previous = period.previous()
    deadlines = history.deadlines_due(session, period.start, cutoff, cutoff)
    month_ids = history.event_ids_detected(session, period.start, cutoff)
    evaluated_ids = history.event_ids_reaching(session, "evaluated", period.start, cutoff)
    states = history.events_as_of(session, [*month_ids, *evaluated_ids, *(d.event_id for d in deadlines)], cutoff)
    prev_states = history.events_as_of(session, history.event_ids_detected(session, previous.start, previous.end),
                                       previous.end)
    offices = {o.code: o for o in session.scalars(select(Office))}
    office_name = office_namer(offices)

    month_events = [states[i] for i in month_ids if i in states]
    events = [e for e in month_events if e.needs_handling]
    previous_events = [e for e in prev_states.values() if e.needs_handling]
    lates = _lates(session, deadlines, states, cutoff)
    suggestions = _suggestions(lates, settings.reports.rules)
    topic_names = settings.topic_names()
    return MonthlyFigures(
        period=period, cutoff=cutoff, complete=cutoff >= period.end, events=events,
        previous_events=previous_events, dismissed=Counter(e.status for e in month_events if not e.needs_handling),
        deadlines=deadlines, lates=lates, suggestions=suggestions,
        levels=_level_table(events, previous_events),
        topics=_topic_table(events, previous_events, topic_names),
        offices=_office_table(deadlines, states, lates, offices, cutoff, office_name),
        breaches=_breach_table(lates, office_name),
        effects=_effect_table(session, [states[i] for i in evaluated_ids if i in states], cutoff, office_name),
        actions=_action_table(suggestions, office_name),
    )


def _lates(session: Session, deadlines: list[Deadline], states: dict[int, EventAsOf], cutoff: datetime) -> list[Late]:
    breach_ids = dict(session.execute(
        select(Breach.deadline_id, Breach.id).where(Breach.deadline_id.in_([d.id for d in deadlines]))
    ).all()) if deadlines else {}
    lates = []
    for deadline in deadlines:
        if history.on_time(deadline, cutoff) or deadline.event_id not in states:
            continue
        done = history.done_by(deadline, cutoff)
        late = ((done or cutoff) - as_utc(deadline.due_at)).total_seconds() / 3600
        lates.append(Late(deadline, states[deadline.event_id], done, late, breach_ids.get(deadline.id)))
    return lates


def _suggestions(lates: list[Late], rules: list[AccountabilityRule]) -> list[Suggestion]:
    by_office: dict[str, list[Late]] = defaultdict(list)
    for late in lates:
        if late.deadline.office_code:
            by_office[late.deadline.office_code].append(late)
    found: dict[tuple[str, str], Suggestion] = {}
    for code in sorted(by_office):
        for rule in rules:
            hits = [late for late in by_office[code]
                    if late.deadline.level <= rule.max_level and late.event.heat >= rule.min_heat]
            if len(hits) < rule.min_breaches:
                continue
            suggestion = found.setdefault((rule.action, code), Suggestion(rule.action, code, [], []))
            suggestion.reasons.append(rule_text(rule))
            suggestion.lates.extend(late for late in hits if late not in suggestion.lates)
    return sorted(found.values(), key=lambda s: (ACTION_ORDER.get(s.action, 9), s.office_code))


def _change_rows(labels: list[tuple[object, str]], now: Counter, before: Counter) -> list[list]:
    rows = [[label, now[key], before[key], now[key] - before[key]] for key, label in labels]
    total_now, total_before = sum(now.values()), sum(before.values())
    return rows + [["合计", total_now, total_before, total_now - total_before]]


_CHANGE_COLUMNS = [Column("本月(起)", "int"), Column("上月(起)", "int"), Column("增减(起)", "int")]


def _level_table(events: list[EventAsOf], previous: list[EventAsOf]) -> Table:
    now, before = Counter(e.urgency for e in events), Counter(e.urgency for e in previous)
    rows = _change_rows([(level, level_label(level)) for level in (1, 2, 3, 4)], now, before)
    return Table("按等级", "表1 事件按预警等级分布", [Column("预警等级"), *_CHANGE_COLUMNS], rows)


def _topic_table(events: list[EventAsOf], previous: list[EventAsOf], names: dict[str, str]) -> Table:
    now, before = Counter(e.topic for e in events), Counter(e.topic for e in previous)
    codes = sorted(set(now) | set(before), key=lambda c: (-now[c], -before[c], c))
    rows = _change_rows([(code, names.get(code, code)) for code in codes], now, before)
    return Table("按领域", "表2 事件按领域分布", [Column("领域"), *_CHANGE_COLUMNS], rows)


OFFICE_COLUMNS = [
    Column("责任单位"), Column("承办事件(件)", "int"), Column("研判时限(个)", "int"), Column("按时研判率", "percent"),
    Column("回应时限(个)", "int"), Column("按时回应率", "percent"), Column("办结(件)", "int"), Column("超时(次)", "int"),
    Column("研判用时中位数", "hours"), Column("回应用时中位数", "hours"), Column("办结用时中位数", "hours"),
]


def _office_row(name: str, deadlines: list[Deadline], states: dict[int, EventAsOf], late_count: int,
                cutoff: datetime) -> list:
    events = [states[i] for i in sorted({d.event_id for d in deadlines}) if i in states]
    assess = [d for d in deadlines if d.stage == "assess"]
    respond = [d for d in deadlines if d.stage in RESPONSE_STAGES]
    return [
        name, len(events), len(assess), _rate(assess, cutoff), len(respond), _rate(respond, cutoff),
        sum(e.closed is not None for e in events), late_count,
        _median([e.hours_to(e.assessed) for e in events]),
        _median([e.hours_to(e.reached.get("responded")) for e in events]),
        _median([e.hours_to(e.closed) for e in events]),
    ]


def _office_table(deadlines: list[Deadline], states: dict[int, EventAsOf], lates: list[Late],
                  offices: dict[str, Office], cutoff: datetime, office_name: Namer) -> Table:
    by_office: dict[str | None, list[Deadline]] = defaultdict(list)
    for deadline in deadlines:
        by_office[deadline.office_code].append(deadline)
    late_counts = Counter(late.deadline.office_code for late in lates)
    codes = {code for code, office in offices.items() if office.active} | set(by_office)
    order = sorted(codes, key=lambda c: (c is None, not (c in offices and offices[c].lead), c or ""))
    rows = [_office_row(office_name(code), by_office[code], states, late_counts[code], cutoff) for code in order]
    rows.append(_office_row("合计", deadlines, states, len(lates), cutoff))
    note = ("研判、回应时限按本月到期且截至期末未被替代的时限记录统计,归属时限记录上的责任单位;"
            "用时为自发现起至审计日志中首次进入该环节的时间。")
    return Table("各单位处置情况", "表3 各责任单位处置情况", OFFICE_COLUMNS, rows, note)


def _breach_table(lates: list[Late], office_name: Namer) -> Table:
    columns = [Column("序号", "int"), Column("事件编号", "int"), Column("事件"), Column("等级"), Column("环节"),
               Column("责任单位"), Column("截止时间", "datetime"), Column("完成时间", "datetime", "截至期末未完成"),
               Column("超时时长", "hours"), Column("事件热度", "float")]
    rows = [
        [index, late.event.id, _mask(late.event.title), level_label(late.deadline.level),
         STAGE_NAMES.get(late.deadline.stage, late.deadline.stage), office_name(late.deadline.office_code),
         as_utc(late.deadline.due_at), late.done, late.hours_late, late.event.heat]
        for index, late in enumerate(lates, start=1)
    ]
    return Table("超时情况", "表4 超时情况", columns, rows)


def effect_conclusion(effect: dict) -> str:
    """A one-phrase verdict from the before/after figures."""
    values = [effect.get(key) for key in EFFECT_KEYS]
    if any(not isinstance(v, int | float) for v in values):
        return "评估数据不全"
    rate_down, negative_down = values[1] < values[0], values[3] < values[2]
    if rate_down and negative_down:
        return "热度与负面占比均下降,回应有效"
    if rate_down:
        return "热度下降,负面占比未降"
    if negative_down:
        return "负面占比下降,热度未降"
    return "效果不明显,需持续跟踪"


def _effect_table(session: Session, evaluated: list[EventAsOf], cutoff: datetime, office_name: Namer) -> Table:
    columns = [Column("事件编号", "int"), Column("事件"), Column("责任单位"), Column("回应时间", "datetime"),
               Column("回应前(条/小时)", "float"), Column("回应后(条/小时)", "float"),
               Column("回应前负面占比", "percent"), Column("回应后负面占比", "percent"), Column("评估结论")]
    rows = []
    for state in evaluated:
        effect = session.get(Event, state.id).effect or {}
        responded = session.scalar(
            select(Response.published_at)
            .where(Response.event_id == state.id, Response.status == "confirmed", Response.recorded_at < cutoff)
            .order_by(Response.published_at).limit(1)
        )
        values = [effect.get(key) if isinstance(effect.get(key), int | float) else None for key in EFFECT_KEYS]
        rows.append([state.id, _mask(state.title), office_name(state.office_code), responded, *values,
                     effect_conclusion(effect)])
    return Table("回应效果评估", "表5 回应效果评估", columns, rows)


def _action_table(suggestions: list[Suggestion], office_name: Namer) -> Table:
    columns = [Column("建议"), Column("责任单位"), Column("依据"), Column("超时(次)", "int"), Column("涉及事件")]
    rows = [
        [f"建议{s.action}", office_name(s.office_code), ";".join(s.reasons), len(s.lates),
         ";".join(f"#{late.event.id} {_mask(late.event.title)}({STAGE_NAMES.get(late.deadline.stage, '')}超时)"
                  for late in s.lates)]
        for s in suggestions
    ]
    return Table("问责建议", "表6 问责建议", columns, rows)
