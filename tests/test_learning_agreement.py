"""How retraining scores a model's topic against the officers': the same topic 1, another topic of the same office
the configured partial credit, anything else 0 (yuqing/learning_agreement.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.learning_agreement import EXACT, agreement
from yuqing.workflow.labels import Example

OFFICES = [
    {"code": "zj", "name": "住建办", "topics": ["urban", "housing", "land"]},
    {"code": "ms", "name": "民生服务中心", "topics": ["medical", "education", "land"]},
    {"code": "jt", "name": "交通办", "topics": ["transport"]},
]


def _examples(labels: list[str]) -> list[Example]:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    return [Example(number, "", "", label, f"m{number}", at) for number, label in enumerate(labels)]


def test_another_topic_of_the_same_office_earns_the_partial_credit(settings_factory):
    rule = agreement(settings_factory({"offices": OFFICES}))
    assert rule.score("housing", "housing") == 1.0
    assert rule.score("housing", "urban") == 0.5 == rule.score("urban", "housing")
    assert rule.score("medical", "education") == 0.5
    assert rule.score("transport", "urban") == 0.0  # another office
    assert rule.score("land", "urban") == 0.0  # two offices list land: it is nobody's alone
    assert rule.score("governance", "urban") == 0.0  # no office lists governance
    assert rule.score(None, "urban") == 0.0  # a fold that could not be trained
    assert rule.text() == "领域一致计 1 分,领域不同但归同一责任单位计 0.5 分"


def test_the_score_and_the_exact_share_over_rows(settings_factory):
    rule = agreement(settings_factory({"offices": OFFICES, "learning": {"office_credit": 0.25}}))
    examples = _examples(["urban", "urban", "transport", "medical"])
    decided = ["urban", "housing", "urban", "education"]
    assert rule.share(decided, examples, range(4)) == (1 + 0.25 + 0 + 0.25) / 4
    assert rule.exact_share(decided, examples, range(4)) == 1 / 4
    assert rule.share(decided, examples, [2, 3]) == 0.25 / 2
    assert rule.share(decided, examples, []) is None


def test_no_credit_configured_or_no_shared_office_means_the_exact_topic(settings_factory):
    exact = agreement(settings_factory({"offices": OFFICES, "learning": {"office_credit": 0}}))
    assert exact.score("housing", "urban") == 0.0 and exact.text() == "按领域是否一致计分"
    alone = agreement(settings_factory({"offices": [{"code": "jt", "name": "交通办", "topics": ["transport"]}]}))
    assert not alone.partial and alone.text() == "按领域是否一致计分"
    assert EXACT.score("housing", "urban") == 0.0
