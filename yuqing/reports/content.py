"""The words around the figures: sections, narrative paragraphs and charts of each kind of report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from yuqing.db.models import STAGE_NAMES
from yuqing.reports.briefing import BriefingFigures
from yuqing.reports.figures import MonthlyFigures, level_label
from yuqing.reports.suggestions import grounds, rule_text
from yuqing.reports.tables import Chart, ReportContent, Section, Table, display
from yuqing.settings_model import LEVEL_NAMES, Settings
from yuqing.timeutil import format_duration, format_local

NO_EVENTS = "本月未发生需处置的政务舆情事件。"
LISTED_LATES = 10  # breaches named in a suggestion's paragraph; table 4 lists them all
ACTION_PHRASES = {"通报批评": "予以通报批评", "约谈负责人": "负责人进行约谈"}
METHOD = (
    "统计口径:本报告数据取自系统审计日志、时限记录和超时记录,按统计截止时点的状态计算,此后对事件或配置的"
    "修改不影响本期数字。事件按首次发现时间归入月份(北京时间),等级、领域、责任单位和状态取截止时点的值,"
    "热度按截止时点前采集的信息计算;时限以本月到期、到期前未被撤销或替代的记录为准。超时记在当时承担该环节、"
    "能够办理的一方名下:研判由舆情值班室承担,核实、回应、处置由承办的责任单位承担(研判完成前即可办理);"
    "改派的,新单位自改派时起计时,此前的超时仍记在原单位名下。每次超时至多计入一项问责建议,同时满足多条规则的"
    "按较重者建议。用时为自发现起至审计日志中首次进入该环节的时间。个人信息已作脱敏处理。"
)


def _row(table: Table, label: str) -> dict:
    """One row of a table as {heading: value}, found by its first cell."""
    titles = [c.title for c in table.columns]
    return next((dict(zip(titles, row, strict=True)) for row in table.rows if row[0] == label), {})


def _shown(table: Table, row: dict, title: str, zone: ZoneInfo) -> str:
    """A value of a row as the Word document shows it."""
    return display(row[title], next(c for c in table.columns if c.title == title), zone)


def _change_text(now: int, before: int) -> str:
    if before == 0:
        return "上月无此类事件" if now else "与上月持平"
    diff = now - before
    if diff == 0:
        return f"与上月({before}起)持平"
    word = "增加" if diff > 0 else "减少"
    return f"较上月({before}起){word}{abs(diff)}起,{'增长' if diff > 0 else '下降'}{abs(diff) / before:.1%}"


def _level_parts(counts: dict[int, int]) -> str:
    return "、".join(f"{LEVEL_NAMES[level]}{counts.get(level, 0)}起" for level in (1, 2, 3, 4))


def _overview(figures: MonthlyFigures) -> Section:
    events, previous = len(figures.events), len(figures.previous_events)
    paragraphs = []
    if events:
        counts = {level: sum(e.urgency == level for e in figures.events) for level in (1, 2, 3, 4)}
        paragraphs.append(
            f"本月全镇共监测发现需处置的政务舆情事件{events}起,{_change_text(events, previous)}。"
            f"其中{_level_parts(counts)}。"
        )
        top = [row for row in figures.topics.rows[:-1] if row[1]][:3]
        paragraphs.append("按领域分,居前的是" + "、".join(f"{row[0]}({row[1]}起)" for row in top) + "。")
    else:
        paragraphs.append(NO_EVENTS + (f"上月为{previous}起。" if previous else ""))
    dismissed = [
        f"{figures.dismissed[s]}起经研判为{name}"
        for s, name in (("false_alarm", "误报"), ("no_action", "无需处置"))
        if figures.dismissed[s]
    ]
    if figures.dismissed["merged"]:
        dismissed.append(f"{figures.dismissed['merged']}起与其他事件属同一事项、已合并")
    if dismissed:
        paragraphs.append("另有" + "、".join(dismissed) + ",未计入上述统计。")
    charts = []
    if events or previous:
        level_rows = figures.levels.rows[:-1]
        charts.append(
            Chart(
                "levels",
                "事件按预警等级分布",
                [r[0] for r in level_rows],
                {"本月": [r[1] for r in level_rows], "上月": [r[2] for r in level_rows]},
                value_label="事件数(起)",
            )
        )
    if events:
        topic_rows = [r for r in figures.topics.rows[:-1] if r[1]]
        charts.append(
            Chart(
                "topics",
                "本月事件按领域分布",
                [r[0] for r in topic_rows],
                {"本月": [r[1] for r in topic_rows]},
                horizontal=True,
                value_label="事件数(起)",
            )
        )
    return Section("一、总体情况", paragraphs, [figures.levels, figures.topics], charts)


def _offices(figures: MonthlyFigures) -> Section:
    total = _row(figures.offices, "合计")
    rate = {title: _shown(figures.offices, total, title, figures.period.zone) for title in ("按时研判率", "按时回应率")}
    if figures.deadlines:
        offices_late = len({late.office_code for late in figures.lates})  # holders: offices and the duty desk
        text = (
            f"本月到期的研判时限{total['研判时限(个)']}个,按时完成率{rate['按时研判率']};"
            f"回应(含发布权威信息、新闻发布会)时限{total['回应时限(个)']}个,按时完成率{rate['按时回应率']};"
            f"共超时{len(figures.lates)}次" + (f",涉及{offices_late}个责任主体。" if figures.lates else "。")
        )
    else:
        text = "本月无到期的处置时限。"
    rows = [r for r in figures.offices.rows[:-1] if r[2] or r[4]]
    charts = (
        [
            Chart(
                "on_time",
                "各责任主体按时完成率",
                [r[0] for r in rows],
                {"按时研判率": [r[3] for r in rows], "按时回应率": [r[5] for r in rows]},
                value_label="按时完成率",
                percent=True,
            )
        ]
        if rows
        else []
    )
    return Section("二、各责任主体处置情况", [text], [figures.offices], charts)


def _breaches(figures: MonthlyFigures) -> Section:
    if figures.lates:
        text = f"本月共发生处置超时{len(figures.lates)}次,明细见下表。"
    else:
        text = "本月未发生处置超时。"
    return Section("三、超时情况", [text], [figures.breaches])


def _fell(before: float | None, after: float | None) -> bool:
    return before is not None and after is not None and after < before


def _effects(figures: MonthlyFigures) -> Section:
    rows = figures.effects.rows
    if rows:
        fell = sum(_fell(row[4], row[5]) for row in rows)
        text = (
            f"本月完成回应效果评估的事件{len(rows)}起,其中{fell}起回应后每小时信息量下降,"
            f"{sum(_fell(row[6], row[7]) for row in rows)}起负面信息占比下降。"
        )
    else:
        text = "本月无完成回应效果评估的事件。"
    return Section("四、回应效果评估", [text], [figures.effects])


def _actions(figures: MonthlyFigures, settings: Settings) -> Section:
    paragraphs = []
    offices = figures.actions.column("责任主体")
    for index, (suggestion, office) in enumerate(zip(figures.suggestions, offices, strict=True), start=1):
        listed = list(
            dict.fromkeys(
                f"#{late.event.id}({STAGE_NAMES.get(late.deadline.stage, late.deadline.stage)}超时"
                f"{format_duration(late.hours_late * 3600)})"
                for late in suggestion.lates
            )
        )
        events = "、".join(listed[:LISTED_LATES]) + (
            f"等{len(suggestion.lates)}次,详见表4" if len(listed) > LISTED_LATES else ""
        )
        paragraphs.append(
            f"{index}. 建议对{office}{ACTION_PHRASES.get(suggestion.action, suggestion.action)}。"
            f"依据:{grounds(suggestion)}。涉及超时:{events}。"
        )
    if not paragraphs:
        paragraphs.append("本月无需提出问责建议。")
    rules = ";".join(f"{rule_text(rule)}的,建议{rule.action}" for rule in settings.reports.rules)
    paragraphs.append(f"以上建议依据现行问责规则({rules})自动生成,供镇领导研究决定。")
    return Section("五、问责建议", paragraphs, [figures.actions])


def monthly_content(figures: MonthlyFigures, settings: Settings) -> ReportContent:
    """The monthly accountability report (月度政务舆情处置情况及问责建议报告)."""
    period = figures.period
    title = f"{settings.general.town}{period.label}政务舆情处置情况及问责建议报告"
    sections = [
        _overview(figures),
        _offices(figures),
        _breaches(figures),
        _effects(figures),
        _actions(figures, settings),
    ]
    summary = {
        "title": title,
        "period": period.key,
        "cutoff": figures.cutoff.isoformat(),
        "complete": figures.complete,
        "events": len(figures.events),
        "previous_events": len(figures.previous_events),
        "by_level": {str(level): sum(e.urgency == level for e in figures.events) for level in (1, 2, 3, 4)},
        "deadlines": len(figures.deadlines),
        "breaches": len(figures.lates),
        "suggestions": [
            {"action": s.action, "office": s.office_code, "events": sorted({late.event.id for late in s.lates})}
            for s in figures.suggestions
        ],
        "rules": [rule.model_dump() for rule in settings.reports.rules],
    }
    return ReportContent("monthly", period.key, title, _period_line(figures), sections, summary, METHOD, period.zone)


def _period_line(figures: MonthlyFigures | BriefingFigures) -> str:
    line = f"报告期:{figures.period.span_text}"
    if not figures.complete:
        line += f"(统计截至{format_local(figures.cutoff, zone=figures.period.zone)},本期尚未结束)"
    return line


def briefing_content(figures: BriefingFigures, settings: Settings) -> ReportContent:
    """The daily or weekly briefing (舆情日报 / 周报)."""
    period = figures.period
    name, scope = ("舆情日报", "本日") if period.kind == "daily" else ("舆情周报", "本周")
    title = f"{settings.general.town}{name}({period.label})"
    new = len(figures.new_events)
    counts = figures.new_by_level
    overview = f"{scope}新发现舆情事件{new}起,其中{_level_parts(counts)}。" if new else f"{scope}未发现新的舆情事件。"
    overview += (
        f"截至{format_local(figures.cutoff, zone=period.zone)},尚在处置中的事件{figures.open_events}起,"
        f"未完成时限{len(figures.deadlines.rows)}个,其中已超时{figures.overdue}个。"
    )
    charts = (
        [
            Chart(
                "new_levels",
                f"{scope}新发事件按预警等级分布",
                [level_label(level) for level in (1, 2, 3, 4)],
                {scope: [counts.get(level, 0) for level in (1, 2, 3, 4)]},
                value_label="事件数(起)",
            )
        ]
        if new
        else []
    )
    sections = [
        Section("一、概况", [overview], [], charts),
        Section("二、新发事件", [] if new else [f"{scope}无新发事件。"], [figures.new]),
        Section("三、热度排行", ["按热度排列的在办及新发事件。"], [figures.hottest]),
        Section("四、未完成时限", [] if figures.deadlines.rows else ["当前无未完成的时限。"], [figures.deadlines]),
    ]
    summary = {
        "title": title,
        "period": period.key,
        "cutoff": figures.cutoff.isoformat(),
        "complete": figures.complete,
        "new_events": new,
        "by_level": {str(level): counts.get(level, 0) for level in (1, 2, 3, 4)},
        "open_events": figures.open_events,
        "open_deadlines": len(figures.deadlines.rows),
        "overdue": figures.overdue,
    }
    footer = "说明:事件状态、等级与热度按统计时点计;个人信息已作脱敏处理。"
    return ReportContent(period.kind, period.key, title, _period_line(figures), sections, summary, footer, period.zone)
