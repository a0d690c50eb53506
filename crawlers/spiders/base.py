"""What every source spider shares: start with validators, incremental checks, errors in Chinese, the run record."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterable
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from crawlers import store
from crawlers.blocking import captcha_reason, status_reason
from crawlers.db_queue import Stopping
from crawlers.errors import describe_exception
from crawlers.items import MentionItem
from crawlers.runs import RunSummary
from crawlers.urls import canonical_url
from yuqing.settings_model import SourceSettings
from yuqing.storage_alarm import report_storage_failure
from yuqing.timeutil import format_local, utcnow

CLOSE_REASONS = {"shutdown": "程序退出,本轮采集中止", "cancelled": "本轮采集被取消"}


class SourceSpider(scrapy.Spider):
    """A spider for one configured source; subclasses read one kind (rss, html, board, json)."""

    source: SourceSettings
    kind = ""
    custom_settings: dict[str, Any] = {}

    def __init__(self, *args: Any, app=None, summary: RunSummary | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if app is None:
            from crawlers.context import default_app

            app = default_app()
        self.app = app
        self.summary = summary or RunSummary(self.name)
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.entry_answered = False
        self.encoding_override = self._encoding_override()
        crawl = self.app.settings.crawl
        self.max_links = self.source.max_links_per_page or crawl.max_links_per_page
        self.max_items = self.source.max_items_per_run or crawl.max_items_per_run
        self.item_budget = self.max_items

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_spider_error, signals.spider_error)
        return spider

    @property
    def logger(self) -> logging.LoggerAdapter:
        return logging.LoggerAdapter(logging.getLogger(f"yuqing.crawl.{self.name}"), {"spider": self})

    def _encoding_override(self) -> str | None:
        if not self.source.encoding:
            return None
        try:
            codecs.lookup(self.source.encoding)
        except LookupError:
            self.note(f"配置的编码 “{self.source.encoding}” 无效,已改为自动识别", error=True)
            return None
        return self.source.encoding

    # ---- starting -------------------------------------------------------------------------------------------
    def config_problems(self) -> list[str]:
        """Reasons the source's config cannot work (e.g. a selector that does not compile)."""
        return []

    async def extra_requests(self) -> list[scrapy.Request]:
        """Requests besides the entry page (boards: messages awaiting a reply)."""
        return []

    async def start(self):
        problems = self.config_problems()
        if problems:
            self.fail(self.source.url, "配置有误:" + ";".join(problems), fatal=True)
            return
        try:
            entries = await self.entry_requests()
            extra = await self.extra_requests()
            urls = [request.url for request in entries + extra if request.meta.get("conditional")]
            # One trip to the database thread for every source: is it backing off, and its validators.
            blocked, self.validators = await self.in_db(store.start_state, self.app, self.name, urls)
        except Exception as exc:  # noqa: BLE001 - e.g. the database is unreachable: this run cannot start
            self.fail(self.source.url, f"读取数据库失败:{exc}", fatal=True)
            return
        if blocked:
            reason, until = blocked
            self.summary.skipped = f"网站已拒绝采集({reason}),暂停到 {format_local(until)} 再试"
            self.summary.keywords.clear()
            self.logger.debug("%s", self.summary.skipped)
            return
        for request in entries + extra:
            yield request

    async def entry_requests(self) -> list[scrapy.Request]:
        """The run's first page(s): the source's URL (search sources: one per keyword)."""
        return [self.page_request(self.source.url, page=1)]

    def page_request(self, url: str, page: int) -> scrapy.Request:
        """A list / feed / API page; the first is fetched conditionally and its failure fails the run."""
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=page == 1,
            meta={
                "kind": self.kind,
                "page": page,
                "entry": page == 1,
                "conditional": page == 1,
                "handle_httpstatus_list": [304],
            },
        )

    # ---- helpers for the kinds ------------------------------------------------------------------------------
    async def in_db(self, function, *args: Any) -> Any:
        """Await function(*args) run on the crawler's database thread."""
        return await maybe_deferred_to_future(store.in_db_thread(self.name, function, *args))

    async def unseen(self, urls: Iterable[str]) -> tuple[dict[str, str], set[str]]:
        """({url: canonical url} in order, canonical urls already stored)."""
        canonical = {url: canonical_url(url) for url in urls}
        seen = await self.in_db(store.seen_urls, self.app, canonical.values()) if canonical else set()
        return canonical, seen

    async def fresh_entries(
        self, response: Response, entries: list, what: str = "条目", url_of=None, total: int | None = None
    ) -> tuple[list[tuple[Any, str]], dict[str, str], set[str]]:
        """Entries (with .url, or whose URL `url_of` gives) not stored yet, each with its canonical URL, plus what
        `unseen` returned. At most max_links_per_page entries of the page are read, and at most the run's
        remaining item budget is returned."""
        url_of = url_of or (lambda entry: entry.url)
        entries = self.capped(entries, response, what, total)
        canonical, seen = await self.unseen(url_of(entry) for entry in entries)
        done, fresh = set(seen), []
        for entry in entries:
            key = canonical[url_of(entry)]
            if key not in done:
                done.add(key)
                fresh.append((entry, key))
        return fresh[: self.take(len(fresh))], canonical, seen

    # ---- caps: one source must not flood the crawler or the database ----------------------------------------
    def capped(self, found: list, response: Response, what: str, total: int | None = None) -> list:
        """The first max_links_per_page of what a page lists (`total` of them, when only the first were read); a page
        listing more marks the source as misbehaving."""
        total = max(total or 0, len(found))
        if total <= self.max_links:
            return found
        self.summary.limit(
            f"页面列出 {total} 个{what},超过每页上限 {self.max_links} 个,只取前 {self.max_links} 个", url=response.url
        )
        return found[: self.max_links]

    def take(self, wanted: int) -> int:
        """How many of `wanted` new items this run may still fetch (max_items_per_run); the rest wait for the next run."""
        allowed = min(wanted, self.item_budget)
        self.item_budget -= allowed
        if allowed < wanted:
            self.summary.limit(f"本轮新条目达到上限 {self.max_items} 条,其余留待下一轮采集")
        return allowed

    def entry_item(self, entry: Any, canonical: str, content_type: str) -> MentionItem:
        """An item from a parsed feed entry or API object (its own serialised form is the evidence)."""
        return self.make_item(
            url=entry.url,
            canonical=canonical,
            snapshot=entry.raw,
            content_type=content_type,
            encoding="utf-8",
            title=entry.title,
            content=entry.content,
            html=entry.html,
            author=entry.author,
            published_at=entry.published_at,
            reposts=getattr(entry, "reposts", None),
            comments=entry.comments,
            comment_list=getattr(entry, "comment_list", None),
        )

    def keep_paging(self, response: Response, canonical: dict[str, str], seen: set[str]) -> bool:
        """Incremental crawling: follow the next page only while this one has not reached stored items.

        Lists run newest first, so a stored item at the bottom of the page means everything further on is
        stored too. (Items pinned at the top are always stored; they must not stop a catch-up after a pause.)
        """
        page = response.meta.get("page", 1)
        if not canonical or list(canonical.values())[-1] in seen or self.item_budget <= 0:
            return False
        if page >= self.source.max_pages:
            self.logger.info("已到最大翻页数 %d,本轮不再翻页", self.source.max_pages)
            return False
        return True

    def answered(self, response: Response) -> bool:
        """Count the answer; False for a 304 (nothing changed, nothing to parse)."""
        if response.meta.get("entry"):
            self.entry_answered = True
        if response.status == 304:
            self.summary.not_modified += 1
            return False
        if response.meta.get("page"):
            self.summary.pages += 1
        if not isinstance(response, TextResponse):
            self.fail(
                response,
                "响应内容为空" if not response.body else "响应不是文本",
                fatal=bool(response.meta.get("entry")),
            )
            return False
        return True

    def make_item(
        self,
        *,
        url: str,
        canonical: str,
        snapshot: bytes,
        content_type: str | None,
        encoding: str | None,
        **fields: Any,
    ) -> MentionItem:
        """A MentionItem of this source with evidence bytes attached."""
        self.summary.fetched += 1
        item = MentionItem(
            source=self.name,
            source_kind=self.kind,
            url=url,
            canonical_url=canonical,
            fetched_at=utcnow(),
            snapshot=snapshot,
            snapshot_content_type=content_type,
            snapshot_encoding=encoding,
        )
        for key in MentionItem.fields:
            item.setdefault(key, None)
        item.update(fields)
        return item

    # ---- problems -------------------------------------------------------------------------------------------
    def blocked_page(self, response: Response) -> bool:
        """A page without content that is a captcha / anti-bot page: the run fails as blocked (the source backs
        off, see crawlers.store) and True is returned."""
        reason = captcha_reason(response)
        if reason is None:
            return False
        self.summary.blocked = self.summary.blocked or reason
        self.fail(response, reason, fatal=True)
        self.item_budget = 0
        return True

    def note(self, reason: str, *, error: bool = False) -> None:
        """A problem worth showing in the run's message that does not fail the run."""
        self.logger.warning("%s", reason)
        self.summary.problem(reason, error=error)

    def fail(self, where: str | Response, reason: str, *, fatal: bool = False) -> None:
        """A page that could not be used; `fatal` when it was the source's entry page."""
        url = where.url if isinstance(where, Response) else where
        self.logger.warning("%s(%s)", reason, url)
        self.summary.problem(reason, url=url, fatal=fatal)

    def on_error(self, failure: Failure) -> None:
        """Errback of every request: a download or HTTP error, described in Chinese."""
        request = getattr(failure, "request", None)
        entry = bool(request is not None and request.meta.get("entry"))
        if entry:
            self.entry_answered = True
        reason = describe_exception(
            failure.value,
            timeout=self.settings.getfloat("DOWNLOAD_TIMEOUT"),
            max_mb=self.settings.getint("DOWNLOAD_MAXSIZE") / 1024 / 1024,
        )
        response = getattr(failure.value, "response", None)
        blocked = status_reason(response.status) if isinstance(response, Response) else None
        # The site refusing is the source's own entry page, or (search) one of its result pages; a result's page
        # on another site answering 403 says nothing about the search site.
        if blocked and request is not None and (entry or (self.kind == "search" and request.meta.get("page"))):
            # The site refuses the crawler: stop this run and back off instead of asking again at once.
            reason = blocked + "(可能被网站屏蔽),采集已暂停"
            self.summary.blocked = self.summary.blocked or reason
            self.item_budget = 0
            entry = True
        self.fail(request.url if request is not None else self.source.url, reason, fatal=entry)

    def on_spider_error(self, failure: Failure, response: Response, spider) -> None:
        """A page that broke the parser: logged with its traceback, counted, the rest of the run goes on."""
        if spider is not self:
            return
        self.logger.debug("解析出错", exc_info=(failure.type, failure.value, failure.getTracebackObject()))
        entry = bool(response.meta.get("entry"))
        self.fail(response, f"页面解析出错:{describe_exception(failure.value)}", fatal=entry)

    # ---- finishing ------------------------------------------------------------------------------------------
    async def closed(self, reason: str) -> None:
        """Record the run (CrawlRun row and source health) before the crawl counts as finished."""
        if self.summary.skipped:
            self.summary.finish()
            return  # still backing off: nothing was asked, nothing to record
        if reason in CLOSE_REASONS:
            self.summary.problem(CLOSE_REASONS[reason], error=False)
        elif not self.entry_answered and self.summary.ok:
            self.summary.problem("入口页面没有得到响应", fatal=True)
        self.summary.finish()
        try:
            await self.in_db(store.record_run, self.app, self.summary)
        except Stopping:
            self.logger.info("程序已退出,本轮采集记录未保存")
        except Exception as exc:  # noqa: BLE001 - the crawl itself is over; say why its record is missing
            self.logger.error("保存采集记录失败:%s", exc)
            report_storage_failure(self.app.settings, exc, f"来源 {self.name} 的采集记录")
