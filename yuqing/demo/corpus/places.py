"""Local names and slot values for the demo corpus: villages, roads, people, phones, ID numbers, plates."""

from __future__ import annotations

import random
import string

TOWN = "东园镇"
DISTRICT = "沙坡头区"
CITY = "中卫市"
VILLAGES = ("东园村", "郭滩村", "金沙村", "柔新村", "新星村", "黄湾村", "瑞丰村", "丰台村", "八里村", "新园村")
OTHER_TOWNS = ("宣和镇", "镇罗镇", "常乐镇", "永康镇", "兴仁镇", "柔远镇", "迎水桥镇")
OFFICES = {
    "dzb": "东园镇党政办",
    "jjfz": "东园镇经济发展综合服务中心",
    "nykj": "东园镇农业科技推广服务中心",
    "zzwl": "东园镇综治维稳办公室",
    "msfw": "东园镇民生服务中心",
}
SCHOOLS = ("东园中学", "东园镇中心小学", "东园镇中心幼儿园")
ROADS = (
    "村委会门口到三队的村道",
    "主干道",
    "村里的主路",
    "村小学门前那段路",
    "五队到七队的生产路",
    "沿黄公路路口",
    "卫生院东边的巷子",
    "新农村安置点",
)
SURNAMES = "王李张马刘杨赵陈黄周吴徐孙朱胡郭何高罗田贺丁"
GIVEN = (
    "建国",
    "学军",
    "秀兰",
    "玉梅",
    "文斌",
    "海龙",
    "志刚",
    "春花",
    "国华",
    "小军",
    "金花",
    "德福",
    "万里",
    "彩霞",
    "永强",
    "丽娟",
    "宏伟",
    "桂英",
    "少华",
    "晓燕",
)
NICKS = (
    "沙坡头老王",
    "黄河边的风",
    "东园小李子",
    "中卫吃瓜群众",
    "郭滩老乡",
    "宁夏枸杞红",
    "大漠孤烟123",
    "瓜农老马",
    "金沙滩上的鱼",
    "香山羊倌",
    "卫宁平原",
    "小城故事多",
    "一只沙漠骆驼",
    "爱吃硒砂瓜",
    "东园宝妈",
    "中卫跑腿小哥",
    "黄湾守望者",
    "老家在柔新",
    "丰台二队",
    "新星村小周",
    "八里村老赵",
    "蓝天白云2026",
    "默默潜水的人",
    "沙坡头骑行侠",
    "听风的羊",
    "宁E老司机",
)
BOARD_AUTHORS = (
    "网友",
    "匿名",
    "王先生",
    "李女士",
    "马先生",
    "张女士",
    "一村民",
    "东园居民",
    "刘先生",
    "杨女士",
    "家长",
    "外出务工人员",
)
COMPANIES = ("宁夏恒晟建筑工程有限公司", "中卫市鑫达劳务有限公司", "宁夏沙湖建材有限公司", "中卫市金盛商贸有限公司")
SHOPS = ("东园万家乐超市", "金沙便民超市", "东园惠民超市", "丰台村小卖部")
AGRI_SHOPS = ("镇上老刘农资店", "金沙村农资服务部", "东园丰收农资店")
ID_AREA = "640502"  # 中卫市沙坡头区


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a mainland resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return "10X98765432"[total % 11]


def id_number(rng: random.Random, birth_year: int | None = None) -> str:
    year = birth_year or rng.randint(1945, 2000)
    first17 = f"{ID_AREA}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first17 + id_check_digit(first17)


def phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "136", "150", "152", "158", "186", "189", "133", "177")) + "".join(
        rng.choice(string.digits) for _ in range(8)
    )


def plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = rng.choice(letters) + "".join(rng.choice(string.digits + letters[:6]) for _ in range(4))
    return "宁E·" + tail


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def slot_values(rng: random.Random, village: str | None = None) -> dict:
    """Fresh values for every slot a spec may use."""
    village = village or rng.choice(VILLAGES)
    surname = rng.choice(SURNAMES)
    return {
        "village": village,
        "village2": rng.choice([v for v in VILLAGES if v != village]),
        "group": f"{rng.choice('一二三四五六七八九')}队",
        "road": rng.choice(ROADS),
        "days": rng.choice((5, 7, 10, 12, 15, 20, 30)),
        "months": rng.randint(2, 8),
        "n": rng.randint(3, 9),
        "workers": rng.randint(18, 46),
        "amount": rng.choice((3800, 4600, 5200, 6800, 8500, 12000, 16500, 23000)),
        "mu": rng.choice((3, 4.5, 6, 8, 11)),
        "age": rng.randint(68, 89),
        "name": surname + rng.choice(GIVEN),
        "surname": surname,
        "cadre": rng.choice(SURNAMES) + "某",
        "phone": phone(rng),
        "idno": id_number(rng),
        "plate": plate(rng),
        "company": rng.choice(COMPANIES),
        "shop": rng.choice(SHOPS),
        "school": rng.choice(SCHOOLS[:2]),
        "town2": rng.choice(OTHER_TOWNS),
    }


def nick(rng: random.Random) -> str:
    return rng.choice(NICKS)


def board_author(rng: random.Random) -> str:
    return rng.choice(BOARD_AUTHORS)
