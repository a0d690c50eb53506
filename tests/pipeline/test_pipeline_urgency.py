"""Tests for casualty parsing, negativity and urgency levels."""

import pytest

from pipeline.casualties import chinese_number, parse_casualties
from pipeline.negativity import negativity
from pipeline.urgency import Signals, UrgencyRules, assess_urgency, decide, event_urgency, read_signals


@pytest.mark.parametrize(
    "text, value",
    [
        ("12", 12),
        ("十", 10),
        ("十二", 12),
        ("二十三", 23),
        ("两百零五", 205),
        ("一万二千", 12000),
        ("十余", 10),
        ("数十", 20),
        ("三百多", 300),
        ("壹佰", 100),
        ("天", None),
    ],
)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("事故造成3人死亡，致两人受伤", {"dead": 3, "injured": 2}),
        ("十余人被困井下", {"trapped": 10}),
        ("死亡人数已上升至12人", {"dead": 12}),
        ("一场2死3伤的车祸", {"dead": 2, "injured": 3}),
        ("二十三名工人中毒", {"poisoned": 23}),
        ("已致一百零五人死亡", {"dead": 105}),
        ("另有10人失联", {"missing": 10}),
        ("先报1人死亡，后确认3人死亡", {"dead": 3}),
    ],
)
def test_casualty_counts(text, expected):
    found = parse_casualties(text)
    for kind in ("dead", "injured", "trapped", "missing", "poisoned"):
        assert getattr(found, kind) == expected.get(kind, 0), kind


@pytest.mark.parametrize(
    "text", ["九死一生", "三人行必有我师", "本次火灾无人员伤亡", "未造成人员死亡", "", "2019年3月5日"]
)
def test_no_casualties(text):
    assert not parse_casualties(text).any()


def test_negativity_orders_texts():
    angry = negativity("小区垃圾无人管，臭气熏天，居民苦不堪言！多次投诉无人问津")
    neutral = negativity("请问幼儿园什么时候开始招生报名")
    thanks = negativity("镇政府及时解决了问题，群众非常满意，感谢！")
    assert angry > 0.6
    assert neutral == 0.0
    assert thanks == 0.0
    assert 0.0 <= negativity("愤怒" * 10000) <= 1.0


def test_three_deaths_is_level_one_with_reason():
    urgency = assess_urgency("某化工厂发生爆炸，造成3人死亡", topic="work_safety", source_type="news")
    assert urgency.level == 1
    assert urgency.name == "特别重大"
    assert any("死亡3人" in reason for reason in urgency.reasons)


def test_a_road_crash_with_two_deaths_is_level_three_and_says_it_was_a_crash():
    urgency = assess_urgency(
        "沿黄公路一辆货车与面包车相撞，造成2人死亡、3人受伤", topic="transport", source_type="news"
    )
    assert urgency.level == 3
    reason = next(reason for reason in urgency.reasons if reason.startswith("伤亡"))
    assert "交通事故" in reason and "死亡未达3人" in reason and "未涉及事故灾害" not in reason


def test_ten_injured_is_level_one():
    assert assess_urgency("大巴侧翻致12人受伤").level == 1


def test_a_death_at_work_explosion_collapse_or_mass_incident_is_at_most_two():
    for text in (
        "一名工人坠亡，1人死亡",
        "仓库发生爆炸",
        "在建楼房坍塌",
        "上百名村民聚集堵路",
        "群体性事件",
        "今天凌晨民房起火，造成1人死亡",
    ):
        assert assess_urgency(text).level <= 2, text


def test_one_persons_misfortune_is_level_three_with_the_reason():
    """A death on the road, in the water or in a quarrel is 较大, not 重大: it names no failure of public safety."""
    for text in ("一老人过马路被撞身亡", "男孩在河边玩耍溺水身亡", "两人发生口角，一人被打伤"):
        urgency = assess_urgency(text)
        assert urgency.level == 3, text
    assert any("个人伤亡" in reason for reason in assess_urgency("一老人过马路被撞身亡").reasons)


@pytest.mark.parametrize(
    "text",
    [
        "如果楼体坍塌，死亡率按百分之30算就有300多人死亡",  # a fear, with figures
        "难道非得等群租房起火爆炸了才有人来管么？",
        "噪音就像一个巨大的爆炸场声响，半夜都无法入睡",  # a simile
        "这是个信息大爆炸的时代",
        "广东警方破获一起特大诈骗案，命案嫌疑人已被抓获",  # a court and police report, not an emergency here
        "当地时间6月6日,意大利北部发生严重交通事故，造成5人死亡",  # abroad
        "早几年曾发生过燃气爆炸事件，爆炸使房屋墙体垮塌",  # a memory
        "电影剧情中连环命案牵扯人性纠葛",
        "请问医保报销比例是多少？受伤住院2000人次的统计从哪里来",
        "拆迁致使蜜蜂大量死亡",
    ],
)
def test_words_of_disaster_outside_an_incident_report_are_not_urgent(text):
    assert assess_urgency(text).level >= 3, text


def test_strong_negative_in_sensitive_topic_is_three():
    text = "饭店后厨脏乱差，吃了以后拉肚子，太恶心了！投诉无门，气死了！"
    urgency = assess_urgency(text, topic="food_drug", negativity=negativity(text))
    assert urgency.level == 3
    assert any("敏感领域" in reason for reason in urgency.reasons)


