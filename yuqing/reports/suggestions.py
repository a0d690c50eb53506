"""Accountability suggestions (通报批评 / 约谈负责人) from the month's breaches, by the configured rules.

Each breach is charged to whoever held the stage (the duty desk for 研判, the office for the others) and leads to
at most one suggestion: the rules are tried from the strongest action down, and the breaches a stronger
suggestion rests on are not counted again for a weaker one. The weaker rule they also met is named in the stronger
suggestion, so the report says why only one was made."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from yuqing.settings_model import AccountabilityRule
from yuqing.timeutil import as_utc

ACTION_ORDER = {"约谈负责人": 0, "通报批评": 1}  # strongest first


class Late(Protocol):
    """What a rule looks at in a breach (figures.Counted)."""

    office_code: str | None  # the charge key: an office code, or the duty desk's key
    deadline: object  # the Deadline row: level, due_at, id
    event: object  # the EventAsOf: heat


@dataclass
class Suggestion:
    """One suggestion for one holder: the rules it meets, the breaches behind it, and weaker rules it replaces."""

    action: str
    office_code: str
    reasons: list[str]
    lates: list = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)  # weaker rules the same breaches also met


def rule_text(rule: AccountabilityRule) -> str:
    """A rule in words: “本月重大及以上(1—2级)事件处置超时1次及以上,且事件热度不低于50”."""
    scope = {1: "特别重大(1级)", 2: "重大及以上(1—2级)", 3: "较大及以上(1—3级)"}.get(rule.max_level, "各等级")
    text = f"本月{scope}事件处置超时{rule.min_breaches}次及以上"
    return text + (f",且事件热度不低于{rule.min_heat:g}" if rule.min_heat else "")


def _hits(rule: AccountabilityRule, lates: Sequence[Late]) -> list:
    found = [late for late in lates if late.deadline.level <= rule.max_level and late.event.heat >= rule.min_heat]
    return found if len(found) >= rule.min_breaches else []


def _by_strength(rules: Sequence[AccountabilityRule]) -> list[tuple[str, list[AccountabilityRule]]]:
    actions = sorted({rule.action for rule in rules}, key=lambda action: ACTION_ORDER.get(action, 9))
    return [(action, [rule for rule in rules if rule.action == action]) for action in actions]


def suggest(lates: Sequence[Late], rules: Sequence[AccountabilityRule]) -> list[Suggestion]:
    """The suggestions for the month's breaches: one per holder and action, each breach behind at most one."""
    by_holder: dict[str, list] = defaultdict(list)
    for late in lates:
        if late.office_code:
            by_holder[late.office_code].append(late)
    found: list[Suggestion] = []
    for code in sorted(by_holder):
        remaining = list(by_holder[code])
        made: list[Suggestion] = []
        for action, action_rules in _by_strength(rules):
            suggestion = Suggestion(action, code, [])
            for rule in action_rules:
                hits = _hits(rule, remaining)
                if hits:
                    suggestion.reasons.append(rule_text(rule))
                    suggestion.lates.extend(late for late in hits if late not in suggestion.lates)
                elif made and _hits(rule, by_holder[code]):
                    made[-1].replaces.append(f"{rule_text(rule)}(建议{action})")
            if suggestion.reasons:
                suggestion.lates.sort(key=lambda late: (as_utc(late.deadline.due_at), late.deadline.id))
                remaining = [late for late in remaining if late not in suggestion.lates]
                made.append(suggestion)
        found.extend(made)
    return sorted(found, key=lambda s: (ACTION_ORDER.get(s.action, 9), s.office_code))


def grounds(suggestion: Suggestion) -> str:
    """Why a suggestion was made: the rules met, and any weaker rule the same breaches met as well."""
    also = [f"另满足“{rule}”,同一超时只按较重者建议" for rule in suggestion.replaces]
    return ";".join(suggestion.reasons + also)


def outcome_of(late: Late, suggestions: Sequence[Suggestion]) -> str:
    """What a breach led to: the suggestion it is behind, or that it met no rule."""
    for suggestion in suggestions:
        if late in suggestion.lates:
            return f"建议{suggestion.action}"
    return "未达问责建议条件"
