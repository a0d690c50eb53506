"""Search result pages (keyword search sources) read with the selectors in [sources.search]."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parsel import Selector

from crawlers import selectors as sel
from crawlers.dates import parse_datetime
from crawlers.urls import absolute_link
from yuqing.settings_model import SearchSettings


@dataclass
class SearchResult:
    """One result: where it leads, and what the result list says of it (its block's HTML is the evidence)."""

    url: str
    title: str
    snippet: str
    author: str | None
    published_at: datetime | None
    time_text: str | None
    raw: bytes


def parse_results(
    page: Selector, url: str, search: SearchSettings, now: datetime, limit: int | None = None
) -> tuple[list[SearchResult], int, list[str]]:
    """(results in page order, how many blocks the page has, problems): a block without a link is skipped."""
    blocks = sel.select(page, search.results)
    total = len(blocks)
    found: list[SearchResult] = []
    problems: list[str] = []
    seen: set[str] = set()
    for block in blocks[: limit or total]:
        link = absolute_link(url, sel.first_value(block, search.link))
        if not link or link in seen:
            continue
        seen.add(link)
        title = sel.first_value(block, search.title) if search.title else None
        if not title:
            anchor = sel.select(block, "a")
            title = sel.first_value(anchor[0], "self::*") if anchor else None
        time_text = sel.first_value(block, search.time)
        published = parse_datetime(time_text, now=now)
        if search.time and time_text and published is None:
            problems.append(f"无法识别搜索结果的时间 “{time_text[:40]}”")
        found.append(
            SearchResult(
                url=link,
                title=title or "",
                snippet=sel.block(block, search.snippet)[1] if search.snippet else "",
                author=sel.first_value(block, search.author),
                published_at=published,
                time_text=time_text,
                raw=block.get().encode("utf-8"),
            )
        )
    return found, total, problems
