"""The monthly accountability figures, computed from the audit log and the deadline rows as they stood.

Counting rules (also printed in the report's 统计口径):
- events of the month: first detected in the month; level, topic, office and status as at the cut-off;
  events dismissed as 误报 / 无需处置 by the cut-off are counted apart;
- deadlines of the month: rows due in the month that were in force when due (not superseded before);
  on time when done no later than due; any other is a breach (超时), charged to whoever held the stage:
  the duty desk for 研判, for the other stages the office it was recorded against (the deadline row's
  office, not the event's current one), at the level on the row;
- per-holder events: the distinct events behind that holder's deadlines; times per stage run from
  detection to the stage's first audit-log entry;
- suggestions: yuqing.reports.suggestions (one suggestion per breach, the stronger rule wins);
- 评估: events whose status became “evaluated” in the month, with the figures logged with that change."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import STAGE_NAMES, Breach, Deadline, Office
from yuqing.privacy import masked
from yuqing.reports import history
from yuqing.reports.history import EventAsOf
from yuqing.reports.periods import Period
from yuqing.reports.suggestions import Suggestion, grounds, outcome_of, suggest
from yuqing.reports.tables import Column, Table
from yuqing.settings_model import LEVEL_NAMES, Settings
from yuqing.timeutil import as_utc
from yuqing.workflow.holders import DUTY_KEY

RESPONSE_STAGES = ("publish", "press", "respond")
LISTED_IN_TABLE = 20  # breaches named in a row of the suggestion table; table 4 lists them all
UNASSIGNED = "未分派"
Namer = Callable[[str | None], str]


def office_namer(offices: dict[str, Office], duty_name: str) -> Namer:
    """A function from a charge key (an office code, or the duty desk's key) to its name (“未分派” for none)."""

    def name(code: str | None) -> str:
        if code == DUTY_KEY:
            return duty_name
        return offices[code].name if code in offices else (code or UNASSIGNED)

    return name


def level_label(level: int) -> str:
    """“2级(重大)”."""
    return f"{level}级({LEVEL_NAMES.get(level, '')})"


@dataclass
class Counted:
    """A deadline of the month with what the report says about it."""

    deadline: Deadline
    event: EventAsOf
    office_code: str | None  # who it is charged to: the office's code, or DUTY_KEY for the duty desk
    on_time: bool
    done: datetime | None  # when it was done, if before the cut-off
    hours_late: float  # 0 when on time; else until done, dropped or the cut-off


@dataclass
class MonthlyFigures:
    """Everything the monthly report shows, as numbers and tables."""

    period: Period
    cutoff: datetime
    complete: bool
    events: list[EventAsOf]
    previous_events: list[EventAsOf]
    dismissed: Counter
    deadlines: list[Counted]
    suggestions: list[Suggestion]
    levels: Table
    topics: Table
    offices: Table
    breaches: Table
    effects: Table
    actions: Table

    @property
    def lates(self) -> list[Counted]:
        """The breaches (超时) of the month."""
        return [c for c in self.deadlines if not c.on_time]


def _rate(counted: list[Counted]) -> float | None:
    return sum(c.on_time for c in counted) / len(counted) if counted else None


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def count_deadlines(session: Session, period: Period, cutoff: datetime) -> tuple[list[Counted], dict[int, EventAsOf]]:
    """The month's deadlines, each attributed and judged as at the cut-off, and the events they belong to."""
    rows = history.deadlines_due(session, period.start, cutoff)
    states = history.events_as_of(session, [row.event_id for row in rows], cutoff)
    breach_offices = (
        dict(
            session.execute(
                select(Breach.deadline_id, Breach.office_code).where(Breach.deadline_id.in_([row.id for row in rows]))
            ).all()
        )
        if rows
        else {}
    )
    counted = []
    for row in rows:
        state = states[row.event_id]
        ok = history.on_time(row, cutoff)
        late = 0.0 if ok else (history.stopped_at(row, cutoff) - as_utc(row.due_at)).total_seconds() / 3600
        counted.append(
            Counted(
                row,
                state,
                history.charged_to(row, state, breach_offices, cutoff),
                ok,
                history.done_by(row, cutoff),
                late,
            )
        )
    return counted, states


def compute_monthly(session: Session, settings: Settings, period: Period, now: datetime) -> MonthlyFigures:
    """The figures of one month, as they stood at the cut-off (the month's end, or now if it is not over)."""
    cutoff = min(period.end, as_utc(now))
    previous = period.previous()
    deadlines, deadline_states = count_deadlines(session, period, cutoff)
    month_ids = history.event_ids_detected(session, period.start, cutoff)
    evaluated_ids = history.event_ids_reaching(session, "evaluated", period.start, cutoff)
    states = deadline_states | history.events_as_of(
        session, set(month_ids + evaluated_ids) - set(deadline_states), cutoff
    )
    prev_ids = history.event_ids_detected(session, previous.start, previous.end)
    previous_events = [e for e in history.events_as_of(session, prev_ids, previous.end).values() if e.needs_handling]
    month_events = [states[i] for i in month_ids]
    events = [e for e in month_events if e.needs_handling]
    office_name = office_namer({o.code: o for o in session.scalars(select(Office))}, settings.duty.name)
    lead = settings.lead_office()
    suggestions = suggest([c for c in deadlines if not c.on_time], settings.reports.rules)
    return MonthlyFigures(
        period=period,
        cutoff=cutoff,
        complete=cutoff >= period.end,
        events=events,
        previous_events=previous_events,
        dismissed=Counter(e.status for e in month_events if not e.needs_handling),
        deadlines=deadlines,
        suggestions=suggestions,
        levels=_level_table(events, previous_events),
        topics=_topic_table(events, previous_events, settings.topic_names()),
        offices=_office_table(deadlines, lead.code if lead else None, office_name),
        breaches=_breach_table([c for c in deadlines if not c.on_time], suggestions, office_name),
        effects=_effect_table([states[i] for i in evaluated_ids], office_name),
        actions=_action_table(suggestions, office_name),
    )


_CHANGE_COLUMNS = [Column("本月(起)", "int"), Column("上月(起)", "int"), Column("增减(起)", "int")]


def _change_rows(labels: list[tuple[object, str]], now: Counter, before: Counter) -> list[list]:
    rows = [[label, now[key], before[key], now[key] - before[key]] for key, label in labels]
    total_now, total_before = sum(now.values()), sum(before.values())
    return rows + [["合计", total_now, total_before, total_now - total_before]]


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
    Column("责任主体"),
    Column("承办事件(件)", "int"),
    Column("研判时限(个)", "int"),
    Column("按时研判率", "percent"),
    Column("回应时限(个)", "int"),
    Column("按时回应率", "percent"),
    Column("办结(件)", "int"),
    Column("超时(次)", "int"),
    Column("研判用时中位数", "hours"),
    Column("回应用时中位数", "hours"),
    Column("办结用时中位数", "hours"),
]


