"""The anchors of an incident read from a report: where (place, road, site), when (day of the month).

Two reports of one kind of emergency are one incident only if their anchors agree: a crash on 101国道 and a crash
on 104国道 are two, a fire at 瑞鑫化工 and a fire in 金沙村 are two, and a follow-up naming 瑞鑫化工 belongs with the
first report that named it. Places come from a gazetteer (provinces, countries, and the place names jieba's own
dictionary tags ns that also exist with an administrative suffix: 永城 / 永城市), roads and sites from patterns.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.keywords import KeywordIndex
from pipeline.lexicons import LEXICON_DIR

PROVINCES = frozenset(
    [
        "北京",
        "天津",
        "上海",
        "重庆",
        "河北",
        "山西",
        "辽宁",
        "吉林",
        "黑龙江",
        "江苏",
        "浙江",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "海南",
        "四川",
        "贵州",
        "云南",
        "陕西",
        "甘肃",
        "青海",
        "台湾",
        "内蒙古",
        "广西",
        "西藏",
        "宁夏",
        "新疆",
        "香港",
        "澳门",
    ]
)
_ADMIN_SUFFIX = "市县区镇乡州旗盟"
_NOT_PLACES = frozenset(
    [
        "中国",
        "中华",
        "全国",
        "国内",
        "城市",
        "山丘",
        "牡丹",
        "青山",
        "西湖",
        "东湖",
        "中山",
        "城西",
        "城东",
        "城南",
        "城北",
        "北郊",
        "南郊",
        "东郊",
        "西郊",
        "江湾",
        "新区",
        "老区",
        "市区",
        "城区",
        "郊区",
        "山区",
        "景区",
        "社区",
        "小区",
        "园区",
        "开发区",
        "高新区",
        "新城",
        "老城",
        "东西",
        "南北",
        "中心",
        "桥东",
        "桥西",
        "河东",
        "河西",
        "江北",
        "江南",
        "山东省",
        "平安",
        "长安",
        "太平",
        "和平",
        "光明",
        "新华",
        "人民",
        "红旗",
        "胜利",
        "前进",
        "解放",
        "建设",
        "东方",
        "南方",
        "北方",
        "西方",
        "中部",
        "上海滩",
        "白云",
        "青年",
        "长城",
        "黄河",
        "长江",
        "都市",
        "中原",
        "津南",
        "华东",
        "华南",
        "华北",
        "华中",
        "西南",
        "西北",
        "东北",
        "南京路",
        "天桥",
        "上街",
    ]
)
_ROAD_CODE = re.compile(r"(?<![A-Za-z0-9])[GSXY]\d{1,4}(?![0-9])|\d{1,4}(?:国道|省道|县道|乡道)")
_ROAD_SUFFIXES = ("高速公路", "高速", "快速路", "大道", "大街", "隧道", "大桥", "立交桥", "高架桥", "路", "街")
_NOT_A_ROAD_AFTER = frozenset("段面边上旁况费灯基")
_NAME_BEFORE = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]{1,10}$")  # the name right before a suffix, up to 10 characters
_ROAD_LEAD = re.compile(
    r"^(?:.*(?:在|于|位于|沿着|经过|从|往|向|至|到|的|与|和|及|行驶|途经|路过|驶入|驶离|穿过|地点为))"
)
# Words no road's name has: a vehicle, a person or a deed before 路/街/高速 is a sentence read as a name
# (男子驾车撞上高速路, 宝马撞飞两名正横过马路, 楼内人员撤离街), 92路 is a bus line, 十字路 a crossing; a verb or
# a word before 路 (几百人一起上了路, 村民拉横幅堵路, 线路, 思路, 门路) is no road either.
_NOT_A_ROAD_NAME = re.compile(
    r"车|撞|驾|司机|男子|女子|老人|人员|行人|乘客|飞行员|两名|多名|迷路|不熟|横穿|横过|撤离|上街|逛街|十字路|丁字路|"
    r"马路$|^\d+路$|公交|(?:了|把|堵|拦|挡|带|问|领|引|探|绕|赶|走|上|线|思|套|退|活|生|门|销|电|心|网)路$"
)
_GENERIC_ROADS = frozenset(
    [
        "马路",
        "公路",
        "道路",
        "铁路",
        "小路",
        "大路",
        "山路",
        "土路",
        "水泥路",
        "柏油路",
        "乡村公路",
        "村道",
        "进村路",
        "出路",
        "走路",
        "修路",
        "让路",
        "一路",
        "半路",
        "沿路",
        "过马路",
        "高速",
        "高速公路",
        "隧道",
        "大桥",
        "大街",
        "大道",
        "小街",
        "老街",
        "街",
        "路",
        "公路上",
        "高架桥",
        "立交桥",
        "高架",
    ]
)
# Site families; within "school" and "residence" the exact suffix tells sites apart (a 中学 is not a 小学).
_SITE_CLASSES = {
    "company": ("有限公司", "公司", "集团", "化工厂", "化工", "工厂", "厂"),
    "catering": ("酒店", "宾馆", "饭店", "餐馆", "餐厅", "酒楼", "食堂"),
    "shop": ("超市", "商场", "商城", "市场", "广场"),
    "school": ("中学", "小学", "幼儿园", "学校", "大学", "学院"),
    "hospital": ("医院", "卫生院"),
    "building": ("小区", "大厦", "大楼", "工地", "仓库", "工作室"),
    "residence": ("民房", "民宅", "住宅", "居民楼", "自建房", "出租屋", "平房"),
    "banquet": ("婚宴", "喜宴", "寿宴", "宴席", "酒席", "家宴", "丧宴", "坝坝宴", "流水席"),
}
_EXACT_FAMILIES = ("school", "residence", "banquet")
_SITE_LEAD = re.compile(
    r"^.*(?:在|于|位于|的|是|了|和|与|及|对|向|到|从|一家|一所|一座|一个|一栋|一处|一间|这家|那家|该|某|送往|送到|"
    r"送至|前往|赶往|住进|转到|转往|将|把|被|撞入|撞向|冲入|冲进|闯入|炸毁)"
)
# Words that say where a site is or what sort it is, not which one (东园镇工业园区化工厂 is "a chemical plant").
_DESCRIPTORS = re.compile(
    r"工业园区|工业园|产业园|经济开发区|开发区|高新区|园区|精细|镇上|村里|县城|城区|市区|附近|周边|当地|本地|"
    r"一家|一所|一座|这家|那家|该|某|私人|个体|小型|大型"
)
_GENERIC_SITE_CORES = frozenset(
    [
        "当地",
        "附近",
        "镇上",
        "村里",
        "涉事",
        "这个",
        "那个",
        "一家",
        "一所",
        "本地",
        "周边",
        "学生",
        "员工",
        "工人",
        "村民",
        "群众",
        "我们",
        "他们",
        "中心",
    ]
)
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})[日号](?![元])")


@dataclass(frozen=True)
class Anchors:
    """Places (stems, with the level of each: country, province or local), roads, sites (class, core) and days."""

    places: frozenset[str] = frozenset()
    roads: frozenset[str] = frozenset()
    sites: frozenset[tuple[str, str]] = frozenset()
    days: frozenset[tuple[int, int]] = frozenset()  # (month or 0, day)

    def empty(self) -> bool:
        """True when nothing anchors the report."""
        return not (self.places or self.roads or self.sites or self.days)

    def to_dict(self) -> dict:
        """A JSON-ready form (an event stores the union of its reports' anchors)."""
        return {
            "places": sorted(self.places),
            "roads": sorted(self.roads),
            "sites": sorted(f"{kind}:{core}" for kind, core in self.sites),
            "days": sorted(f"{month}-{day}" for month, day in self.days),
        }

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Anchors:
        """Rebuild from `to_dict` output (None or {} gives no anchors)."""
        data = data or {}
        sites = frozenset(tuple(site.split(":", 1)) for site in data.get("sites", ()) if ":" in site)
        days = frozenset(tuple(int(part) for part in day.split("-", 1)) for day in data.get("days", ()))
        return cls(frozenset(data.get("places", ())), frozenset(data.get("roads", ())), sites, days)  # type: ignore[arg-type]

    def union(self, other: Anchors) -> Anchors:
        """Both reports' anchors together."""
        return Anchors(
            self.places | other.places, self.roads | other.roads, self.sites | other.sites, self.days | other.days
        )

    def words(self) -> list[str]:
        """The anchors as plain words, to count among a report's terms."""
        return [*self.places, *self.roads, *(core for _, core in self.sites)]


def place_stem(name: str) -> str:
    """东园镇 → 东园, 永城市 → 永城; a two-character name stays as it is."""
    return name[:-1] if len(name) >= 3 and name[-1] in _ADMIN_SUFFIX + "村" else name


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    words = []
    for line in (LEXICON_DIR / "foreign.txt").read_text(encoding="utf-8").splitlines():
        words += line.split("#", 1)[0].split()
    return frozenset(words)


@dataclass(frozen=True)
class _ForeignPlaces:
    """Where places abroad belong (lexicons/foreign_parents.txt): each name's canonical form, the country a city
    or state is in, and the regions (中东, 克什米尔) that tell no incident's place."""

    canonical: Mapping[str, str]
    country_of: Mapping[str, str]  # canonical city or state → its country
    regions: frozenset[str]


@lru_cache(maxsize=1)
def _foreign_places() -> _ForeignPlaces:
    canonical: dict[str, str] = {}
    country_of: dict[str, str] = {}
    regions: set[str] = set()
    for line in (LEXICON_DIR / "foreign_parents.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        head, rest = line.split(":", 1)
        names = [group.split("/") for group in rest.split()]
        if head.strip() == "区域":
            regions.update(name for group in names for name in group)
            continue
        country = head.strip().split("/")
        for name in country:
            canonical[name] = country[0]
        for group in names:
            for name in group:
                canonical[name] = group[0]
            country_of[group[0]] = country[0]
    return _ForeignPlaces(canonical, country_of, frozenset(regions))


@lru_cache(maxsize=1)
def _gazetteer() -> KeywordIndex:
    """The place names (_place_names) in one automaton."""
    return KeywordIndex(_place_names().items())


@lru_cache(maxsize=1)
def _place_names() -> dict[str, str]:
    """Place names → stems: provinces, countries, and jieba's ns words that also exist with an administrative
    suffix (or carry one), so that ordinary words tagged ns (上市, 中考) are left out."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    tags: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if parts:
                tags[parts[0]] = parts[2] if len(parts) > 2 else ""
    names: dict[str, str] = {}
    for word, tag in tags.items():
        if tag != "ns" or not 2 <= len(word) <= 6:
            continue
        if word[-1] in _ADMIN_SUFFIX and len(word) >= 3:
            names[word] = place_stem(word)
        elif len(word) <= 4 and any(word + suffix in tags for suffix in _ADMIN_SUFFIX):
            names[word] = word
    foreign = _foreign_places()
    for name in PROVINCES | _countries() | foreign.canonical.keys() | foreign.regions:
        names[name] = name
        if name in PROVINCES:
            names[name + "省"] = name
    return {name: stem for name, stem in names.items() if stem not in _NOT_PLACES}


def place_level(stem: str) -> str:
    """country, province or local."""
    if stem in _countries() or stem == "中国" or stem in _foreign_places().canonical:
        return "country"
    return "province" if stem in PROVINCES else "local"


def _without_places(name: str, places: KeywordIndex, extra: Iterable[str]) -> str:
    """The name with the places in it removed (阜阳界首市中原路 → 中原路, 东园镇中心 → 中心)."""
    cursor = 0
    for start, end, _, _ in places.longest_matches(name):
        if start != cursor or end >= len(name):
            break
        cursor = end
    name = name[cursor:]
    for place in extra:
        if place and name.startswith(place):
            name = name[len(place) :]
    return name.lstrip("省市县区镇乡村")


@lru_cache(maxsize=1)
def _suffixes() -> KeywordIndex:
    """Road and site suffixes, found in one scan; the name is read backwards from each."""
    entries = [(suffix, ("road", suffix)) for suffix in _ROAD_SUFFIXES]
    entries += [(suffix, ("site", suffix)) for suffixes in _SITE_CLASSES.values() for suffix in suffixes]
    return KeywordIndex(entries)


def _named(text: str, kind: str) -> list[str]:
    """Each name ending in a road or site suffix: the suffix with up to 10 letters before it."""
    names = []
    for start, end, word, payloads in _suffixes().longest_matches(text):
        if kind == "road" and (
            text[end : end + 1] in _NOT_A_ROAD_AFTER or (word == "街" and text[end : end + 1] == "道")
        ):
            continue  # 路段, 路面, 路边: a stretch of some road, not a road's name; 街道 is a subdistrict
        if any(payload[0] == kind for payload in payloads):
            before = _NAME_BEFORE.search(text, max(0, start - 10), start)
            names.append((before.group() if before else "") + word)
    return names


def _roads(text: str, places: KeywordIndex, extra: Iterable[str]) -> set[str]:
    found = {code.upper() for code in _ROAD_CODE.findall(text)}
    for raw in _named(text, "road"):
        road = _ROAD_LEAD.sub("", _ROAD_CODE.sub("", raw))
        if not re.match(r"[A-Za-z0-9]", road):
            road = _without_places(road, places, extra) or road
        if (
            len(road) >= 3
            and road not in _GENERIC_ROADS
            and not _NOT_A_ROAD_NAME.search(road)
            and not any(road.endswith(g) and len(road) - len(g) < 2 for g in ("马路", "公路", "道路"))
        ):
            found.add(road)
    return found


def _site_class(raw: str) -> tuple[str, str]:
    """(family, suffix) of a site name."""
    for family, suffixes in _SITE_CLASSES.items():
        for suffix in suffixes:
            if raw.endswith(suffix):
                return family, suffix
    return "other", ""


def _sites(text: str, places: KeywordIndex, extra: Iterable[str]) -> set[tuple[str, str]]:
    found = set()
    for raw in _named(text, "site"):
        family, suffix = _site_class(raw)
        # 保定一小区, 临夏路上一小区: "a compound" in a place or on a road, which names no compound
        lead = _SITE_LEAD.sub("", raw[: len(raw) - len(suffix)])
        lead = "" if re.search(r"[路街](?:上|边|旁)?一$", lead) else re.sub(r"一$", "", lead)
        core = _DESCRIPTORS.sub("", _without_places(lead, places, extra))
        if core in _place_names():
            core = ""  # 中卫一小区: a place, not the compound's name
        if core in _GENERIC_SITE_CORES or len(core) < 2:
            core = ""
        kind = f"{family}/{suffix}" if family in _EXACT_FAMILIES else family
        if core or family in _EXACT_FAMILIES:
            found.add((kind, core))
    return found


# A news agency's dateline (中新社成都6月19日电, 新华社深圳7月8日电): where and when it filed, not where the incident was.
_DATELINE = re.compile(r"[\u4e00-\u9fa5]{1,5}(?:社|网|报|台)[\u4e00-\u9fa5]{2,6}?\d{1,2}月\d{1,2}日电")


def read_anchors(text: str, extra_places: Iterable[tuple[str, str]] = ()) -> Anchors:
    """The anchors of a normalised text; `extra_places` are (name, stem) pairs from the configuration (villages).
    A dateline's place and day are left out."""
    if "日电" in text:
        text = _DATELINE.sub(" ", text)
    places = _gazetteer()
    extra_places = list(extra_places)
    stems = {payloads[0] for _, _, _, payloads in places.longest_matches(text)}
    stems.update(stem for name, stem in extra_places if name and name in text)
    extra_names = sorted({name for name, _ in extra_places} | {stem for _, stem in extra_places}, key=len, reverse=True)
    days = {(int(month or 0), int(day)) for month, day in _DAY.findall(text) if 1 <= int(day) <= 31}
    return Anchors(
        frozenset(stems),
        frozenset(_roads(text, places, extra_names)),
        frozenset(_sites(text, places, extra_names)),
        frozenset(days),
    )


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
    if _ROAD_CODE.fullmatch(first) or _ROAD_CODE.fullmatch(second):
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
    foreign = _foreign_places()
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
