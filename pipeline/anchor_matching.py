"""Whether two sets of anchors are one incident: what they share (places at the most specific level both name,
roads, sites, days) and where they conflict."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.anchors import ROAD_CODE, Anchors
from pipeline.gazetteer import foreign_places, place_level

# Two dates, month and day both given, this many days apart or more are two incidents (a follow-up naming both dates
# shares one of them); a day alone (18日) is read loosely, a month can be implied.
FAR_DAYS = 3


@dataclass(frozen=True)
class AnchorComparison:
    """What two sets of anchors say about being one incident: shared anchors, and conflicts (Chinese, for reasons):
    another place, road or site, or dates with their months far apart (FAR_DAYS)."""

    shared: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    day_conflict: bool = False
    named_site: list[str] = field(default_factory=list)  # shared roads and named sites
    local: list[str] = field(default_factory=list)  # shared local places (a county, a village)
    nearby: list[str] = field(default_factory=list)  # other counties struck by the same kind of disaster


def _sites_match(first: tuple[str, str], second: tuple[str, str]) -> bool:
    (kind_a, core_a), (kind_b, core_b) = first, second
    if kind_a != kind_b:
        return False
    if not core_a or not core_b:
        return True  # "a 中学" is any 中学
    return (
        core_a in core_b
        or core_b in core_a
        or bool(
            {core_a[i : i + 2] for i in range(len(core_a) - 1)} & {core_b[i : i + 2] for i in range(len(core_b) - 1)}
        )
    )


def _roads_match(first: str, second: str) -> bool:
    """One road: the same name, or one name inside the other (鹅湖镇新杨路 and 新杨路, 甬台温高速猫狸岭隧道 and
    甬台温高速); road numbers (G4, 312国道) only when equal."""
    if first == second:
        return True
    if ROAD_CODE.fullmatch(first) or ROAD_CODE.fullmatch(second):
        return False
    return min(len(first), len(second)) >= 3 and (first in second or second in first)


def _family(kind: str) -> str:
    return kind.split("/", 1)[0]


def _site_name(site: tuple[str, str]) -> str:
    kind, core = site
    return core + (kind.split("/", 1)[1] if "/" in kind else "") if core or "/" in kind else kind


def specific(anchors: Anchors, common: frozenset[str]) -> bool:
    """Whether the anchors say more than the town everyone is in."""
    return bool(anchors.places - common or anchors.roads or any(core for _, core in anchors.sites) or anchors.days)


def _levels(places: frozenset[str], common: frozenset[str]) -> dict[str, set[str]]:
    """Place stems by level; a report naming only places at home is in 中国 at the country level."""
    levels: dict[str, set[str]] = {"local": set(), "province": set(), "country": set()}
    foreign = foreign_places()
    for place in places - common:
        if place in foreign.regions:
            continue  # 中东, 克什米尔: a region many incidents share, and a report may name it or not
        name = foreign.canonical.get(place, place)
        country = foreign.country_of.get(name)
        if country:  # a city or state abroad: local there, and in its country
            levels["local"].add(name)
            levels["country"].add(country)
        else:
            levels[place_level(name)].add(name)
    if not levels["country"] and (levels["province"] or levels["local"]):
        levels["country"].add("中国")
    return levels


def compare(
    mention: Anchors,
    event: Anchors,
    common: frozenset[str] = frozenset(),
    *,
    area: bool = False,
    town: frozenset[str] = frozenset(),
    sites: bool = True,
) -> AnchorComparison:
    """Compare a report's anchors with an event's. `common` holds place stems too widespread to tell incidents
    apart (the town itself); they count neither as shared nor as a difference. For a disaster over an area (a
    flood, an earthquake) the villages of the town (`town`) do not tell two apart either: one storm strikes many
    of them; elsewhere another county or another day does. `sites=False` leaves the sites out (two events' many
    reports name many sites, in words too loose to tell two incidents apart)."""
    shared: list[str] = []
    conflicts: list[str] = []
    named: list[str] = []
    local: list[str] = []
    nearby: list[str] = []
    ignored = common | (town if area else frozenset())
    mine_levels, their_levels = _levels(mention.places, ignored), _levels(event.places, ignored)
    for level in ("local", "province", "country"):
        mine, theirs = mine_levels[level], their_levels[level]
        if mine & theirs:
            shared += sorted(mine & theirs - {"中国"})
            if level == "local":
                local += sorted(mine & theirs)
            break  # agreeing on the most specific level both name settles the place
        if mine and theirs:
            difference = f"地点不同：{'、'.join(sorted(mine)[:2])} / {'、'.join(sorted(theirs)[:2])}"
            if area and level == "local":
                nearby.append(difference)  # one flood or earthquake strikes several counties
                continue
            conflicts.append(difference)
            break
    if mention.roads and event.roads and not area:
        same_roads = {road for road in mention.roads if any(_roads_match(road, other) for other in event.roads)}
        if same_roads:
            shared += sorted(same_roads)
            named += sorted(same_roads)
        else:
            conflicts.append(f"道路不同：{'、'.join(sorted(mention.roads)[:2])} / {'、'.join(sorted(event.roads)[:2])}")
    if sites and mention.sites and event.sites and not area:
        matched = [a for a in mention.sites if any(_sites_match(a, b) for b in event.sites)]
        families = {_family(kind) for kind, _ in mention.sites} & {_family(kind) for kind, _ in event.sites}
        if matched:
            shared += [_site_name(site) for site in matched]
            named += [_site_name(site) for site in matched if site[1]]
        elif not families or any(
            all(
                not _sites_match(a, b)
                for a in mention.sites
                if _family(a[0]) == family
                for b in event.sites
                if _family(b[0]) == family
            )
            for family in families
        ):
            mine_names = "、".join(_site_name(site) for site in sorted(mention.sites)[:2])
            their_names = "、".join(_site_name(site) for site in sorted(event.sites)[:2])
            conflicts.append(f"场所不同：{mine_names} / {their_names}")
    day_conflict = False
    if mention.days and event.days:
        day_conflict = not any(
            abs(d1 - d2) <= 1 and (not m1 or not m2 or m1 == m2) for m1, d1 in mention.days for m2, d2 in event.days
        )
        dated = [(first, second) for first in mention.days for second in event.days if first[0] and second[0]]
        if day_conflict and dated and all(abs(_ordinal(a) - _ordinal(b)) > FAR_DAYS for a, b in dated):
            conflicts.append(f"发生日期不同：{_day_names(mention.days)} / {_day_names(event.days)}")
    return AnchorComparison(shared, conflicts, day_conflict, named, local, nearby)


def _ordinal(day: tuple[int, int]) -> int:
    month, number = day
    return month * 31 + number


def _day_names(days: frozenset[tuple[int, int]]) -> str:
    return "、".join(f"{month}月{day}日" for month, day in sorted(days) if month)
