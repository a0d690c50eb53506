"""Place names for anchors: the gazetteer (provinces, countries and places abroad from the lexicons, and the place
names jieba's own dictionary tags ns that also exist with an administrative suffix: 永城 / 永城市), their stems and
levels."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def place_stem(name: str) -> str:
    """东园镇 → 东园, 永城市 → 永城; a two-character name stays as it is."""
    return name[:-1] if len(name) >= 3 and name[-1] in _ADMIN_SUFFIX + "村" else name


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    words = []
    for line in (LEXICON_DIR / "foreign.txt").read_text(encoding="utf-8").splitlines():
        words += line.split("#", 1)[0].split()
    return frozenset(words)


@dataclass(frozen=True)
class ForeignPlaces:
    """Where places abroad belong (lexicons/foreign_parents.txt): each name's canonical form, the country a city
    or state is in, and the regions (中东, 克什米尔) that tell no incident's place."""

    canonical: Mapping[str, str]
    country_of: Mapping[str, str]  # canonical city or state → its country
    regions: frozenset[str]


@lru_cache(maxsize=1)
def foreign_places() -> ForeignPlaces:
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
    return ForeignPlaces(canonical, country_of, frozenset(regions))


@lru_cache(maxsize=1)
def gazetteer() -> KeywordIndex:
    """The place names (place_names) in one automaton."""
    return KeywordIndex(place_names().items())


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
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
    foreign = foreign_places()
    for name in PROVINCES | countries() | foreign.canonical.keys() | foreign.regions:
        names[name] = name
        if name in PROVINCES:
            names[name + "省"] = name
    return {name: stem for name, stem in names.items() if stem not in _NOT_PLACES}


def place_level(stem: str) -> str:
    """country, province or local."""
    if stem in countries() or stem == "中国" or stem in foreign_places().canonical:
        return "country"
    return "province" if stem in PROVINCES else "local"


def without_places(name: str, places: KeywordIndex, extra: Iterable[str]) -> str:
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
