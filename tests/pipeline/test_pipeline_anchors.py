"""Anchors of an incident: places abroad belong to their country, sentences are not read as road or site names,
and two emergency reports worded alike in characters are compared as such."""

from pipeline.anchor_matching import compare
from pipeline.anchors import read_anchors
from pipeline.clustering import EventCandidate, MentionFeatures, choose_event
from pipeline.event_terms import char_grams


def _conflicts(first: str, second: str) -> list[str]:
    return compare(read_anchors(first), read_anchors(second)).conflicts


def test_a_city_abroad_is_in_its_country_and_an_alias_is_the_country():
    assert not _conflicts("巴黎一座教堂昨晚起火", "法国一座教堂昨晚起火")
    assert not _conflicts("一架美军战机在训练中坠毁", "美国一架战机在训练中坠毁")
    assert not _conflicts("印尼一架客机失事", "印度尼西亚一架客机失事")
    assert not _conflicts("德州一商场发生枪击", "美国得克萨斯州一商场发生枪击")
    assert _conflicts("纽约一栋大楼起火", "芝加哥一栋大楼起火") == ["地点不同：纽约 / 芝加哥"]
    assert _conflicts("日本一栋大楼起火", "韩国一栋大楼起火") == ["地点不同：日本 / 韩国"]


def test_a_region_tells_no_place_apart():
    assert not _conflicts("中东一处油田遭无人机袭击", "沙特一处油田遭无人机袭击")


def test_sentences_before_a_road_suffix_are_no_road_names():
    assert read_anchors("男子驾车撞上高速路护栏,钢管穿进身体").roads == frozenset()
    assert read_anchors("一辆小车撞倒两名正横过马路的老人").roads == frozenset()
    assert read_anchors("公交15路司机操作不当撞上站台").roads == frozenset()
    assert read_anchors("东园镇一大货车隧道内起火").roads == frozenset()
    assert read_anchors("银川市高架桥侧翻").roads == frozenset()
    (road,) = read_anchors("沿河街道迎宾路一小吃店爆炸").roads  # 街道 is a subdistrict, not a road
    assert road.endswith("迎宾路")
    assert read_anchors("今天下午在101国道上两车相撞").roads == frozenset({"101国道"})


def test_one_road_named_longer_or_shorter_is_one_road():
    comparison = compare(
        read_anchors("燃气爆炸,地点为东园镇迎宾路一小吃店"), read_anchors("迎宾路一小吃店发生燃气爆炸")
    )
    assert not comparison.conflicts and comparison.named_site == ["东园镇迎宾路"]
    assert _conflicts("今天上午101国道两车相撞", "今天上午104国道两车相撞") == ["道路不同：101国道 / 104国道"]


def test_a_compound_in_a_place_or_on_a_road_names_no_compound():
    assert read_anchors("中卫一小区突然起火").sites == frozenset()
    assert read_anchors("迎宾路上一小区突然起火").sites == frozenset()
    assert read_anchors("一架战机撞向基地的仓库,将仓库顶部撞出大洞").sites == frozenset()


def test_char_grams_keep_latin_words_and_long_numbers_whole():
    assert char_grams("日本F35坠机,2019年13人") == frozenset({"日本", "f35", "坠机", "2019"})


def test_a_short_rewrite_of_an_emergency_joins_by_its_characters():
    original = "今天中午,东园镇迎宾路一家小吃店发生燃气爆炸,造成3人受伤,消防正在现场处置。"
    rewrite = "东园镇小吃店燃气爆炸3人受伤"
    other = "今天中午,金沙村一处民房发生燃气爆炸,消防正在现场处置。"
    events = [
        EventCandidate(
            name,
            frozenset({"燃气", "爆炸", "消防"}),
            "work_safety",
            None,
            9_000.0,
            hazards=frozenset({"爆炸"}),
            urgency=3,
            grams=char_grams(text),
        )
        for name, text in (("shop", original), ("house", other))
    ]
    mention = MentionFeatures(
        frozenset(),
        "work_safety",
        None,
        10_000.0,
        hazards=frozenset({"爆炸"}),
        urgency=3,
        grams=char_grams(rewrite),
    )
    decision = choose_event(mention, events, threshold=0.5)
    assert decision.event_id == "shop"
    assert any(reason.startswith("字面相近") for reason in decision.reasons)
    without = MentionFeatures(mention.terms, "work_safety", None, 10_000.0, hazards=mention.hazards, urgency=3)
    assert choose_event(without, events, threshold=0.5).event_id is None


def test_a_verb_or_a_word_before_lu_is_no_road_and_a_dateline_is_no_place():
    assert read_anchors("瑞丰村几百号人把路堵了").roads == frozenset()
    assert read_anchors("村民拉横幅堵路讨要补偿").roads == frozenset()
    assert read_anchors("封锁受影响线路,排查设施").roads == frozenset()
    assert read_anchors("今天在中山路发生车祸").roads == frozenset({"中山路"})
    filed = read_anchors("中新社成都6月19日电 四川长宁6.0级地震救援进入第3天")
    assert "成都" not in filed.places and "长宁" in filed.places and (6, 19) not in filed.days


