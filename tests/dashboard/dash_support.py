"""Dashboard test support: seed data for every role and state, logging in, and calling callbacks over HTTP."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from dashboard.access import Viewer
from yuqing.db.models import AuditLog, Event, Mention, Response, Snapshot, Source
from yuqing.timeutil import utcnow
from yuqing.users import add_user
from yuqing.workflow.hooks import on_event_detected

PASSWORD = "password-123"
XSS_TITLE = "<script>alert(1)</script>郭滩村村民反映自来水浑浊"
XSS_CONTENT = '村民说:<img src=x onerror=alert(1)> 水龙头流出黄水,已持续三天。'
SNAPSHOT_HTML = (
    "<html><body><script>alert('snap')</script><p>联系人 张三 电话 13812345678</p>"
    "<img src=x onerror=alert(2)></body></html>"
)
USERS = {
    "duty": ("duty", None),
    "msfw": ("office", "msfw"),
    "zzwb": ("office", "zzwb"),
    "leader": ("leader", None),
    "admin": ("admin", None),
}
SOURCES = [
    {"name": "news-rss", "kind": "rss", "url": "http://127.0.0.1:9/rss.xml", "title": "沙坡头新闻网"},
    {
        "name": "forum",
        "kind": "rss",
        "url": "http://127.0.0.1:9/forum.xml",
        "title": "中卫论坛",
        "source_type": "forum",
    },
]
_numbers = itertools.count(1)


@dataclass
class Seeded:
    """Ids of the seeded events, by role in the tests."""

    medical: int  # level 1, detected, office msfw, assess deadline running
    safety: int  # level 2, assessed, office zzwb, publish deadline overdue, one proposed response
    xss: int  # level 3, detected, routed to the 郭滩村 office, title and content carry HTML; its mention has a snapshot
    closed: int  # level 4, closed, office msfw
    xss_mention: int
    now: datetime


def viewer(name: str) -> Viewer:
    """The Viewer of a seeded user."""
    role, office = USERS[name]
    return Viewer(name, role, office, name)


def add_mention(
    session, event: Event | None, source: str, title: str, content: str, seen: datetime, **fields
) -> Mention:
    number = next(_numbers)
    source_id = session.scalar(select(Source.id).where(Source.name == source))
    mention = Mention(
        source_id=source_id,
        url=f"http://127.0.0.1:9/{source}/{number}",
        canonical_url=f"http://127.0.0.1:9/{source}/{number}",
        content_hash=f"h{number}",
        title=title,
        content=content,
        published_at=seen - timedelta(minutes=5),
        first_seen_at=seen,
        updated_at=seen,
        relevant=True,
        event_id=event.id if event else None,
        topic=event.topic if event else "other",
        urgency=event.urgency if event else 4,
        **fields,
    )
    session.add(mention)
    session.flush()
    return mention


def add_event(
    session,
    settings,
    *,
    title: str,
    topic: str,
    level: int,
    detected: datetime,
    village=None,
    source: str = "news-rss",
    content: str = "",
) -> Event:
    event = Event(
        title=title,
        summary=content[:100],
        topic=topic,
        urgency=level,
        reasons=["测试依据"],
        village=village,
        detected_at=detected,
        last_mention_at=detected,
        status="detected",
        mention_count=2,
        source_count=2,
    )
    session.add(event)
    session.flush()
    add_mention(session, event, source, title, content or title, detected, village=village)
    add_mention(
        session, event, "forum", title + "(转帖)", content or title, detected + timedelta(minutes=3), village=village
    )
    on_event_detected(session, settings, event)
    return event


def seed(app) -> Seeded:
    """Users for every role, four events in different states, mentions, a snapshot and a proposed response."""
    now = utcnow()
    settings = app.settings
    with app.db.write() as session:
        for name, (role, office) in USERS.items():
            add_user(session, name, PASSWORD, role, office, display_name=f"{name}用户", actor="test")
        medical = add_event(
            session,
            settings,
            title="东园村卫生院夜间无人值班",
            topic="medical",
            level=1,
            detected=now - timedelta(minutes=10),
            village="东园村",
        )
        safety = add_event(
            session,
            settings,
            title="金沙村砂石厂塌方一人受伤",
            topic="work_safety",
            level=2,
            detected=now - timedelta(hours=7),
            village="金沙村",
        )
        xss = add_event(
            session,
            settings,
            title=XSS_TITLE,
            topic="governance",
            level=3,
            detected=now - timedelta(minutes=30),
            village="郭滩村",
            content=XSS_CONTENT,
        )
        closed = add_event(
            session,
            settings,
            title="柔新村路灯不亮",
            topic="urban",
            level=4,
            detected=now - timedelta(days=2),
            village="柔新村",
        )
        session.flush()
    with app.db.write() as session:
        from yuqing.workflow.actions import assess_event, close_event, record_response

        assess_event(session, settings, safety.id, "duty", "work_safety", 2, "zzwb", now=now - timedelta(hours=6))
        assess_event(session, settings, closed.id, "duty", "urban", 4, "msfw", now=now - timedelta(days=2))
        record_response(
            session,
            settings,
            closed.id,
            "duty",
            "respond",
            "镇政府网站",
            None,
            "已修复",
            now - timedelta(days=1),
            now=now - timedelta(days=1),
        )
        close_event(session, settings, closed.id, "duty", now=now - timedelta(hours=20))
        xss_mention = session.scalar(select(Mention.id).where(Mention.event_id == xss.id).order_by(Mention.id))
        body = SNAPSHOT_HTML.encode("utf-8")
        session.add(
            Snapshot(
                mention_id=xss_mention,
                url="http://127.0.0.1:9/news-rss/x",
                content_type="text/html",
                encoding="utf-8",
                sha256=hashlib.sha256(body).hexdigest(),
                body_gz=gzip.compress(body),
            )
        )
        session.add(
            Response(
                event_id=safety.id,
                stage="publish",
                status="proposed",
                channel="中卫论坛",
                content="镇安监站已到场处置",
                published_at=now - timedelta(hours=1),
            )
        )
        session.add(AuditLog(actor="system", event_id=xss.id, action="route", comment="测试"))
    return Seeded(medical.id, safety.id, xss.id, closed.id, xss_mention, now)


def login(client, username: str, password: str = PASSWORD, origin: str = "http://localhost"):
    """Log in through the /login form (fetching its CSRF token first); returns the POST response."""
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}, headers={"Origin": origin}
    )


def _parse_id(text: str):
    return json.loads(text) if text.startswith("{") else text


def dash_call(
    client,
    output: str,
    values: dict | None = None,
    origin: str | None = "http://localhost",
    changed: str | None = None,
    headers: dict | None = None,
):
    """POST to /_dash-update-component the callback whose output contains `output`.

    `values` maps "id.property" to the value sent (others are None); for a wildcard input the key is the
    dependency's JSON id and the value the list of {"id", "property", "value"} of the matching components.
    Returns the Flask response (the JSON of the update, or an error)."""
    values = values or {}
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if output in d["output"])
    spec = dep["output"]
    if spec.startswith(".."):
        parts = spec[2:-2].split("...")
        outputs = [{"id": _parse_id(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in parts]
    else:
        outputs = {"id": _parse_id(spec.rsplit(".", 1)[0]), "property": spec.rsplit(".", 1)[1]}

    def items(kind: str) -> list:
        found = []
        for item in dep[kind]:
            key = f"{item['id']}.{item['property']}"
            if isinstance(_parse_id(item["id"]), dict):
                found.append(values.get(key, []))  # a wildcard input: the list of matching components
            else:
                found.append({"id": item["id"], "property": item["property"], "value": values.get(key)})
        return found

    first = dep["inputs"][0]
    body = {
        "output": spec,
        "outputs": outputs,
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [changed or f"{first['id']}.{first['property']}"],
    }
    headers = dict(headers or {})
    if origin:
        headers["Origin"] = origin
    return client.post("/_dash-update-component", json=body, headers=headers)
