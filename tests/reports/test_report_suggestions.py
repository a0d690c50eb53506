"""Suggestions from breaches: one per breach, the stronger action wins, the weaker rule met is named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.reports.suggestions import grounds, outcome_of, suggest
from yuqing.settings_model import AccountabilityRule, ReportSettings
from yuqing.timeutil import UTC

# A strict town: 通报批评: 1 breach, level ≤2, heat ≥50; 约谈: 2 breaches any level; 约谈: 1 at level 1
RULES = [
    AccountabilityRule(action="通报批评", min_breaches=1, max_level=2, min_heat=50),
    AccountabilityRule(action="约谈负责人", min_breaches=2, max_level=4),
    AccountabilityRule(action="约谈负责人", min_breaches=1, max_level=1),
]
T = datetime(2026, 11, 10, tzinfo=UTC)


@dataclass
class Row:
    id: int
    level: int
    due_at: datetime


@dataclass
class State:
    id: int
    heat: float


@dataclass
class Late:
    office_code: str
    deadline: Row
    event: State


def late(number: int, holder: str, level: int, heat: float) -> Late:
    return Late(holder, Row(number, level, T + timedelta(hours=number)), State(number, heat))


def test_a_hot_level_one_breach_gives_one_interview_not_also_a_criticism():
    (only,) = suggest([late(1, "zzwb", 1, 80)], RULES)
    assert (only.action, only.office_code, len(only.lates)) == ("约谈负责人", "zzwb", 1)
    assert "另满足“本月重大及以上(1—2级)事件处置超时1次及以上,且事件热度不低于50(建议通报批评)”" in grounds(only)


def test_breaches_left_over_by_the_stronger_rule_can_still_meet_a_weaker_one():
    lates = [late(1, "msfw", 1, 10), late(2, "msfw", 2, 90)]  # level 1 (cold) and level 2 (hot)
    found = suggest(lates, RULES)
    # both breaches together meet “2 breaches any level”: one 约谈 rests on both, so no 通报批评 is left to make
    assert [(s.action, [item.deadline.id for item in s.lates]) for s in found] == [("约谈负责人", [1, 2])]
    assert outcome_of(lates[1], found) == "建议约谈负责人"


def test_each_holder_is_judged_on_its_own_breaches():
    lates = [late(1, "@duty", 3, 0), late(2, "@duty", 4, 0), late(3, "jjfw", 2, 60), late(4, "msfw", 3, 99)]
    found = suggest(lates, RULES)
    assert [(s.action, s.office_code) for s in found] == [("约谈负责人", "@duty"), ("通报批评", "jjfw")]
    assert outcome_of(lates[3], found) == "未达问责建议条件"


def test_the_shipped_rules_follow_the_seed_major_events_only():
    """《要点》四(二): 通报批评 / 约谈 for 重大政务舆情 only. Breaches on 3–4 级 events are counted, not suggested."""
    shipped = ReportSettings().rules
    ordinary = [late(1, "jjfw", 4, 10), late(2, "jjfw", 3, 90), late(3, "jjfw", 4, 5)]
    assert suggest(ordinary, shipped) == []
    assert outcome_of(ordinary[0], []) == "未达问责建议条件"
    (hot,) = suggest([late(4, "msfw", 2, 80)], shipped)
    assert (hot.action, hot.office_code) == ("通报批评", "msfw")
    (twice,) = suggest([late(5, "zzwb", 2, 10), late(6, "zzwb", 2, 20), late(7, "zzwb", 4, 99)], shipped)
    assert (twice.action, [x.deadline.id for x in twice.lates]) == ("约谈负责人", [5, 6])
