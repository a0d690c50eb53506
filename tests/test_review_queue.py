"""分类复核: which unlabelled messages a duty officer is asked about first (a fixed random sample before any model is
trained, then the newest version's least sure first), and recording the review (confirm, change, not relevant) as
labels, one message at a time."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

import yuqing.review_queue as review_queue_module
from tests.workflow.factories import add_mention
from yuqing.db.models import Label, Mention, TopicModel
from yuqing.learning import retrain
from yuqing.review_queue import SPOT_EVERY, apply_review, review_queue, warm
from yuqing.timeutil import utcnow
from yuqing.workflow.corrections import CorrectionError, correct_mention
from yuqing.workflow.labels import topic_examples

PHRASES = {
    "environment": ["广场舞音响太吵", "广场舞噪音扰民到深夜", "跳广场舞的音箱声音太大", "晚上广场舞吵得睡不着"],
    "medical": ["卫生院看病排队太久", "卫生院医生态度差", "卫生院药品不全", "卫生院夜间没有医生"],
    "education": ["小学老师体罚学生", "小学食堂饭菜太差", "小学乱收资料费", "小学校车超载"],
}
VILLAGES = ["东园村", "金沙村", "郭滩村", "新星村", "柔新村", "沙坡村", "黄河村", "迎水村"]


def _post(app, title: str, **fields) -> int:
    with app.db.write() as session:
        mention = add_mention(session, None, title=title, content=f"群众反映:{title}。", seen_at=utcnow())
        for name, value in fields.items():
            setattr(mention, name, value)
        return mention.id


def test_before_any_version_the_queue_is_a_fixed_sample_of_recent_relevant_unlabelled_messages(town):
    wanted = [_post(town, f"{village}路灯坏了") for village in VILLAGES]
    _post(town, "与本镇无关的帖子", relevant=False)
    _post(town, "东园村路灯坏了(转载)", duplicate_of=wanted[0])
    with town.db.write() as session:
        add_mention(session, None, title="去年的帖子", seen_at=utcnow() - timedelta(days=40))
    labelled = _post(town, "金沙村垃圾没人清运")
    with town.db.write() as session:
        correct_mention(session, town.settings, labelled, "duty1", topic="urban")

    queue = review_queue(town, limit=20)
    assert queue.ranked_by is None and "随机抽样" in queue.basis
    assert sorted(item.mention_id for item in queue.items) == sorted(wanted) and queue.pool == len(wanted)
    assert all(item.gap is None and "随机抽样" in item.reason and item.spot_check for item in queue.items)
    again = review_queue(town, limit=3)
    assert [item.mention_id for item in again.items] == [item.mention_id for item in queue.items][:3]
    assert [item.mention_id for item in queue.items] != sorted(wanted)  # a sample, not the arrival order
    assert [i.mention_id for i in review_queue(town, limit=20, days=1, now=utcnow() + timedelta(days=3)).items] == []


def _trained(town):
    """A town whose officers labelled every post of three topics, and the version trained on them."""
    posts = [
        (f"{village}{phrase}", topic)
        for (topic, phrases), village in itertools.product(PHRASES.items(), VILLAGES)
        for phrase in phrases
    ]
    with town.db.write() as session:
        ids = [
            (add_mention(session, None, title=title, content=title, seen_at=utcnow()).id, topic)
            for title, topic in posts
        ]
    with town.db.write() as session:
        for mention_id, topic in ids:
            correct_mention(session, town.settings, mention_id, "duty1", topic=topic)
    result = retrain(town, "admin1")
    assert result.version is not None, result.text()
    return result


def test_with_a_trained_version_the_least_sure_come_first_with_the_reason(town):
    result = _trained(town)
    clear = _post(town, "宣和村卫生院医生态度差,卫生院药品不全")
    mixed = _post(town, "宣和村小学旁边广场舞音响太吵,学生没法上课")
    queue = review_queue(town, limit=10)
    assert queue.ranked_by == f"v{result.version}" and "把握" in queue.basis
    assert [item.mention_id for item in queue.items] == [mixed, clear]  # the labelled ones are not asked again
    first, second = queue.items
    assert first.gap is not None and second.gap is not None and first.gap < second.gap
    assert {first.guess, first.runner_up} == {"environment", "education"}
    assert first.reason.startswith(f"v{result.version} 在“") and "拿不准" in first.reason
    assert second.guess == "medical"
    ranker = review_queue_module._ranker
    assert ranker is not None
    asked: list[int] = []
    decide = ranker.model.decision_values
    ranker.model.decision_values = lambda pairs: (asked.append(len(pairs)), decide(pairs))[1]
    later = _post(town, "宣和村小学食堂饭菜太差")
    assert mixed in [item.mention_id for item in review_queue(town, limit=10).items]
    assert asked == [1]  # only the new message is segmented and ranked; the others' ranks are kept
    assert later in [item.mention_id for item in review_queue(town, limit=10).items] and asked == [1]


def test_one_in_five_is_a_spot_check_taken_at_random(town):
    result = _trained(town)
    fresh = [
        _post(town, f"宣和{village}{phrase}")
        for village, phrase in itertools.product(
            VILLAGES[:4], ["卫生院药品不全", "小学旁边广场舞音响太吵", "小学校车超载"]
        )
    ]
    queue = review_queue(town, limit=10)
    items = queue.items
    assert len(items) == 10 and len({item.mention_id for item in items}) == 10
    spots = [place for place, item in enumerate(items) if item.reason.startswith("抽检")]
    assert spots == [4, 9], [item.reason for item in items]
    assert [place for place, item in enumerate(items) if item.spot_check] == spots
    assert f"{SPOT_EVERY} 条中 1 条" in items[4].reason and f"v{result.version} 判为“" in items[4].reason
    ranked = [item for place, item in enumerate(items) if place not in spots]
    assert all("拿不准" in item.reason for item in ranked)
    assert [item.gap for item in ranked] == sorted(item.gap for item in ranked)
    by_chance = sorted(fresh, key=review_queue_module._sample_key)
    # Each spot check is the next message of the fixed random order that the queue has not listed yet.
    before_first = {item.mention_id for item in items[:4]}
    assert items[4].mention_id == next(i for i in by_chance if i not in before_first)
    before_second = {item.mention_id for item in items[:9]}
    assert items[9].mention_id == next(i for i in by_chance if i not in before_second)
    # With fewer messages than places, every message is listed once, whichever order runs out first.
    everything = review_queue(town, limit=50).items
    assert sorted(item.mention_id for item in everything) == sorted(fresh)


def test_a_review_records_a_label_per_message_and_one_refusal_does_not_stop_the_rest(town):
    first, second, third = (_post(town, f"{village}路灯坏了", topic="urban") for village in VILLAGES[:3])
    outcome = apply_review(town, "duty1", [first, 999_999], "confirm")
    assert outcome.done == 1 and outcome.errors == ["信息 #999999 不存在"]
    assert "已确认原领域 1 条" in outcome.text("confirm") and "#999999" in outcome.text("confirm")
    assert apply_review(town, "duty1", [second], "topic", "transport").done == 1
    assert apply_review(town, "duty1", [third], "irrelevant").done == 1
    with town.db.read() as session:
        labels = {(row.mention_id, row.field): (row.before, row.after) for row in session.scalars(select(Label))}
        assert session.get(Mention, second).topic == "transport" and not session.get(Mention, third).relevant
        examples = {example.mention_id: example for example in topic_examples(session)}
    assert labels[(first, "topic")] == ("urban", "urban") and examples[first].confirmed
    assert labels[(second, "topic")] == ("urban", "transport") and not examples[second].confirmed
    assert third not in examples and labels[(third, "relevant")][1] == "False"
    assert [item.mention_id for item in review_queue(town).items] == []
    with pytest.raises(CorrectionError, match="请先勾选信息"):
        apply_review(town, "duty1", [], "confirm")
    with pytest.raises(CorrectionError, match="请选择要改为的领域"):
        apply_review(town, "duty1", [first], "topic")


def test_a_spot_checks_label_says_so_and_only_those_examples_speak_for_the_town(town):
    drawn, ranked, chosen = (_post(town, f"{village}路灯坏了", topic="urban") for village in VILLAGES[:3])
    assert apply_review(town, "duty1", [drawn, ranked], "confirm", spot_checks={drawn}).done == 2
    with town.db.write() as session:
        correct_mention(session, town.settings, chosen, "duty1", topic="transport")
    with town.db.read() as session:
        actions = {row.mention_id: row.action for row in session.scalars(select(Label))}
        examples = {example.mention_id: example for example in topic_examples(session)}
    assert actions == {drawn: "spot_check", ranked: "review", chosen: "correct"}
    assert [m for m, example in examples.items() if example.spot_check] == [drawn]


def test_a_version_whose_files_are_gone_leaves_the_sample_and_says_why(town):
    wanted = [_post(town, f"{village}路灯坏了") for village in VILLAGES[:3]]
    with town.db.write() as session:
        session.add(TopicModel(created_by="admin1", status="rejected", path="models/v9"))
    queue = review_queue(town)
    assert queue.ranked_by is None and sorted(item.mention_id for item in queue.items) == sorted(wanted)
    assert queue.basis.startswith("最新模型 v1 无法加载(") and "随机抽样" in queue.basis


def test_a_dashboard_of_its_own_ranks_with_a_newer_version_before_any_page_asks(town, monkeypatch):
    monkeypatch.setattr(review_queue_module, "_ranker", None)
    monkeypatch.setattr(review_queue_module, "_warmed", None)
    assert not warm(town)  # no version yet: nothing to rank with
    result = _trained(town)
    _post(town, "宣和村小学旁边广场舞音响太吵")
    monkeypatch.setattr(review_queue_module, "_ranker", None)  # as in a process that did not train it
    assert warm(town)
    ranker = review_queue_module._ranker
    assert ranker is not None and ranker.key.endswith(f"models/v{result.version}") and len(ranker.ranks) == 1
    monkeypatch.setattr(review_queue_module, "_warmed", None)
    assert not warm(town)  # its ranker is loaded: the page's load only ranks what arrives later


def test_one_topic_at_a_time_has_no_spot_checks_and_the_page_learns_what_a_kept_out_version_lacked(town):
    lights = [_post(town, f"{village}路灯坏了", topic="urban") for village in VILLAGES[:3]]
    _post(town, "东园村卫生院药品不全", topic="medical")
    sample = review_queue(town, topic="urban")
    assert sorted(item.mention_id for item in sample.items) == sorted(lights)
    assert not any(item.spot_check for item in sample.items)  # drawn among one topic's: not the town's
    result = _trained(town)
    fresh = [_post(town, f"宣和{village}卫生院药品不全", topic="medical") for village in VILLAGES[:7]]
    queue = review_queue(town, topic="medical", limit=10)
    assert queue.topic == "medical" and "只看一个领域时不抽检" in queue.basis
    assert len(queue.items) == 8 and {item.topic for item in queue.items} == {"medical"}
    assert set(fresh) <= {item.mention_id for item in queue.items}
    assert not any(item.spot_check for item in queue.items) and all("拿不准" in item.reason for item in queue.items)
    assert review_queue(town).uncovered == ()  # the version is in use
    with town.db.write() as session:
        row = session.get(TopicModel, result.version)
        row.status, row.details = "rejected", {**row.details, "coverage": {"missing": ["transport", "urban"]}}
    assert review_queue(town).uncovered == ("transport", "urban")
