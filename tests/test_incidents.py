"""One real incident, one event: distinct incidents of one kind stay apart, rewrites join, the event follows the
newest authoritative figures, and an emergency's topic (and office) follow its kind — through the real ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.db.models import AuditLog, Event, OutboxMessage
from yuqing.ingest import ingest_item

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SOURCES = [
    {"name": "news", "kind": "rss", "url": "http://127.0.0.1:9/news.xml", "source_type": "news"},
    {"name": "bbs", "kind": "rss", "url": "http://127.0.0.1:9/bbs.xml", "source_type": "forum"},
    {"name": "gov", "kind": "rss", "url": "http://127.0.0.1:9/gov.xml", "source_type": "official", "official": True},
]


@pytest.fixture
def town(settings_factory, db_url):
    application = open_app(settings_factory({"sources": SOURCES}, db_url=db_url))
    yield application
    application.close()


def _post(app, number: int, title: str, content: str, *, source: str = "news", minutes: float = 0):
    at = NOW + timedelta(minutes=minutes)
    return ingest_item(
        app,
        {
            "source": source,
            "url": f"http://127.0.0.1:9/{source}/{number}",
            "title": title,
            "content": content,
            "published_at": at - timedelta(minutes=1),
        },
        now=at,
    )


def test_two_crashes_on_different_national_roads_are_two_events_with_the_reason(town):
    first = _post(town, 1, "东园镇101国道发生车祸", "今天上午,东园镇101国道郭滩村路段两车相撞,造成2人受伤。")
    second = _post(town, 2, "东园镇104国道一货车侧翻", "今天上午,104国道东园段一辆货车侧翻,司机被困车内。", minutes=4)
    rewrite = _post(
        town,
        3,
        "101国道郭滩段两车相撞2人受伤",
        "101国道郭滩村路段两车相撞,2人受伤送医,交警正在处理。",
        source="bbs",
        minutes=9,
    )
    assert first.event_id != second.event_id
    assert rewrite.event_id == first.event_id
    with town.db.read() as session:
        assert {session.get(Event, e).topic for e in (first.event_id, second.event_id)} == {"transport"}


def test_each_post_keeps_why_it_joined_or_started_its_event_and_the_event_page_shows_it(town):
    """The clustering's decision is on the record: a rewrite says which event it joined and why, the other road's
    crash says why it started its own event (the roads differ), and the event page shows both as plain text."""
    from dashboard.event_panels import render_timeline
    from dashboard.queries.event_detail import query_event_mentions
    from yuqing.db.models import Mention

    first = _post(town, 1, "东园镇101国道发生车祸", "今天上午,东园镇101国道郭滩村路段两车相撞,造成2人受伤。")
    second = _post(town, 2, "东园镇104国道一货车侧翻", "今天上午,104国道东园段一辆货车侧翻,司机被困车内。", minutes=4)
    rewrite = _post(
        town, 3, "101国道郭滩段两车相撞2人受伤", "101国道郭滩村路段两车相撞,2人受伤送医,交警正在处理。", minutes=9
    )
    with town.db.read() as session:
        why = {r.mention_id: session.get(Mention, r.mention_id).join_reason for r in (first, second, rewrite)}
        shown = str(
            render_timeline(query_event_mentions(session, town.settings, first.event_id), False).to_plotly_json()
        )
    assert why[first.mention_id] == "新建事件：时间窗口内没有相近的事件"
    assert "新建事件" in why[second.mention_id] and "道路不同：104国道 / 101国道" in why[second.mention_id]
    assert why[rewrite.mention_id].startswith(f"并入事件 #{first.event_id}：")
    assert "同一领域：交通出行" in why[rewrite.mention_id] or "交通事故" in why[rewrite.mention_id]
    assert "transport" not in why[rewrite.mention_id]  # topics by their names, not their codes
    assert f"归并依据:并入事件 #{first.event_id}：" in shown


def test_two_fires_at_different_places_and_two_poisonings_stay_apart(town):
    fire_home = _post(town, 1, "金沙村一民房起火", "今天凌晨,东园镇金沙村一民房起火,火势较大,消防正在扑救。")
    fire_shop = _post(town, 2, "东园万家乐超市突发火灾", "今天凌晨,东园镇万家乐超市突发火灾,浓烟滚滚。", minutes=5)
    school = _post(
        town, 3, "东园中学多名学生上吐下泻", "东园中学多名学生中午在食堂吃饭后上吐下泻,疑似食物中毒。", minutes=8
    )
    banquet = _post(
        town, 4, "郭滩村一婚宴多人食物中毒", "郭滩村一户人家办婚宴,多名宾客饭后呕吐腹泻,疑似食物中毒。", minutes=12
    )
    assert len({fire_home.event_id, fire_shop.event_id, school.event_id, banquet.event_id}) == 4
    with town.db.read() as session:
        shop = session.get(Event, fire_shop.event_id)
        canteen = session.get(Event, school.event_id)
        assert shop.topic == "work_safety"  # a fire in a shop is 安全生产, not 市场监管
        assert canteen.topic == "food_drug"  # a poisoning at a school canteen is 食品药品安全, not 教育
        assert shop.office_code == "zzwb" and canteen.office_code == "jjfw"  # routing follows the topic


def test_the_event_follows_the_newest_authoritative_figures(town):
    rumour = _post(town, 1, "郭滩村砖厂爆炸死了二十多个人", "郭滩村砖厂刚才爆炸了,听说死了二十多个人", source="bbs")
    news = _post(
        town, 2, "郭滩村砖厂爆炸已致3人死亡", "东园镇郭滩村砖厂今天上午发生爆炸,已造成3人死亡、5人受伤。", minutes=10
    )
    official = _post(
        town,
        3,
        "关于郭滩村砖厂爆炸事故的情况通报",
        "郭滩村砖厂爆炸事故已造成5人死亡、4人受伤,伤员正在救治。",
        source="gov",
        minutes=40,
    )
    later_rumour = _post(
        town, 4, "郭滩村砖厂爆炸到底死了多少人", "郭滩村砖厂爆炸我听说死了三十个人,瞒报了吧", source="bbs", minutes=50
    )
    assert rumour.event_id == news.event_id == official.event_id == later_rumour.event_id
    with town.db.read() as session:
        event = session.get(Event, rumour.event_id)
        assert event.facts["figures"] == {"dead": 5, "injured": 4}
        assert event.title == "关于郭滩村砖厂爆炸事故的情况通报"
        assert any("死亡5人" in reason for reason in event.reasons)
        history = session.scalars(
            select(AuditLog.after)
            .where(AuditLog.event_id == event.id, AuditLog.field == "casualties")
            .order_by(AuditLog.id)
        ).all()
        assert history[-2:] == ["死亡3人、受伤5人", "死亡5人、受伤4人"]  # the rumour's figure never became the fact


def test_official_figures_lower_a_level_rumours_raised_unless_assessed(town):
    rumour = _post(town, 1, "金沙村仓库着火烧死三个人", "金沙村仓库着火了,听说烧死了三个人", source="bbs")
    with town.db.read() as session:
        assert session.get(Event, rumour.event_id).urgency == 1
    _post(
        town,
        2,
        "关于金沙村仓库火情的通报",
        "金沙村一仓库发生火情,已被扑灭,事故造成1人受伤,无人员死亡。",
        source="gov",
        minutes=30,
    )
    with town.db.read() as session:
        event = session.get(Event, rumour.event_id)
        assert event.urgency == 3
        assert (
            session.scalar(
                select(AuditLog).where(
                    AuditLog.event_id == event.id, AuditLog.field == "urgency", AuditLog.action == "facts"
                )
            )
            is not None
        )


def test_a_follow_up_naming_the_road_joins_and_a_report_naming_nothing_is_not_guessed(town):
    crash = _post(town, 1, "101国道两车相撞", "101国道郭滩村路段两车相撞,1人受伤。")
    follow_up = _post(town, 2, "东园101国道又出车祸了", "刚路过101国道看见出车祸了,好多人围着", source="bbs", minutes=5)
    assert follow_up.event_id == crash.event_id
    second = _post(town, 3, "104国道一货车追尾", "104国道东园段一辆货车追尾,司机受伤。", minutes=8)
    assert second.event_id != crash.event_id
    another_vague = _post(town, 4, "东园路上又撞车了", "又撞车了,这条路太危险了", source="bbs", minutes=12)
    assert another_vague.event_id not in (crash.event_id, second.event_id)  # which crash? a person decides


def test_a_coal_stove_poisoning_is_a_gas_poisoning_not_a_food_poisoning(town):
    """“中毒” alone is generic: the post's own words (一氧化碳中毒, 煤气中毒) say which poisoning it is, so the event is
    安全生产 (routed to its office), its reasons name 气体中毒 only, and a food poisoning nearby stays apart."""
    stove = _post(
        town,
        1,
        "金沙村一家人烧炉子中毒了",
        "听说金沙村三组一家三口晚上烧煤炉子一氧化碳中毒,早上被邻居发现,送到医院,老人没救过来",
        source="bbs",
    )
    follow = _post(
        town,
        2,
        "金沙村煤气中毒,一人死亡两人住院",
        "金沙村三组昨晚煤炉子中毒,老人已经去世,两口子还在医院抢救。",
        minutes=20,
    )
    canteen = _post(
        town, 3, "东园中学多名学生上吐下泻", "东园中学多名学生中午在食堂吃饭后上吐下泻,疑似食物中毒。", minutes=25
    )
    assert stove.event_id == follow.event_id != canteen.event_id
    with town.db.read() as session:
        event = session.get(Event, stove.event_id)
        assert (event.topic, event.office_code) == ("work_safety", "zzwb")
        assert any("气体中毒" in r for r in event.reasons) and not any("食物中毒" in r for r in event.reasons)
        assert session.get(Event, canteen.event_id).topic == "food_drug"


def test_a_poisoning_at_a_school_goes_to_food_safety_and_the_schools_office_hears_of_it(town):
    result = _post(
        town, 1, "东园中学多名学生上吐下泻", "今天中午东园中学多名学生在食堂吃饭后上吐下泻,疑似食物中毒,已送医。"
    )
    with town.db.read() as session:
        event = session.get(Event, result.event_id)
        assert (event.topic, event.office_code) == ("food_drug", "jjfw")
        co = session.scalar(select(AuditLog).where(AuditLog.event_id == event.id, AuditLog.field == "co_office"))
        assert co.after == "msfw" and "就学" in co.comment
        alert = session.scalar(
            select(OutboxMessage).where(OutboxMessage.event_id == event.id, OutboxMessage.kind == "alert")
        )
        assert {"jjfw@example.gov.cn", "msfw@example.gov.cn"} <= set(alert.recipients)


def test_a_plant_described_then_named_is_one_site_and_a_relative_naming_it_joins(town):
    first = _post(
        town,
        1,
        "东园镇工业园区化工厂爆炸",
        "东园镇工业园区一化工厂发生爆炸,现场浓烟滚滚,救护车一直往里开。",
        source="bbs",
    )
    news = _post(
        town,
        2,
        "东园镇一化工企业发生爆炸事故 已造成3人死亡12人受伤",
        "记者获悉,今天上午位于东园镇工业园区的宁夏瑞鑫精细化工有限公司合成车间发生爆炸,已造成3人死亡、12人受伤。",
        minutes=20,
    )
    relative = _post(
        town,
        3,
        "听说死人了……我表哥就在瑞鑫化工上班",
        "刚给表哥打通电话,说是合成车间炸的,听说有三个人当场就没了,东园这个厂平时就不注意安全",
        source="bbs",
        minutes=30,
    )
    assert first.event_id == news.event_id == relative.event_id


def test_a_crash_after_the_roads_complaint_was_closed_is_a_new_event_with_deadlines(town):
    from yuqing.db.models import Deadline
    from yuqing.workflow.actions import assess_event, close_event, record_response

    complaint = _post(
        town, 1, "沿黄公路东园段大货车超速", "沿黄公路东园段大货车天天超速超载,面包车接送学生也不安全,希望管一管。"
    )
    with town.db.write() as session:
        event = session.get(Event, complaint.event_id)
        assess_event(session, town.settings, event.id, "duty", event.topic, 4, event.office_code or "dzb", now=NOW)
        reply = "已联系交警加强该路段超速超载整治。"
        record_response(session, town.settings, event.id, "office", "respond", "board", None, reply, NOW, now=NOW)
        close_event(session, town.settings, event.id, "duty", now=NOW + timedelta(minutes=10))
    crash = _post(
        town,
        2,
        "沿黄公路东园段货车撞面包车",
        "沿黄公路东园段一辆大货车和面包车相撞,面包车变形,车上两人当场死亡,还有几人受伤。",
        source="bbs",
        minutes=20,
    )
    assert crash.event_id != complaint.event_id
    with town.db.read() as session:
        closed = session.get(Event, complaint.event_id)
        assert closed.status == "closed" and closed.mention_count == 1
        assert session.scalars(
            select(Deadline).where(Deadline.event_id == crash.event_id, Deadline.done_at.is_(None))
        ).first()
