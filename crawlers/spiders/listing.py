"""Generic spiders for list + detail sites (html) and government message boards (board), driven by selectors."""

from __future__ import annotations

import scrapy
from scrapy.http import Response

from crawlers import store
from crawlers.pages import PENDING, parse_detail, parse_list
from crawlers.selectors import SelectorConfigError, check_selectors
from crawlers.spiders.base import SourceSpider
from yuqing.settings_model import HtmlSelectors
from yuqing.timeutil import utcnow


class ListingSpider(SourceSpider):
    """List pages (paged via next_page up to max_pages) linking to detail pages; unseen details become items."""

    kind = "html"

    @property
    def selectors(self) -> HtmlSelectors:
        return self.source.html

    def config_problems(self) -> list[str]:
        return check_selectors(self.selectors.model_dump())

    async def extra_requests(self) -> list[scrapy.Request]:
        """With comment selectors: recent stored posts re-read in rotation, for the comments that came since."""
        if not self.selectors.comment or not self.source.recheck_per_run:
            return []
        source = self.source
        recent = await self.in_db(
            store.recent_posts,
            self.app,
            self.name,
            source.recheck_hours,
            source.recheck_per_run,
            source.recheck_minutes,
        )
        return [self.detail_request(url, canonical, pending=True) for url, canonical in recent]

    async def parse_page(self, response: Response):
        if not self.answered(response):
            return
        page_number = response.meta.get("page", 1)
        try:
            page = parse_list(response, response.url, self.selectors, limit=self.max_links)
        except SelectorConfigError as exc:
            self.fail(response, str(exc), fatal=True)
            return
        if not page.links:
            if self.blocked_page(response):
                return
            self.fail(
                response,
                f"列表选择器 “{self.selectors.item_links}” 在第 {page_number} 页没有匹配到任何链接(网站可能已改版)",
                fatal=page_number == 1,
            )
            return
        fresh, canonical, seen = await self.fresh_entries(response, page.links, "链接", url_of=str, total=page.total)
        for url, key in fresh:
            yield self.detail_request(url, key)
        if page.next_url and self.keep_paging(response, canonical, seen):
            yield self.page_request(page.next_url, page=page_number + 1)

    def detail_request(self, url: str, canonical: str, *, pending: bool = False) -> scrapy.Request:
        """A detail page; the canonical URL is the list's link (stable even if the page redirects)."""
        return scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.on_error,
            meta={
                "kind": self.kind,
                "canonical": canonical,
                "pending": pending,
                "conditional": pending,
                "handle_httpstatus_list": [304],
            },
        )

    def parse_detail(self, response: Response):
        if not self.answered(response):
            return
        detail = parse_detail(response, self.selectors, utcnow())
        for problem in detail.problems:
            self.note(problem)
        if not detail.title and not detail.content:
            self.fail(response, "详情页没有提取到标题和正文")
            return
        if response.meta.get("pending") and detail.board_status == PENDING and not detail.comment_list:
            return  # still awaiting a reply: nothing new to store
        yield self.make_item(
            url=response.url,
            canonical=response.meta["canonical"],
            snapshot=response.body,
            content_type=_content_type(response),
            encoding=response.encoding,
            title=detail.title,
            content=detail.content,
            html=detail.html,
            author=detail.author,
            published_at=detail.published_at,
            reposts=detail.reposts,
            comments=detail.comments,
            board_status=detail.board_status,
            reply_text=detail.reply_text,
            reply_at=detail.reply_at,
            reply_office=detail.reply_office,
            comment_list=detail.comment_list,
        )


class BoardSpider(ListingSpider):
    """A message board: like html, plus status and official reply, and stored 未回复 messages are re-read."""

    kind = "board"

    @property
    def selectors(self) -> HtmlSelectors:
        return self.source.board

    async def extra_requests(self) -> list[scrapy.Request]:
        pending = await self.in_db(store.pending_board_messages, self.app, self.name)
        requests = [self.detail_request(url, canonical, pending=True) for url, canonical in pending]
        return requests + await super().extra_requests()


def _content_type(response: Response) -> str:
    header = response.headers.get(b"Content-Type")
    return header.decode("latin-1") if header else "text/html"
