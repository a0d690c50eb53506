"""The words clustering compares: an event's representative terms and their counts, an emergency report's own words,
and the character pairs of a text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def char_grams(text: str, limit: int = 120) -> frozenset[str]:
    """The character pairs of a text's first `limit` characters (玛莎拉蒂 → 玛莎, 莎拉, 拉蒂), and its Latin words and
    longer numbers whole (F35, 737MAX, 2019). No segmentation: cheap, and a short rewrite of a report (a new
    headline, a dropped sentence) keeps most of its pairs, however a segmenter would cut the words."""
    grams: set[str] = set()
    for run in _RUN.findall(text[:limit]):
        if run.isascii():
            if len(run) >= 2 and not (run.isdigit() and len(run) < 3):
                grams.add(run.lower())
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


# Words of any news report, which tell no incident from another.
_NEWS_WORDS = frozenset(
    [
        "发生",
        "发生了",
        "目前",
        "记者",
        "据悉",
        "获悉",
        "报道",
        "消息",
        "网传",
        "听说",
        "已经",
        "造成",
        "导致",
        "现场",
        "情况",
        "事件",
        "事故",
        "今天",
        "昨天",
        "今日",
        "昨日",
        "凌晨",
        "上午",
        "下午",
        "晚上",
        "左右",
        "附近",
        "一名",
        "一起",
        "一辆",
        "多名",
        "相关",
        "部门",
        "工作",
        "进行",
        "正在",
        "已经",
        "全部",
        "有关",
        "人员",
        "严重",
        "至少",
        "当天",
        "当日",
        "当地",
        "当地时间",
        "一家",
        "其中",
        "截至",
        "已致",
        "突然",
        "突发",
        "原因",
        "最近",
        "近日",
        "日前",
        "媒体",
        "媒体报道",
        "据报道",
    ]
)


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """Every word of the shipped lexicons (topics, severity, hazards): not an incident's own words."""
    from pipeline.lexicons import read_weighted_lexicon

    return frozenset(
        word
        for name in ("topics.txt", "severity.txt", "hazards.txt")
        for words in read_weighted_lexicon(name).values()
        for word in words
    )


def incident_words(text: str, limit: int = 30) -> list[str]:
    """The words of an emergency report (two characters or more, no function words), first ones first.

    Only emergencies are segmented, and only when they are clustered, so the pipeline stays fast, while
    reports of one incident worded differently still share the names that matter (玛莎拉蒂, 宝马, 京都动画)."""
    from pipeline.segment import content_words

    words = [
        word
        for word in content_words(text[:160])
        if len(word) >= 2 and not word.isdigit() and word not in _lexicon_words() and word not in _NEWS_WORDS
    ]
    return list(dict.fromkeys(words))[:limit]


def representative_terms(term_counts: Mapping[str, int], limit: int = 24) -> frozenset[str]:
    """The event's most frequent terms, used as its representative terms (ties broken by the term itself, so the
    choice does not depend on the process's hash seed)."""
    ranked = sorted(term_counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return frozenset(term for term, _ in ranked[:limit])


def add_terms(term_counts: Mapping[str, int], terms: Iterable[str]) -> dict[str, int]:
    """Term counts after one more mention with these terms (a new dict; the input is unchanged)."""
    updated = Counter(term_counts)
    updated.update(set(terms))
    return dict(updated)
