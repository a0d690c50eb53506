"""The generic spider for keyword search pages: a few keywords per run, newest results first, new ones stored."""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import store
from crawlers.keywords import pick_keywords, search_keywords, search_url
from crawlers.pages import parse_detail
from crawlers.search import SearchResult, parse_results
from crawlers.selectors import SelectorConfigError, check_selectors
from crawlers.spiders.base import SourceSpider
from crawlers.urls import canonical_url
from yuqing.settings_model import HtmlSelectors, SearchSettings
from yuqing.timeutil import utcnow


class SearchSpider(SourceSpider):
    """Searches the keywords searched longest ago (keywords_per_run of them); for each, reads result pages newest
    first until a result already stored, the newest result of its last search, or max_pages."""

    kind = "search"

    @property
    def search(self) -> SearchSettings:
        assert self.source.search is not None
        return self.source.search

    def config_problems(self) -> list[str]:
        selectors = self.search.model_dump(include={"results", "link", "title", "snippet", "time", "author"})
        selectors.update(self.search.model_dump(include={"detail_title", "detail_body", "detail_time"}))
        problems = check_selectors(selectors)
        if not self.all_keywords():
            problems.append("没有可搜索的关键词:请在 [sources.search] 中填写 keywords,或在监测方案中填写地域词/主体词")
        return problems

    def all_keywords(self) -> list[str]:
        return search_keywords(self.search, self.app.settings.schemes)

    async def entry_requests(self) -> list[scrapy.Request]:
        from yuqing.schemes.live import refresh_schemes

        await self.in_db(refresh_schemes, self.app)  # keywords of schemes changed on the 监测方案 page, at once
        states = await self.in_db(store.keyword_states, self.app, self.name)
        keywords = pick_keywords(
            self.all_keywords(), {k: v[0] for k, v in states.items()}, self.search.keywords_per_run
        )
        self.last_seen = {keyword: states.get(keyword, (None, None))[1] for keyword in keywords}
        for keyword in keywords:
            self.summary.keywords[keyword] = {"newest": None, "hits": 0}
        return [self.keyword_request(keyword, 1) for keyword in keywords]

    def keyword_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            search_url(self.source.url, keyword, page, self.search),
            callback=self.parse_page,
            errback=self.on_page_error,
            dont_filter=page == 1,
            meta={"kind": self.kind, "page": page, "entry": page == 1, "keyword": keyword},
        )

    def on_page_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get("keyword") in self.summary.keywords:
            self.summary.keywords[request.meta["keyword"]]["failed"] = True
        self.on_error(failure)

    async def parse_page(self, response: Response):
        if not self.answered(response):
            return
        keyword, page_number = response.meta["keyword"], response.meta.get("page", 1)
        state = self.summary.keywords[keyword]
        try:
            results, total, problems = parse_results(response, response.url, self.search, utcnow(), self.max_links)
        except SelectorConfigError as exc:
            self.fail(response, str(exc), fatal=True)
            return
        for problem in problems:
            self.note(problem)
        if not results:
            if self.blocked_page(response):
                state["failed"] = True
                return
            if page_number == 1:
                # Common for a narrow keyword: said in the run's message, not warned about.
                reason = f"关键词 “{keyword}” 没有搜索结果(若一直如此,请检查结果选择器 “{self.search.results}”)"
                self.logger.info("%s", reason)
                self.summary.problem(reason, error=False)
            return
        if page_number == 1:
            state["newest"] = canonical_url(results[0].url)
        # Newest first: the newest result of this keyword's last search marks where the new ones end.
        last_seen, reached = self.last_seen.get(keyword), False
        if last_seen:
            for index, result in enumerate(results):
                if canonical_url(result.url) == last_seen:
                    results, reached = results[:index], True
                    break
        fresh, canonical, seen = await self.fresh_entries(response, results, "搜索结果", total=total)
        state["hits"] += len(fresh)
        for result, key in fresh:
            if self.search.detail_body:
                yield self.detail_request(result, key, keyword)
            else:
                yield self.result_item(result, key, keyword)
        if not reached and results and self.keep_paging(response, canonical, seen):
            yield self.keyword_request(keyword, page_number + 1)

    def result_item(self, result: SearchResult, key: str, keyword: str, **fields: Any):
        """The result as the list shows it: title, snippet, time, site (the result block is the evidence)."""
        values = {
            "title": result.title,
            "content": result.snippet,
            "author": result.author,
            "published_at": result.published_at,
            **{k: v for k, v in fields.items() if v},
        }
        return self.make_item(
            url=result.url,
            canonical=key,
            snapshot=fields.get("snapshot") or result.raw,
            content_type=fields.get("content_type") or "text/html",
            encoding=fields.get("encoding") or "utf-8",
            search_keyword=keyword,
            **{k: v for k, v in values.items() if k not in ("snapshot", "content_type", "encoding")},
        )

    def detail_request(self, result: SearchResult, key: str, keyword: str) -> scrapy.Request:
        return scrapy.Request(
            result.url,
            callback=self.parse_detail,
            errback=self.on_detail_error,
            meta={"kind": "html", "canonical": key, "result": result, "keyword": keyword},
        )

    def parse_detail(self, response: Response):
        meta = response.meta
        if not self.answered(response):
            return
        selectors = HtmlSelectors(
            item_links="a",
            title=self.search.detail_title,
            body=self.search.detail_body,
            time=self.search.detail_time,
        )
        detail = parse_detail(response, selectors, utcnow())
        for problem in detail.problems:
            self.note(problem)
        yield self.result_item(
            meta["result"],
            meta["canonical"],
            meta["keyword"],
            title=detail.title,
            content=detail.content,
            html=detail.html,
            published_at=detail.published_at,
            snapshot=response.body,
            content_type=(response.headers.get(b"Content-Type") or b"text/html").decode("latin-1"),
            encoding=response.encoding,
        )

    def on_detail_error(self, failure: Failure):
        """The result's page could not be read: the result itself is stored (title and snippet), not lost."""
        self.on_error(failure)
        request = getattr(failure, "request", None)
        if request is not None and "result" in request.meta:
            yield self.result_item(request.meta["result"], request.meta["canonical"], request.meta["keyword"])
