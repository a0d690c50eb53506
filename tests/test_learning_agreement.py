"""How retraining scores a model's topic against the officers': the same topic 1, another topic of the same office
1 when the officers confirmed the topic shown and the configured partial credit when they changed it, anything else
0 (yuqing/learning_agreement.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.learning_agreement import EXACT, agreement, verdict
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
    assert rule.text() == "领域一致计 1 分,领域不同但归同一责任单位:值班员确认的计 1 分、改过的计 0.5 分"


def test_a_confirmed_topic_earns_full_credit_for_another_topic_of_its_office(settings_factory):
    """A confirmation says the topic shown was acceptable, not that its office's other topics were wrong."""
    rule = agreement(settings_factory({"offices": OFFICES}))
    assert rule.score("housing", "urban", confirmed=True) == 1.0
    assert rule.score("housing", "urban", confirmed=False) == 0.5
    assert rule.score("transport", "urban", confirmed=True) == 0.0  # another office: still wrong
    at = datetime(2026, 12, 1, tzinfo=UTC)
    examples = [Example(1, "", "", "urban", "m1", at, True), Example(2, "", "", "urban", "m2", at, False)]
    assert rule.share(["housing", "housing"], examples, range(2)) == (1 + 0.5) / 2
    # Differences 0 and -0.5: standard deviation 0.354 over the square root of two rows.
    assert rule.paired_error(["housing", "housing"], ["urban", "urban"], examples) == pytest.approx(0.25)
    exact = agreement(settings_factory({"offices": OFFICES, "learning": {"office_credit": 0}}))
    assert exact.score("housing", "urban", confirmed=True) == 0.0  # 0: the exact topic only, confirmed or not


def test_the_score_and_the_exact_share_over_rows(settings_factory):
    rule = agreement(settings_factory({"offices": OFFICES, "learning": {"office_credit": 0.25}}))
    examples = _examples(["urban", "urban", "transport", "medical"])
    decided = ["urban", "housing", "urban", "education"]
    assert rule.share(decided, examples, range(4)) == (1 + 0.25 + 0 + 0.25) / 4
    assert EXACT.share(decided, examples, range(4)) == 1 / 4
    assert rule.share(decided, examples, [2, 3]) == 0.25 / 2
    assert rule.share(decided, examples, []) is None


def test_no_credit_configured_or_no_shared_office_means_the_exact_topic(settings_factory):
    exact = agreement(settings_factory({"offices": OFFICES, "learning": {"office_credit": 0}}))
    assert exact.score("housing", "urban") == 0.0 and exact.text() == "按领域是否一致计分"
    alone = agreement(settings_factory({"offices": [{"code": "jt", "name": "交通办", "topics": ["transport"]}]}))
    assert not alone.partial and alone.text() == "按领域是否一致计分"
    assert EXACT.score("housing", "urban") == 0.0


def test_the_paired_error_grows_with_disagreement_and_shrinks_with_rows():
    examples = _examples(["urban"] * 100)
    same = ["urban"] * 100
    assert EXACT.paired_error(same, same, examples) == 0.0
    # The first model right on ten posts the second gets wrong, and wrong on ten it gets right.
    first = ["transport"] * 10 + ["urban"] * 90
    second = ["urban"] * 10 + ["transport"] * 10 + ["urban"] * 80
    error = EXACT.paired_error(first, second, examples)
    assert 0.03 < error < 0.05  # sqrt(0.2 / 99) / 10 ≈ 0.045
    many = _examples(["urban"] * 400)
    assert EXACT.paired_error(first * 4, second * 4, many) < error / 1.9


def test_the_verdict_switches_only_when_better_and_says_when_it_is_a_tie_of_luck():
    status, text = verdict(0.03, 0.01, 0.0, "内置词库", 4)
    assert status == "active" and text == "新模型优于在用的内置词库(相差 +3.0 个百分点),已切换为 v4。"
    status, text = verdict(0.004, 0.01, 0.0, "模型 v3", 4)
    assert status == "active" and "在误差范围(±1.0)内" in text
    status, text = verdict(-0.007, 0.012, 0.0, "模型 v3", 5)
    assert status == "rejected"
    assert text == (
        "新模型不优于在用的模型 v3(相差 -0.7 个百分点,在误差范围(±1.2)内),未切换(仍使用模型 v3);"
        "如需采用,管理员可在“模型”页切换为 v5。"
    )
    status, text = verdict(-0.05, 0.01, 0.0, "模型 v3", 5)
    assert status == "rejected" and "误差" not in text and "手动" not in text and "如需采用" not in text
    assert verdict(0.004, 0.01, 0.005, "内置词库", 6)[0] == "rejected"  # [learning] min_gain
