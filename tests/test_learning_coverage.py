"""The gate's coverage guard (yuqing/learning_coverage.py): a new model is not switched in automatically when the
corrections leave out a topic that holds a good share of the town's messages; rare topics are not checked, and an
admin can still switch such a version in by hand."""

from __future__ import annotations

from datetime import timedelta

from tests.test_learning import TOWN_TOPICS, VILLAGES, _correct_all, _posts
from tests.workflow.factories import T0, add_mention
from yuqing.db.models import TopicModel
from yuqing.labels import topic_text
from yuqing.learning import retrain, use_version
from yuqing.learning_coverage import DAYS, MIN_EXPECTED, coverage


def _unlabelled(app, topic: str, count: int, *, seen_at=T0) -> None:
    """`count` relevant messages nobody labelled, filed under `topic`."""
    with app.db.write() as session:
        for number in range(count):
            village = VILLAGES[number % len(VILLAGES)]
            add_mention(
                session,
                None,
                title=f"{village}公交车第{number}班没有按时发车",
                content=f"{village}的公交车又晚点了{number + 5}分钟。",
                topic=topic,
                seen_at=seen_at,
            )


def test_a_better_model_whose_corrections_leave_out_a_big_topic_is_not_switched_in(town):
    _correct_all(town)  # 160 corrections over four topics, none of 交通
    _unlabelled(town, "transport", 120)  # 3 in 7 of the town's messages
    result = retrain(town, "admin1", now=T0 + timedelta(days=1))
    assert result.status == "rejected", result.text()
    assert result.accuracy is not None and result.baseline_accuracy is not None
    assert result.accuracy > result.baseline_accuracy  # better on the corrections, which cannot see 交通
    name = topic_text(town.settings, "transport")
    assert "新模型得分高于在用的内置词库" in result.decision, result.decision
    assert f"“{name}”占近 {DAYS} 天信息的 43%,标注中只有 0 条" in result.decision, result.decision
    assert "分类复核" in result.decision and "手动切换" in result.decision
    with town.db.read() as session:
        row = session.get(TopicModel, result.version)
        assert row.status == "rejected"
        assert row.details["coverage"]["missing"] == ["transport"]
        assert row.details["coverage"]["town"]["transport"] == 120
    assert "已切换为模型" in use_version(town, result.version, "admin1", comment="已核对交通类信息")
    with town.db.read() as session:
        assert session.get(TopicModel, result.version).status == "active"


def test_the_same_corrections_switch_once_the_topic_is_labelled_in_proportion(town):
    _correct_all(town)
    _unlabelled(town, "transport", 120)
    _correct_all(town, {"transport": ["公交车不按时发车", "公交站台没有遮雨棚", "公交车司机态度差", "公交线路停运"]})
    result = retrain(town, "admin1", now=T0 + timedelta(days=1))
    assert result.status == "active", result.text()
    with town.db.read() as session:
        assert session.get(TopicModel, result.version).details["coverage"]["missing"] == []


def test_rare_topics_old_messages_and_proportional_corrections_pass(town):
    now = T0 + timedelta(days=1)
    _unlabelled(town, "transport", 4)  # 4 of 164: under the 5 % checked
    _unlabelled(town, "medical", 300, seen_at=now - timedelta(days=DAYS + 1))  # older than the period: not counted
    _correct_all(town)
    labels = [topic for _, _, topic in _posts(TOWN_TOPICS)]
    with town.db.read() as session:
        covered = coverage(session, labels, now=now)
        assert covered.missing == () and covered.text(town.settings) == ""
        assert covered.town["medical"] == 40 and covered.town["transport"] == 4
        # An eighth of its share is still enough, less is not: education holds 40 of 164 messages, so with 120 other
        # corrections 4 of 124 pass (an eighth of its share is 3.8) and 3 of 123 do not.
        few = [label for label in labels if label != "education"] + ["education"] * 4
        assert coverage(session, few, now=now).missing == ()
        fewer = [label for label in labels if label != "education"] + ["education"] * 3
        assert coverage(session, fewer, now=now).missing == ("education",)


def test_other_and_topics_with_few_expected_labels_are_not_checked(town):
    now = T0 + timedelta(days=1)
    _unlabelled(town, "transport", 20)
    _unlabelled(town, "other", 20)
    few, enough = ["medical"] * (2 * MIN_EXPECTED - 1), ["medical"] * (2 * MIN_EXPECTED)
    with town.db.read() as session:
        # 交通 holds half the town: with fewer than 2 × MIN_EXPECTED labels its share stands for fewer than
        # MIN_EXPECTED, and a random sample may miss it by chance.
        assert coverage(session, few, now=now).missing == ()
        # With 2 × MIN_EXPECTED it is checked, and none is under an eighth of its share; 其他 is never checked.
        assert coverage(session, enough, now=now).missing == ("transport",)
        assert coverage(session, enough, now=now, topics=["medical"]).missing == ()
