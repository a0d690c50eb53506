"""One matter (郭滩村 tap water) followed through the real workflow on a controlled clock, for the topic report.

Times are Asia/Shanghai on 2026-12-01. Posts (source type): forum 09:00 (the first, a complaint carrying a phone
number and a name, stored unmasked as an older row would be), weibo 09:40 (a demand), news 11:00 (a plain report),
forum 12:30 (a worry), weibo 14:00, official 15:00 (the town's statement), forum 18:00 (thanks). Comments under the
first post at 09:20, 09:30 and 10:00. Detected 09:10, assessed 09:30 (level 3, office cwh-guotan), response
published 15:00 and recorded 15:10, closed 20:00. Used with cut-offs at 16:00 and later."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from yuqing.app import App
from yuqing.db.models import Comment, Event, Mention, Source
from yuqing.timeutil import as_utc
from yuqing.workflow import actions
from yuqing.workflow.hooks import on_event_detected

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"
TITLE = "郭滩村自来水浑浊发黄"
SOURCES = {
    "forum": ("中卫论坛", "forum"),
    "weibo": ("微博·中卫生活", "weibo"),
    "news": ("沙坡头新闻网", "news"),
    "gov": ("东园镇政府网站", "official"),
}
POSTS = [  # (hour, minute, source, title, content, negativity)
    (9, 0, "forum", TITLE, f"郭滩村自来水发黄三天了,凭什么没人管?联系人张三,电话{PHONE}", 0.8),
    (9, 40, "weibo", "郭滩村停水发黄", "希望有关部门尽快处理郭滩村自来水问题", 0.4),
    (11, 0, "news", "郭滩村部分村民反映自来水浑浊", "记者了解到,郭滩村部分村民家中自来水浑浊", 0.3),
    (12, 30, "forum", "郭滩村的水还能喝吗", "担心自来水有问题,会不会影响孩子健康", 0.6),
    (14, 0, "weibo", "郭滩村自来水", "郭滩村自来水浑浊,转发扩散", 0.5),
    (15, 0, "gov", "关于郭滩村自来水浑浊的情况通报", "经排查为管网维修所致,已完成冲洗,水质检测合格", 0.0),
    (18, 0, "forum", "郭滩村自来水恢复了", "感谢镇里及时处理,已解决", 0.0),
]
COMMENTS = [  # (hour, minute, content, negativity)
    (9, 20, f"我家也是,打了{PHONE}没人接", 0.6),
    (9, 30, "凭什么一直拖着不管", 0.9),
    (10, 0, "希望尽快给个说法", 0.3),
]
_numbers = itertools.count(1)


def local(hour: int, minute: int = 0, day: int = 1) -> datetime:
    """A wall-clock time on 2026-12-<day> in Shanghai, as aware UTC."""
    return as_utc(datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI))


@dataclass
class Matter:
    event_id: int
    post_ids: list[int]  # in POSTS order


def _source(session, key: str) -> Source:
    title, kind = SOURCES[key]
    source = session.scalar(select(Source).where(Source.name == key))
    if source is None:
        source = Source(name=key, kind="rss", url=f"http://127.0.0.1/{key}.xml", title=title, source_type=kind)
        session.add(source)
        session.flush()
    return source


def add_post(app: App, event_id: int, at: datetime, key: str, title: str, content: str, negativity: float = 0.0) -> int:
    """One post of the event, published and first seen at `at`."""
    with app.db.write() as session:
        source = _source(session, key)
        number = next(_numbers)
        mention = Mention(
            source_id=source.id,
            url=f"http://127.0.0.1/{key}/{number}",
            canonical_url=f"http://127.0.0.1/{key}/{number}?n={number}",
            content_hash=f"topic{number}",
            title=title,
            content=content,
            source_type=source.source_type,
            official=source.source_type == "official",
            published_at=at,
            first_seen_at=at,
            updated_at=at,
            negativity=negativity,
            relevant=True,
            event_id=event_id,
            topic="environment",
            urgency=3,
            matched_terms=["郭滩村", "自来水"],
        )
        session.add(mention)
        session.flush()
        return mention.id


def act(app: App, name: str, *args, **kw):
    """One workflow action in its own transaction."""
    with app.db.write() as session:
        return getattr(actions, name)(session, app.settings, *args, **kw)


def seed_matter(app: App, office: str = "cwh-guotan", close: bool = True) -> Matter:
    """The event, its posts and comments, and its handling (see the module text); closed unless `close` is False."""
    with app.db.write() as session:
        event = Event(
            title=TITLE,
            summary="郭滩村村民反映自来水浑浊发黄",
            topic="environment",
            urgency=3,
            reasons=["涉及饮水安全"],
            village="郭滩村",
            detected_at=local(9, 10),
            last_mention_at=local(9, 0),
            first_published_at=local(9, 0),
            status="detected",
        )
        session.add(event)
        session.flush()
        event_id = event.id
    posts = [add_post(app, event_id, local(h, m), key, title, text, neg) for h, m, key, title, text, neg in POSTS]
    with app.db.write() as session:
        for index, (hour, minute, text, negativity) in enumerate(COMMENTS):
            at = local(hour, minute)
            session.add(
                Comment(
                    mention_id=posts[0],
                    key=f"c{index}",
                    position=index + 1,
                    content=text,
                    published_at=at,
                    first_seen_at=at,
                    negativity=negativity,
                )
            )
        on_event_detected(session, app.settings, session.get(Event, event_id), now=local(9, 10))
    act(app, "assess_event", event_id, "duty", "environment", 3, office, comment="已核实", now=local(9, 30))
    act(
        app,
        "record_response",
        event_id,
        "guotan",
        "respond",
        "东园镇政府网站",
        None,
        "经排查为管网维修所致,已完成冲洗",
        local(15, 0),
        now=local(15, 10),
    )
    if close:
        act(app, "close_event", event_id, "duty", comment="水质合格", now=local(20, 0))
    return Matter(event_id, posts)
