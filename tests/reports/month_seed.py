"""A known month (November 2026) driven through the real workflow on a controlled clock, and later edits to it.

Events (office at the cut-off; times are Asia/Shanghai):
  E8  Oct 10  level 3 medical      msfw        previous month only
  E7  Oct 31  level 4 transport    jjfw        its deadlines fall in November, both met
  E1  Nov 3   level 1 work_safety  zzwb        publish 1.5 h late; closed and evaluated Nov 5; heat 54
  E10 Nov 5   level 3 land         guotan→jjfw assessed 30 min late (the duty desk's breach); jjfw's 48 h count
                                               from the handover
  E2  Nov 10  level 2 medical      msfw        assessed 45 min late (the duty desk's); closed and evaluated Nov 12;
                                               heat 54
  E11 Nov 12  level 3 urban        dzb         respond deadline missed, then 无需处置 on Nov 16 (48 h late)
  E3  Nov 15  level 3 medical      msfw        responded 12 h late; heat 9
  E4  Nov 20  level 4 education    msfw        all on time; closed Nov 22, evaluated only on Dec 3
  E5  Nov 25  level 4 other        dzb         误报 before any deadline fell due
  E6  Nov 27  level 3→2 environment jjfw       assessed 30 min late (the duty desk's); publish not done by the
                                               cut-off; heat 15
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from yuqing.app import App
from yuqing.db.models import Event, Mention, Source
from yuqing.timeutil import as_utc
from yuqing.workflow import actions
from yuqing.workflow.hooks import on_event_changed, on_event_detected
from yuqing.workflow.jobs import check_deadlines, evaluate_effects

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"
_numbers = itertools.count(1)


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A 2026 wall-clock time in Shanghai, as aware UTC."""
    return as_utc(datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI))


def _source(session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, kind="rss", url=f"http://127.0.0.1/{name}", title=name)
        session.add(source)
        session.flush()
    return source


def add_mentions(app: App, event_id: int, count: int, at: datetime, source: str = "news", negative: int = 0) -> None:
    """`count` mentions of an event published and first seen at `at`; the first `negative` of them negative."""
    with app.db.write() as session:
        source_id = _source(session, source).id
        for index in range(count):
            number = next(_numbers)
            session.add(
                Mention(
                    source_id=source_id,
                    url=f"http://127.0.0.1/{source}/{number}",
                    canonical_url=f"http://127.0.0.1/{source}/{number}",
                    content_hash=f"seed{number}",
                    title="网帖",
                    content="网帖内容",
                    published_at=at,
                    first_seen_at=at,
                    updated_at=at,
                    negativity=0.8 if index < negative else 0.1,
                    relevant=True,
                    event_id=event_id,
                )
            )


def detect(
    app: App,
    title: str,
    level: int,
    topic: str,
    office: str,
    at: datetime,
    mentions: int,
    forum: int = 0,
    negative: int = 0,
) -> int:
    """A new event as ingest makes it: the event, its mentions (`forum` of them from a second source), the hook."""
    with app.db.write() as session:
        event = Event(
            title=title,
            summary=title,
            topic=topic,
            urgency=level,
            reasons=["测试"],
            office_code=office,
            detected_at=at,
            last_mention_at=at,
            status="detected",
            mention_count=mentions,
            heat=999.0,
        )
        session.add(event)
        session.flush()
        event_id = event.id
    add_mentions(app, event_id, mentions - forum, at, negative=negative)
    if forum:
        add_mentions(app, event_id, forum, at, source="forum")
    with app.db.write() as session:
        on_event_detected(session, app.settings, session.get(Event, event_id), now=at)
    return event_id


def act(app: App, name: str, *args, **kw):
    """Run one workflow action in its own transaction."""
    with app.db.write() as session:
        return getattr(actions, name)(session, app.settings, *args, **kw)


def assess(app: App, event_id: int, topic: str, level: int, office: str, at: datetime) -> None:
    act(app, "assess_event", event_id, "duty", topic, level, office, now=at)


def respond(app: App, event_id: int, stage: str, published: datetime, at: datetime) -> None:
    act(app, "record_response", event_id, "office", stage, "镇政府网站", None, "情况通报", published, now=at)


def change_level(app: App, event_id: int, level: int, at: datetime) -> None:
    """A level change caused by new mentions, as ingest reports it."""
    with app.db.write() as session:
        event = session.get(Event, event_id)
        old, event.urgency = event.urgency, level
        on_event_changed(session, app.settings, event, old, now=at)


