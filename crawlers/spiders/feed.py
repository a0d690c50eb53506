"""The generic spider for RSS and Atom sources: each entry carries its text, so one request per poll."""

from __future__ import annotations

from scrapy.http import Response

from crawlers.feeds import FeedError, parse_feed
from crawlers.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    """Reads an RSS 0.9x/1.0/2.0 or Atom feed; entries not stored yet become items."""

    kind = "rss"

    async def parse_page(self, response: Response):
        if not self.answered(response):
            return
        entry_page = bool(response.meta.get("entry"))
        try:
            feed = parse_feed(response.text, response.url)
        except FeedError as exc:
            self.fail(response, f"订阅源无法解析:{exc}", fatal=entry_page)
            return
        if feed.syntax_error and not feed.entries:
            self.fail(response, f"订阅源 XML 格式错误,读不出条目({feed.syntax_error})", fatal=entry_page)
            return
        if feed.syntax_error:
            self.note(f"订阅源 XML 格式有误,已尽量修复({feed.syntax_error})")
        if not feed.entries:
            self.note("订阅源中没有条目")
            return
        fresh, _, _ = await self.fresh_entries(response, feed.entries)
        for entry, canonical in fresh:
            yield self.entry_item(entry, canonical, "application/xml")