def test_plain_question_is_level_four_with_a_reason():
    urgency = assess_urgency("请问幼儿园什么时候报名", topic="education", source_type="board")
    assert urgency.level == 4
    assert urgency.reasons


def test_prevention_and_drills_are_not_incidents():
    assert assess_urgency("镇里开展消防演练，预防火灾").level == 4
    assert assess_urgency("防止爆炸事故，开展安全培训").level == 4


def test_velocity_raises_level_and_event_can_be_recomputed():
    signals = read_signals("小区停水三天没人管", topic="urban", negativity=0.3, source_type="forum")
    assert decide(signals).level == 4
    assert decide(signals, velocity=12).level == 3
    assert decide(signals, velocity=45).level == 2
    grown = event_urgency([signals, read_signals("停水导致一名老人死亡")], velocity=2)
    assert grown.level == 3  # one person's death: 较大
    assert event_urgency([signals, read_signals("停水期间水厂发生爆炸，一名工人死亡")]).level == 2
    assert any("死亡1人" in reason for reason in grown.reasons)


def test_signals_round_trip_through_a_dict():
    signals = read_signals("3人死亡，多人受伤", topic="work_safety", negativity=0.7, source_type="news")
    assert Signals.from_dict(signals.to_dict()) == signals


def test_rules_are_configurable():
    rules = UrgencyRules(dead_level1=1)
    assert assess_urgency("1人死亡", rules=rules).level == 1


def test_adjacent_counts_are_each_read_once():
    """“3人死亡5人受伤”: the 5 belongs to the injured, not to the dead before it."""
    from pipeline.casualties import parse_casualties

    found = parse_casualties("今天上午砖厂爆炸,造成3人死亡5人受伤")
    assert (found.dead, found.injured) == (3, 5)


@pytest.mark.parametrize(
    "text, level",
    [
        ("听说死人了,厂里一个管事的都没露面", 2),
        ("瑞丰村几百号人把路堵了,车全过不去", 2),
        ("东园这边刚才一声巨响,工业园那边冒黑烟了", 3),
        ("这天气热死人了,排队的人多得吓死人", 4),  # hyperbole, not a death
    ],
)
def test_colloquial_reports_and_hyperbole(text, level):
    assert assess_urgency(text).level == level


def test_hazard_kinds_name_one_emergency_in_different_words():
    assert read_signals("刚才一声巨响,工业园冒黑烟").hazards == ("爆炸", "火灾")
    assert read_signals("化工厂爆燃").hazards == ("爆炸",)
    assert read_signals("好多学生上吐下泻").hazards == read_signals("疑似集体食物中毒").hazards == ("食物中毒",)
    assert read_signals("集体食物中毒").serious_terms == ("集体食物中毒",)  # a named hazard is itself a serious term
    assert read_signals("开展防止火灾宣传").hazards == ()
    merged = event_urgency([read_signals("河心滩有人被困"), read_signals("化工厂爆炸")]).signals
    assert set(merged.hazards) == {"汛情", "爆炸"}
    assert Signals.from_dict({"critical_terms": ["爆炸"]}).hazards == ()  # rows stored before hazards existed


def test_a_fear_is_not_a_report():
    assert assess_urgency("旁边就是民房,万一漏气着火后果不堪设想").level == 4
    assert read_signals("一旦发生火灾后果严重").hazards == ()
    assert assess_urgency("今天上午仓库发生火灾,一人受伤").level == 3


@pytest.mark.parametrize(
    "text, reason",
    [
        # A death from illness is one person's death, not an emergency.
        ("连续服用三天后，王阿姨因冠心病、急性心肌梗死死亡。", "因病死亡"),
        ("工地一名工人昨晚突发疾病身亡", "因病死亡"),
        # Onlookers watch an incident; they do not block a road.
        ("塔吊一旁的省道周围聚集数十名围观群众，民警劝离", "围观人群"),
        # A sum over several incidents over a period is a statistic.
        ("近期以来，该省连续发生的5起较大事故，共造成25人死亡、19人受伤。", "多起事件合计"),
    ],
)
def test_illness_onlookers_and_tallies_do_not_make_an_emergency(text, reason):
    urgency = assess_urgency(text, source_type="news")
    assert urgency.level >= 3, urgency.reasons
    assert any(reason in item for item in urgency.signals.discounted), urgency.signals.discounted


@pytest.mark.parametrize(
    "text",
    [
        "今天上午，某化工厂发生爆炸，造成3人死亡。",  # an incident with deaths stays urgent
        "101国道连续发生两起车祸，造成3人死亡",  # two crashes now, no period counted: still an incident report
        "数十名村民聚集在镇政府门口拉横幅堵路",  # a gathering that blocks a road
        "患病学生已送医，经抢救无效，2名工人在爆炸中死亡",  # the illness is in another clause
        "一名患有心脏病的老人和两名孩子在火灾中死亡",  # a disease named, the fire is the cause
    ],
)
def test_incidents_next_to_those_cues_stay_urgent(text):
    assert assess_urgency(text, source_type="news").level <= 2


def test_a_new_incident_after_a_tally_is_an_incident():
    signals = read_signals("上个月四天内接连发生三起电动车自燃，然而昨日就又发生了一起电动车自燃。")
    assert "火灾" in signals.hazards, signals
    assert any("多起事件合计" in item for item in signals.discounted)
