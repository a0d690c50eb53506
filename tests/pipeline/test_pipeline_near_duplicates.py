"""Tests for fingerprints, the near-duplicate index, event clustering decisions and bursts."""

import numpy as np

from pipeline.bursts import Baseline, BurstDetector, detect_burst
from pipeline.clustering import EventCandidate, MentionFeatures, choose_event
from pipeline.event_heat import event_heat
from pipeline.event_terms import add_terms, representative_terms
from pipeline.fingerprints import fingerprint, hamming, signature_similarity
from pipeline.near_duplicates import NearDuplicateIndex

ORIGINAL = "沙坡头区东园镇某村一化工厂昨夜发生爆炸，造成3人死亡，周边村民被紧急疏散，镇政府已成立工作组赶赴现场处置。"
REWRITE = "【转发】沙坡头区东园镇某村化工厂昨晚发生爆炸，致3人死亡！周边村民已被紧急疏散，镇政府成立工作组赶赴现场。"
UNRELATED = "请问东园镇中心小学今年秋季一年级新生报名需要带哪些材料，户口本和房产证是否都要原件。"


def test_fingerprints_are_stable_and_signed_safe():
    first, second = fingerprint(ORIGINAL), fingerprint(ORIGINAL)
    assert first.simhash == second.simhash
    assert -(1 << 63) <= first.simhash < (1 << 63)
    assert np.array_equal(first.minhash, second.minhash)
    assert fingerprint("").empty and fingerprint("，。！").empty


def test_similarity_separates_rewrite_from_unrelated():
    original, rewrite, unrelated = fingerprint(ORIGINAL), fingerprint(REWRITE), fingerprint(UNRELATED)
    assert signature_similarity(original.minhash, rewrite.minhash) > 0.5
    assert signature_similarity(original.minhash, unrelated.minhash) < 0.2
    assert hamming(original.simhash, rewrite.simhash) < hamming(original.simhash, unrelated.simhash)


def test_index_finds_a_rewrite_but_not_an_unrelated_post():
    index = NearDuplicateIndex(window_seconds=3600)
    index.add("m1", ORIGINAL, 1000.0)
    index.add("m2", UNRELATED, 1000.0)
    found = index.query(REWRITE, 1500.0)
    assert [doc for doc, _ in found] == ["m1"]
    assert found[0][1] > 0.5


def test_time_window_and_pruning():
    index = NearDuplicateIndex(window_seconds=3600, merge_every=2)
    index.add("old", ORIGINAL, 0.0)
    assert index.query(REWRITE, 10_000.0) == []
    for number in range(4):  # later additions trigger a merge, which prunes what fell out of the window
        index.add(f"new{number}", f"{UNRELATED}{number}", 20_000.0 + number)
    assert len(index) == 4
    assert index.query(ORIGINAL) == []


def test_index_survives_many_additions_and_compaction():
    index = NearDuplicateIndex(window_seconds=100, merge_every=50)
    for number in range(600):
        index.add(number, f"第{number}号通知：{ORIGINAL[number % 20 :]}{number * 7919}", float(number))
    assert len(index) < 600
    assert index.query(f"第599号通知：{ORIGINAL[599 % 20 :]}{599 * 7919}", 599.0)[0][0] == 599


def test_clustering_joins_the_matching_event():
    mention = MentionFeatures(frozenset({"爆炸", "化工厂", "死亡"}), "work_safety", "东园村", 10_000.0)
    events = [
        EventCandidate("fire", frozenset({"爆炸", "化工厂"}), "work_safety", "东园村", 9_000.0),
        EventCandidate("water", frozenset({"停水"}), "urban", "东园村", 9_500.0),
    ]
    decision = choose_event(mention, events)
    assert decision.event_id == "fire"
    assert any("共同关键词" in reason for reason in decision.reasons)


def test_clustering_starts_a_new_event_when_nothing_is_close_or_recent():
    mention = MentionFeatures(frozenset({"停电"}), "urban", "新星村", 10_000.0)
    old = EventCandidate("old", frozenset({"停电"}), "urban", "新星村", 0.0)
    assert choose_event(mention, [old], window_seconds=3600).event_id is None
    other_village = EventCandidate("x", frozenset({"停电"}), "urban", "东园村", 9_000.0)
    assert choose_event(mention, [other_village]).event_id is None


def test_near_identical_text_joins_even_without_shared_terms():
    mention = MentionFeatures(frozenset(), None, None, 100.0)
    event = EventCandidate("e", frozenset(), None, None, 50.0, text_similarity=0.9)
    assert choose_event(mention, [event]).event_id == "e"


def _busy_town(count: int = 12) -> list[EventCandidate]:
    """Open events about other matters; every one carries the town's name, as every relevant post does."""
    matters = [
        ("停水", "urban"),
        ("路灯", "urban"),
        ("欠薪", "employment"),
        ("养老金", "social_security"),
        ("噪音", "environment"),
        ("过期食品", "food_drug"),
    ]
    return [
        EventCandidate(
            f"other-{n}", frozenset({"东园镇", "东园", matters[n % 6][0], f"村{n}"}), matters[n % 6][1], None, 9_000.0
        )
        for n in range(count)
    ]


