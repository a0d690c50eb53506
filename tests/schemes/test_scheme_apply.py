"""Schemes changed on the page apply to new mentions at once (in this process and, within seconds, in another),
can be previewed on the last 7 days, and re-applied on request to stored mentions, which then join events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yuqing.app import open_app
from yuqing.db.models import AuditLog, Event, Mention, MonitoringScheme
from yuqing.ingest import ingest_item
from yuqing.schemes import live
from yuqing.schemes.preview import preview_scheme
from yuqing.schemes.reapply import reapply_schemes
from yuqing.schemes.store import check_scheme, save_scheme, set_enabled
from yuqing.workflow.corrections import correct_mention

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
MARATHON = {"name": "赛事", "event": "马拉松"}


def _item(number: int, title: str, content: str, **extra) -> dict:
    return dict(source="news", url=f"http://127.0.0.1/n/{number}", title=title, content=content, **extra)


def _relevant(app, mention_id: int) -> tuple[bool, int | None]:
    with app.db.read() as session:
        mention = session.get(Mention, mention_id)
        return mention.relevant, mention.event_id


def _save(app, values: dict, scheme_id: int | None = None) -> int:
    with app.db.write() as session:
        scheme_id = save_scheme(session, values, "admin", scheme_id=scheme_id, now=NOW).id
    live.refresh_schemes(app, force=True)  # what the 监测方案 page does after saving
    return scheme_id


def test_a_new_scheme_applies_to_the_next_mention_at_once(any_app):
    first = ingest_item(any_app, _item(1, "某市马拉松开跑", "上万名跑者参加马拉松比赛。"), now=NOW)
    assert _relevant(any_app, first.mention_id) == (False, None)
    scheme_id = _save(any_app, MARATHON)
    second = ingest_item(any_app, _item(2, "某市马拉松交通管制", "马拉松比赛期间部分道路封闭。"), now=NOW)
    assert second.event_id is not None and _relevant(any_app, second.mention_id)[0] is True
    with any_app.db.read() as session:
        assert session.get(Mention, second.mention_id).schemes == ["赛事"]
    with any_app.db.write() as session:
        set_enabled(session, scheme_id, False, "admin", now=NOW)
    live.refresh_schemes(any_app, force=True)
    third = ingest_item(any_app, _item(3, "马拉松报名开始", "今年的马拉松比赛开始报名。"), now=NOW)
    assert _relevant(any_app, third.mention_id) == (False, None)


def test_another_process_picks_up_a_change_without_restart(settings_factory, monkeypatch):
    settings = settings_factory()
    web = open_app(settings)
    worker = open_app(settings_factory())  # its own settings and analysis context, the same database
    assert not ingest_item(worker, _item(1, "马拉松", "马拉松比赛开跑。"), now=NOW).event_id
    with web.db.write() as session:
        save_scheme(session, MARATHON, "admin", now=NOW)
    monkeypatch.setattr(live, "CHECK_SECONDS", 0.0)  # the worker looks at its next item, not seconds later
    result = ingest_item(worker, _item(2, "马拉松交通管制", "马拉松比赛期间道路封闭。"), now=NOW)
    assert result.event_id is not None
    assert [s.name for s in worker.settings.schemes] == ["东园镇", "赛事"]
    web.close()
    worker.close()


def test_preview_counts_what_the_scheme_matches_in_the_last_seven_days(app):
    items = [
        (_item(1, "东园镇马拉松开跑", "东园镇举办马拉松。"), NOW - timedelta(days=1)),  # relevant already
        (_item(2, "某省马拉松", "某省举办马拉松比赛。"), NOW - timedelta(days=2)),
        (_item(3, "某省马拉松<b>报名</b>", "马拉松报名开始。"), NOW - timedelta(hours=3)),
        (_item(4, "某省足球赛", "足球比赛。"), NOW - timedelta(hours=1)),
        (_item(5, "去年的马拉松", "马拉松回顾。"), NOW - timedelta(days=8)),  # outside the window
    ]
    for item, seen in items:
        ingest_item(app, item, now=seen)
    with app.db.read() as session:
        preview = preview_scheme(session, check_scheme(MARATHON), NOW)
        excluded = preview_scheme(session, check_scheme({**MARATHON, "exclude": "报名"}), NOW)
    assert (preview.checked, preview.matched, preview.newly_relevant) == (4, 3, 2)
    assert [row["title"] for row in preview.rows] == ["某省马拉松<b>报名</b>", "东园镇马拉松开跑", "某省马拉松"]
    assert preview.rows[0]["terms"] == "马拉松" and not preview.matches_everything
    assert excluded.matched == 2


def test_reapply_makes_stored_mentions_relevant_and_they_join_events_by_the_normal_path(any_app):
    app = any_app
    ids = {}
    for key, item, seen in [
        (
            "race",
            _item(1, "某市马拉松交通管制", "马拉松比赛期间城区部分道路封闭,市民出行不便。"),
            NOW - timedelta(days=2),
        ),
        (
            "race2",
            _item(2, "马拉松交通管制引不满", "马拉松比赛期间城区部分道路封闭,市民出行不便。"),
            NOW - timedelta(days=1),
        ),
        ("old", _item(3, "马拉松往事", "十年前的马拉松比赛。"), NOW - timedelta(days=10)),
        ("corrected", _item(4, "马拉松花絮", "马拉松选手合影。"), NOW - timedelta(hours=5)),
    ]:
        ids[key] = ingest_item(app, item, now=seen).mention_id
    with app.db.write() as session:  # a duty officer judged this one: it stays as they said
        mention = session.get(Mention, ids["corrected"])
        mention.relevant = True
        session.flush()
        correct_mention(session, app.settings, ids["corrected"], "duty", relevant=False, comment="与本镇无关")
    _save(app, MARATHON)
    heard: list[str] = []
    result = reapply_schemes(app, 3, "admin", now=NOW, progress=heard.append)
    assert (result.checked, result.became_relevant, result.kept_by_people) == (3, 2, 1)
    assert heard[:3] == ["已检查 1 条信息", "已检查 2 条信息", "已检查 3 条信息"]
    assert heard[-1] == "已检查 3 条信息;新命中的 2 条已重新分析 2 条"
    assert result.joined_events == 2 and result.new_events == 1
    race, race2 = _relevant(app, ids["race"]), _relevant(app, ids["race2"])
    assert race[0] and race2[0] and race[1] is not None and race[1] == race2[1]  # one event, as ingest would do
    assert _relevant(app, ids["old"]) == (False, None)
    assert _relevant(app, ids["corrected"])[0] is False
    with app.db.read() as session:
        event = session.get(Event, race[1])
        assert event.status == "detected" and event.office_code and event.mention_count == 2
        reasons = session.scalars(
            select(AuditLog.comment).where(AuditLog.action == "scheme_reapply", AuditLog.entity == "mention")
        ).all()
        summary = session.scalar(select(AuditLog.comment).where(AuditLog.entity_id == "*"))
    assert reasons == ["重新应用监测方案:命中 “赛事”(依据:马拉松)"] * 2
    assert "新增相关 2 条" in summary and "新建事件 1 个" in summary

    # The scheme disabled: mentions already in the event stay there; a relevant one outside events is marked so.
    lone = ingest_item(app, _item(9, "马拉松", "马拉松。"), now=NOW).mention_id
    with app.db.write() as session:
        session.get(Mention, lone).event_id = None  # e.g. an official post: relevant, in no event
    with app.db.write() as session:
        scheme_id = session.scalar(select(MonitoringScheme.id).where(MonitoringScheme.name == "赛事"))
        set_enabled(session, scheme_id, False, "admin", now=NOW)
    result = reapply_schemes(app, 3, "admin", now=NOW)
    assert (result.became_irrelevant, result.kept_in_events) == (1, 2)
    assert _relevant(app, lone) == (False, None) and _relevant(app, ids["race"])[0] is True