def _office_row(name: str, counted: list[Counted], assesses: bool = True, responds: bool = True) -> list:
    """One row; the stages a holder does not hold are left empty (“—”), not shown as zero."""
    events = list({c.event.id: c.event for c in counted}.values())
    assess = [c for c in counted if c.deadline.stage == "assess"]
    respond = [c for c in counted if c.deadline.stage in RESPONSE_STAGES]
    return [
        name,
        len(events),
        len(assess) if assesses else None,
        _rate(assess),
        len(respond) if responds else None,
        _rate(respond),
        sum(e.closed is not None for e in events) if responds else None,
        sum(not c.on_time for c in counted),
        _median([e.hours_to(e.assessed) for e in events]) if assesses else None,
        _median([e.hours_to(e.reached.get("responded")) for e in events]) if responds else None,
        _median([e.hours_to(e.closed) for e in events]) if responds else None,
    ]


def _office_table(counted: list[Counted], lead_code: str | None, office_name: Namer) -> Table:
    by_office: dict[str | None, list[Counted]] = defaultdict(list)
    for item in counted:
        by_office[item.office_code].append(item)
    # Only holders with deadlines this month: an office added to config later must not change a past report.
    order = sorted(by_office, key=lambda c: (c is None, c != DUTY_KEY, c != lead_code, c or ""))
    rows = [
        _office_row(office_name(code), by_office[code], assesses=code == DUTY_KEY, responds=code != DUTY_KEY)
        for code in order
    ]
    rows.append(_office_row("合计", counted))
    note = (
        "研判时限由舆情值班室承担,核实、回应(含发布权威信息、新闻发布会)时限由承办的责任单位承担,均按本月到期的"
        "时限记录统计;改派后新单位自改派时起计时,此前的超时仍记在原单位名下。用时为自发现起至审计日志中首次进入"
        "该环节的时间;不承担的环节记为“—”。"
    )
    return Table("各单位处置情况", "表3 各责任主体处置情况", OFFICE_COLUMNS, rows, note)


