"""The anchors of an incident read from a report: where (place, road, site), when (day of the month).

Two reports of one kind of emergency are one incident only if their anchors agree: a crash on 101国道 and a crash
on 104国道 are two, a fire at 瑞鑫化工 and a fire in 金沙村 are two, and a follow-up naming 瑞鑫化工 belongs with the
first report that named it. Places come from a gazetteer (pipeline.gazetteer), roads and sites from the patterns
here; whether two reports' anchors agree is pipeline.anchor_matching's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from pipeline.gazetteer import gazetteer, place_names, without_places
from pipeline.keywords import KeywordIndex

ROAD_CODE = re.compile(r"(?<![A-Za-z0-9])[GSXY]\d{1,4}(?![0-9])|\d{1,4}(?:国道|省道|县道|乡道)")
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
    found = {code.upper() for code in ROAD_CODE.findall(text)}
    for raw in _named(text, "road"):
        road = _ROAD_LEAD.sub("", ROAD_CODE.sub("", raw))
        if not re.match(r"[A-Za-z0-9]", road):
            road = without_places(road, places, extra) or road
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
        core = _DESCRIPTORS.sub("", without_places(lead, places, extra))
        if core in place_names():
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
    places = gazetteer()
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