def _emergency(name: str, text: str, kinds: set[str]) -> EventCandidate:
    return EventCandidate(
        name,
        frozenset({"坠毁", "直升机", "飞行员"}),
        "transport",
        None,
        9_000.0,
        hazards=frozenset(kinds),
        urgency=3,
        anchors=read_anchors(text),
        grams=char_grams(text),
    )


def _report(text: str, kinds: set[str]) -> MentionFeatures:
    return MentionFeatures(
        frozenset({"坠毁", "直升机", "飞行员"}),
        "transport",
        None,
        10_000.0,
        hazards=frozenset(kinds),
        urgency=3,
        anchors=read_anchors(text),
        grams=char_grams(text),
    )


def test_a_report_close_to_two_emergencies_bridges_only_compatible_ones():
    crash = {"空难"}
    manhattan = _emergency("manhattan", "一架直升机在美国纽约曼哈顿一座大厦楼顶坠毁,飞行员丧生", crash)
    later = _emergency("later", "美政府公布曼哈顿直升机坠毁事故报告,飞行员曾迷路", crash)
    alaska = _emergency("alaska", "美国阿拉斯加州两架水上飞机坠毁,飞行员失踪", crash)
    report = _report("纽约曼哈顿直升机坠毁,飞行员不具备恶劣天气飞行资质", crash)
    decision = choose_event(report, [manhattan, later, alaska], threshold=0.5)
    assert decision.event_id in {"manhattan", "later"}
    assert [event for event, _ in decision.also] == [{"manhattan", "later"}.difference({decision.event_id}).pop()]
    # A report naming only the country is close to New York's event and to Alaska's: two places, no bridge.
    vague = _report("美国一架直升机坠毁,飞行员丧生", crash)
    decision = choose_event(vague, [manhattan, alaska], threshold=0.3)
    assert decision.event_id == "manhattan" and decision.also == []
    assert any("地点不同：纽约 / 阿拉斯加" in reason and "不合并" in reason for reason in decision.reasons)


def test_a_report_of_one_kind_does_not_bridge_an_emergency_of_another_kind():
    quake = _emergency("quake", "四川长宁6.0级地震,房屋倒塌,直升机转运伤员", {"地震", "坍塌"})
    landslide = _emergency("landslide", "四川雅西高速塌方断道,直升机巡查", {"坍塌", "汛情"})
    report = _report("四川地震后直升机转运伤员", {"地震"})
    decision = choose_event(report, [quake, landslide], threshold=0.3)
    assert decision.event_id == "quake" and decision.also == []
    assert any(reason.startswith("同时接近事件 #landslide") and "险情不同" in reason for reason in decision.reasons)


def test_a_short_complaint_bridges_routine_matters_of_one_village_only_by_its_words():
    lights = EventCandidate("lights", frozenset({"路灯", "小学", "新园村", "孩子"}), "urban", "新园村", 9_000.0)
    water = EventCandidate("water", frozenset({"停水", "管道", "新园村", "孩子"}), "urban", "新园村", 9_000.0)
    complaint = MentionFeatures(frozenset({"路灯", "小学", "新园村", "孩子"}), "urban", "新园村", 10_000.0)
    decision = choose_event(complaint, [lights, water], threshold=0.5)
    assert decision.event_id == "lights" and decision.also == []  # the village and the topic are all they share
    both = MentionFeatures(frozenset({"路灯", "停水", "管道", "小学", "新园村", "孩子"}), "urban", "新园村", 10_000.0)
    assert [event for event, _ in choose_event(both, [lights, water], threshold=0.5).also] == ["water"]


def test_dates_with_months_far_apart_are_two_incidents_and_a_follow_up_naming_both_is_not():
    assert _conflicts("7月8日深圳一工地坍塌", "8月28日深圳一栋楼房倾斜倒塌") == ["发生日期不同：7月8日 / 8月28日"]
    assert not _conflicts("7月8日深圳一工地坍塌", "7月9日深圳工地坍塌已致3人死亡")
    assert not _conflicts("18日深圳一工地坍塌", "8月28日深圳一栋楼房倾斜倒塌")  # a day alone is read loosely
    assert not _conflicts("7月8日深圳体育中心坍塌,8月28日调查报告公布", "8月28日深圳体育中心坍塌调查")


def test_a_kind_several_events_share_counts_for_the_one_whose_place_the_report_names():
    shooting = {"暴力伤害"}
    texas = _emergency("texas", "美国得克萨斯州一家超市发生枪击案,至少20人死亡", shooting)
    others = [
        _emergency("mexico", "墨西哥一酒吧发生枪击案,多人死亡", shooting),
        _emergency("india", "印度一村庄发生袭击,多人受伤", shooting),
    ]
    report = _report("美德州枪击案增至22死,民主党要求参院表决控枪法案", shooting)
    decision = choose_event(report, [texas, *others], threshold=0.5)
    assert decision.event_id == "texas"
    assert "同一地点的同类险情：暴力伤害" in decision.reasons
    elsewhere = _report("美国一州枪击案增至22死,民主党要求参院表决控枪法案", shooting)
    assert "同一地点的同类险情：暴力伤害" not in choose_event(elsewhere, [texas, *others], threshold=0.5).reasons
