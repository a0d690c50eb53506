"""Who answers for an event: configured rules first, then 谁主管谁负责 (topic owner), then 属地管理 (village), else the lead office.

Village-level matters that a village should handle (路灯, 环境卫生 …) are routed by explicit [[routing]] rules
(village + topics); a topic owned by a town office goes to that office wherever it happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import Event, Mention, Source
from yuqing.settings_model import OfficeSettings, RoutingRule, Settings

INFORM_LEAD_LEVELS = (1, 2)  # the lead office hears of every 特别重大 / 重大 event, whoever handles it
# An emergency at one of these kinds of place also concerns the office that answers for the place (协办): a
# poisoning in a school canteen is 食品药品安全's, and the school's office must hear of it too.
SITE_TOPICS = {"school": "education", "hospital": "medical"}


@dataclass(frozen=True)
class Route:
    """The chosen office and, in Chinese, why."""

    office_code: str | None
    reason: str


def _rule_matches(rule: RoutingRule, topic: str, villages: set[str], sources: set[str]) -> bool:
    # AND across fields, OR inside a list; an empty list does not restrict.
    return (
        (not rule.topics or topic in rule.topics)
        and (not rule.villages or bool(villages.intersection(rule.villages)))
        and (not rule.sources or bool(sources.intersection(rule.sources)))
    )


def _describe_rule(index: int, rule: RoutingRule) -> str:
    parts = [
        name for name, values in (("领域", rule.topics), ("属地", rule.villages), ("来源", rule.sources)) if values
    ]
    return f"分派规则第 {index} 条({'+'.join(parts) or '全部'})"


def route(settings: Settings, *, topic: str, villages: Iterable[str | None] = (), sources: Iterable[str] = ()) -> Route:
    """The responsible office for an event with this topic, these villages and these sources."""
    village_set = {v for v in villages if v}
    source_set = set(sources)
    for index, rule in enumerate(settings.routing, start=1):
        if _rule_matches(rule, topic, village_set, source_set):
            return Route(rule.office, _describe_rule(index, rule))
    topic_name = settings.topic_names().get(topic, topic)
    for office in settings.offices:
        if topic in office.topics:
            return Route(office.code, f"谁主管谁负责:领域“{topic_name}”")
    for office in settings.offices:
        local = village_set.intersection(office.villages)
        if local:
            return Route(office.code, f"属地管理:{'、'.join(sorted(local))}")
    lead = settings.lead_office()
    return Route(lead.code if lead else None, "未匹配到责任单位,由牵头单位承办" if lead else "未配置责任单位")


def event_origin(session: Session, event: Event) -> tuple[list[str], list[str]]:
    """The villages and source names of an event's mentions (the event's own village first)."""
    rows = session.execute(
        select(Mention.village, Source.name)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.event_id == event.id)
        .distinct()
    ).all()
    villages = [event.village] if event.village else []
    villages += sorted({v for v, _ in rows if v and v != event.village})
    return villages, sorted({name for _, name in rows})


def route_event(session: Session, settings: Settings, event: Event) -> Route:
    """Route an event from its topic and the villages and sources of its mentions."""
    villages, sources = event_origin(session, event)
    return route(settings, topic=event.topic, villages=villages, sources=sources)


def office_settings(settings: Settings, code: str | None) -> OfficeSettings | None:
    """The configured office with this code, or None."""
    return next((o for o in settings.offices if o.code == code), None)


def informed_offices(
    settings: Settings, office_code: str | None, level: int, also: Iterable[OfficeSettings] = ()
) -> list[OfficeSettings]:
    """Who is told about an event: the responsible office, the offices in `also` (协办), plus the lead office for
    level 1–2."""
    offices = [o for o in [office_settings(settings, office_code)] if o]
    offices += [o for o in also if o not in offices]
    lead = settings.lead_office()
    if lead and level in INFORM_LEAD_LEVELS and lead not in offices:
        offices.append(lead)
    return offices


def site_offices(settings: Settings, event: Event) -> list[tuple[OfficeSettings, str]]:
    """(office, why) for the offices that answer for the kind of place an emergency happened at, other than the
    responsible office: the 协办 offices told alongside it."""
    from pipeline.anchors import Anchors

    if not (event.signals or {}).get("hazards"):
        return []
    families = {kind.split("/", 1)[0] for kind, _ in Anchors.from_dict(event.anchors).sites}
    found: list[tuple[OfficeSettings, str]] = []
    names = settings.topic_names()
    for family, topic in SITE_TOPICS.items():
        if family not in families or topic == event.topic:
            continue
        office = next((o for o in settings.offices if topic in o.topics), None)
        if office and office.code != event.office_code and office not in [o for o, _ in found]:
            found.append((office, f"事发场所属“{names.get(topic, topic)}”"))
    return found