def seed_november(app: App) -> dict[str, int]:
    """Play October's tail and November in time order; returns event name → id."""
    ids: dict[str, int] = {}
    ids["E8"] = detect(app, "某卫生院排长队", 3, "medical", "msfw", local(10, 10, 10), 1)
    assess(app, ids["E8"], "medical", 3, "msfw", local(10, 10, 11))
    ids["E7"] = detect(app, "公交线路停运", 4, "transport", "jjfw", local(10, 31, 23), 1)
    assess(app, ids["E7"], "transport", 4, "jjfw", local(11, 1, 2))
    respond(app, ids["E7"], "respond", local(11, 2, 10), local(11, 2, 10))

    ids["E1"] = detect(
        app, f"化工厂爆炸,联系人{PHONE}", 1, "work_safety", "zzwb", local(11, 3, 10), 45, forum=1, negative=20
    )
    assess(app, ids["E1"], "work_safety", 1, "zzwb", local(11, 3, 10, 20))
    check_deadlines(app, now=local(11, 3, 15, 1))
    respond(app, ids["E1"], "publish", local(11, 3, 16, 30), local(11, 3, 16, 40))
    add_mentions(app, ids["E1"], 2, local(11, 4, 9))
    respond(app, ids["E1"], "press", local(11, 4, 9), local(11, 4, 9, 10))

    ids["E10"] = detect(app, "征地补偿争议", 3, "land", "cwh-guotan", local(11, 5, 9), 4, forum=1)
    act(app, "close_event", ids["E1"], "duty", now=local(11, 5, 10))
    check_deadlines(app, now=local(11, 5, 11, 1))
    assess(app, ids["E10"], "land", 3, "jjfw", local(11, 5, 11, 30))
    respond(app, ids["E10"], "respond", local(11, 6, 9), local(11, 6, 9))

    ids["E2"] = detect(app, "医院收费投诉", 2, "medical", "msfw", local(11, 10, 9), 17, forum=1)
    check_deadlines(app, now=local(11, 10, 10, 1))
    assess(app, ids["E2"], "medical", 2, "msfw", local(11, 10, 10, 45))
    respond(app, ids["E2"], "publish", local(11, 10, 13), local(11, 10, 13, 5))
    respond(app, ids["E2"], "press", local(11, 11, 8), local(11, 11, 8, 5))

    ids["E11"] = detect(app, "路灯损坏", 3, "urban", "dzb", local(11, 12, 8), 1)
    assess(app, ids["E11"], "urban", 3, "dzb", local(11, 12, 9))
    act(app, "close_event", ids["E2"], "duty", now=local(11, 12, 9))
    check_deadlines(app, now=local(11, 14, 8, 1))

    ids["E3"] = detect(app, "诊所无证行医", 3, "medical", "msfw", local(11, 15, 8), 3)
    assess(app, ids["E3"], "medical", 3, "msfw", local(11, 15, 9))
    act(app, "mark_false_alarm", ids["E11"], "duty", "已由供电公司处理", kind="no_action", now=local(11, 16, 8))
    check_deadlines(app, now=local(11, 17, 8, 1))
    respond(app, ids["E3"], "respond", local(11, 17, 20), local(11, 17, 20, 10))

    ids["E4"] = detect(app, "学校午餐质量", 4, "education", "msfw", local(11, 20, 14), 2)
    assess(app, ids["E4"], "education", 4, "msfw", local(11, 20, 15))
    respond(app, ids["E4"], "respond", local(11, 21, 10), local(11, 21, 10))
    act(app, "close_event", ids["E4"], "duty", now=local(11, 22, 9))

    ids["E5"] = detect(app, "谣言:水库决堤", 4, "other", "dzb", local(11, 25, 11), 1)
    act(app, "mark_false_alarm", ids["E5"], "duty", "经核实为谣言", now=local(11, 25, 11, 30))

    ids["E6"] = detect(app, "河道污染", 3, "environment", "jjfw", local(11, 27, 20), 5)
    change_level(app, ids["E6"], 2, local(11, 27, 21))
    check_deadlines(app, now=local(11, 27, 22, 1))
    assess(app, ids["E6"], "environment", 2, "jjfw", local(11, 27, 22, 30))
    check_deadlines(app, now=local(11, 28, 2, 1))
    respond(app, ids["E6"], "press", local(11, 28, 20), local(11, 28, 20, 5))
    check_deadlines(app, now=local(11, 30, 23, 59))
    return ids


def edit_after_month(app: App, ids: dict[str, int]) -> None:
    """December: late work, new mentions, level/topic/office changes, evaluation, and raw column edits."""
    respond(app, ids["E6"], "publish", local(12, 1, 2), local(12, 1, 2, 5))
    add_mentions(app, ids["E6"], 30, local(12, 2, 9))
    change_level(app, ids["E6"], 1, local(12, 2, 10))
    detect(app, "工地塌方", 1, "work_safety", "zzwb", local(12, 2, 10), 2)
    assess(app, ids["E3"], "housing", 2, "msfw", local(12, 2, 11))
    act(app, "reassign_office", ids["E10"], "duty", "msfw", now=local(12, 3, 9))
    evaluate_effects(app, now=local(12, 3, 12))
    check_deadlines(app, now=local(12, 3, 13))
    with app.db.write() as session:
        for event in session.scalars(select(Event)):
            event.heat, event.assessed_at, event.responded_at = 1.0, None, None