def test_a_word_every_event_has_does_not_make_posts_one_event():
    mention = MentionFeatures(frozenset({"东园镇", "东园", "快递", "取件费"}), "transport", None, 10_000.0)
    decision = choose_event(mention, _busy_town())
    assert decision.event_id is None
    unseen = EventCandidate("parcel", frozenset({"东园镇", "快递", "驿站"}), "transport", None, 9_500.0)
    decision = choose_event(mention, [*_busy_town(), unseen])
    assert decision.event_id == "parcel"
    assert decision.reasons[0].startswith("共同关键词：快递")  # the telling word first, the town's name last


def test_a_short_post_joins_the_large_event_it_repeats_and_word_variants_match():
    event = EventCandidate(
        "blast",
        frozenset(
            {
                "东园镇",
                "化工厂",
                "工业园",
                "爆炸事故",
                "疏散",
                "消防",
                "受伤",
                "救护车",
                "应急管理局",
                "车间",
                "沙坡头区",
                "危险化学品",
            }
        ),
        "work_safety",
        None,
        9_000.0,
    )
    short = MentionFeatures(frozenset({"化工", "爆炸", "工业园"}), "work_safety", None, 10_000.0)
    assert choose_event(short, [event, *_busy_town()]).event_id == "blast"
    one_word = MentionFeatures(frozenset({"消防"}), "urban", None, 10_000.0)
    assert choose_event(one_word, [event, *_busy_town()]).event_id is None  # containment needs two shared words


def test_posts_of_one_emergency_join_although_worded_and_classified_differently():
    event = EventCandidate(
        "collapse",
        frozenset({"新星村", "民房", "坍塌", "被埋", "救援"}),
        "urban",
        "新星村",
        9_000.0,
        hazards=frozenset({"坍塌"}),
        urgency=1,
    )
    follow_up = MentionFeatures(
        frozenset({"房子", "坍塌", "被埋", "老两口", "新星村"}),
        "housing",
        "新星村",
        10_000.0,
        hazards=frozenset({"坍塌"}),
        urgency=3,
    )
    decision = choose_event(follow_up, [event, *_busy_town()], threshold=0.5)
    assert decision.event_id == "collapse" and "同一险情：坍塌" in decision.reasons
    calm = EventCandidate("calm", event.terms, "urban", "新星村", 9_000.0, urgency=4)  # names no emergency
    assert choose_event(follow_up, [calm, *_busy_town()], threshold=0.5).event_id is None
    other_kind = EventCandidate("fire", event.terms, "urban", "新星村", 9_000.0, hazards=frozenset({"火灾"}), urgency=1)
    assert choose_event(follow_up, [other_kind, *_busy_town()], threshold=0.5).event_id is None


def test_another_village_is_another_matter_even_in_the_same_words():
    event = EventCandidate("lamp-a", frozenset({"路灯", "不亮"}), "urban", "金沙村", 9_000.0, text_similarity=0.9)
    mention = MentionFeatures(frozenset({"路灯", "不亮"}), "urban", "新园村", 10_000.0)
    decision = choose_event(mention, [event])
    assert decision.event_id is None and decision.score < 0.5


def test_representative_terms_and_heat():
    counts = add_terms(add_terms({}, ["爆炸", "化工厂"]), ["爆炸", "死亡"])
    assert counts == {"爆炸": 2, "化工厂": 1, "死亡": 1}
    assert "爆炸" in representative_terms(counts, limit=1)
    heat = event_heat([0, 1800, 3500, 3590], ["a", "b", "a", "c"], 3600, reposts=10)
    assert (heat.mentions, heat.sources, heat.velocity) == (4, 3, 4.0)


def test_burst_over_baseline():
    quiet = [1, 0, 2, 1, 0, 1] * 5
    assert detect_burst(quiet + [12], key=("work_safety", "东园村")).emerging
    assert not detect_burst(quiet + [3]).emerging
    signal = detect_burst(quiet + [12], key=("work_safety", "东园村"))
    assert "work_safety/东园村" in signal.reason and "高于其基线" in signal.reason


def test_burst_detector_fills_quiet_hours_and_adapts():
    detector = BurstDetector(min_count=5)
    for hour in range(48):
        assert not detector.observe("k", hour, 1).emerging
    assert detector.observe("k", 60, 9).emerging
    for hour in range(61, 400):
        detector.observe("k", hour, 9)
    assert not detector.observe("k", 400, 9).emerging  # a lasting new level becomes the baseline


def test_baseline_variance_is_never_negative():
    baseline = Baseline()
    for count in [5, 5, 5, 5, 0, 100, 3]:
        baseline = baseline.updated(count)
        assert baseline.variance >= 0