def _breach_table(lates: list[Counted], suggestions: list[Suggestion], office_name: Namer) -> Table:
    columns = [
        Column("序号", "int"),
        Column("事件编号", "int"),
        Column("事件"),
        Column("等级"),
        Column("环节"),
        Column("责任主体"),
        Column("截止时间", "datetime"),
        Column("完成时间", "datetime", "未完成"),
        Column("超时时长", "hours"),
        Column("事件热度", "float"),
        Column("问责建议"),
    ]
    rows = [
        [
            index,
            late.event.id,
            masked(late.event.title),
            level_label(late.deadline.level),
            STAGE_NAMES.get(late.deadline.stage, late.deadline.stage),
            office_name(late.office_code),
            as_utc(late.deadline.due_at),
            late.done,
            late.hours_late,
            late.event.heat,
            outcome_of(late, suggestions),
        ]
        for index, late in enumerate(lates, start=1)
    ]
    note = (
        "责任主体为超时时承担该环节的一方(研判:舆情值班室;核实、回应、处置:责任单位)。超时时长计至完成时间;"
        "未完成的,计至该环节撤销、移交或统计截止时点。事件热度为统计截止时点的热度。每次超时至多计入一项问责建议。"
    )
    return Table("超时情况", "表4 超时情况", columns, rows, note)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _effect_table(evaluated: list[EventAsOf], office_name: Namer) -> Table:
    columns = [
        Column("事件编号", "int"),
        Column("事件"),
        Column("责任单位"),
        Column("回应时间", "datetime"),
        Column("回应前(条/小时)", "float"),
        Column("回应后(条/小时)", "float"),
        Column("回应前负面占比", "percent"),
        Column("回应后负面占比", "percent"),
        Column("评估结论"),
    ]
    rows = []
    for state in evaluated:
        effect = state.effect or {}
        before, after = effect.get("before") or {}, effect.get("after") or {}
        responded = datetime.fromisoformat(effect["response_at"]) if effect.get("response_at") else None
        rows.append(
            [
                state.id,
                masked(state.title),
                office_name(state.office_code),
                responded,
                _number(before.get("per_hour")),
                _number(after.get("per_hour")),
                _number(before.get("negative_share")),
                _number(after.get("negative_share")),
                effect.get("verdict") or "评估数据不全",
            ]
        )
    note = "比较首次回应前后相同时长内的每小时信息量及负面信息占比,数值为系统评估时记录的结果。"
    return Table("回应效果评估", "表5 回应效果评估", columns, rows, note)


def _action_table(suggestions: list[Suggestion], office_name: Namer) -> Table:
    columns = [Column("建议"), Column("责任主体"), Column("依据"), Column("超时(次)", "int"), Column("涉及事件")]
    rows = [
        [
            f"建议{s.action}",
            office_name(s.office_code),
            grounds(s),
            len(s.lates),
            ";".join(
                f"#{late.event.id} {masked(late.event.title)}({STAGE_NAMES.get(late.deadline.stage, '')}超时)"
                for late in s.lates[:LISTED_IN_TABLE]
            )
            + (f";等{len(s.lates)}次,详见表4" if len(s.lates) > LISTED_IN_TABLE else ""),
        ]
        for s in suggestions
    ]
    return Table("问责建议", "表6 问责建议", columns, rows)
