"""The generic spider for RSS and Atom sources: each entry carries its text, so one request per poll."""

from __future__ import annotations

import re

from scrapy.http import Response

from crawlers.feeds import Feed, FeedEntry, FeedError, parse_feed
from crawlers.items import MentionItem
from crawlers.spiders.base import SourceSpider
from yuqing.settings_model import rsshub_platform

_ACCOUNT_SUFFIX = re.compile(r"\s*(的微博|的抖音|的快手|的B站动态|的 bilibili 动态|的知乎动态|的个人主页)\s*$")


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
            if self.blocked_page(response):
                return
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
            yield self.feed_item(entry, canonical, feed)

    def feed_item(self, entry: FeedEntry, canonical: str, feed: Feed) -> MentionItem:
        return self.entry_item(entry, canonical, "application/xml")


class RssHubSpider(FeedSpider):
    """An RSSHub route (微博, 微信公众号, 抖音, B站, 知乎, 贴吧 …): a feed whose platform comes from the route and
    whose author, when entries name none, is the account the feed follows."""

    kind = "rsshub"

    def feed_item(self, entry: FeedEntry, canonical: str, feed: Feed) -> MentionItem:
        item = self.entry_item(entry, canonical, "application/xml")
        item["platform"] = rsshub_platform(self.source.route)
        if not item.get("author") and feed.title:
            item["author"] = _ACCOUNT_SUFFIX.sub("", feed.title)[:200] or None
        return item
