"""The generic spider for JSON APIs, read with the dotted field paths in [sources.json]."""

from __future__ import annotations

from scrapy.http import Response

from crawlers.jsonapi import ApiError, load_json, next_page_url, parse_api
from crawlers.spiders.base import SourceSpider


class ApiSpider(SourceSpider):
    """Reads a JSON list endpoint page by page; objects not stored yet become items."""

    kind = "json"

    async def parse_page(self, response: Response):
        if not self.answered(response):
            return
        paths = self.source.json_paths
        try:
            data = load_json(response.text)
            entries = parse_api(data, paths, response.url)
        except ApiError as exc:
            if self.blocked_page(response):
                return
            self.fail(response, f"接口返回内容无法解析:{exc}", fatal=bool(response.meta.get("entry")))
            return
        fresh, canonical, seen = await self.fresh_entries(response, entries)
        for entry, key in fresh:
            yield self.entry_item(entry, key, "application/json")
        next_url = next_page_url(data, paths, response.url)
        if next_url and self.keep_paging(response, canonical, seen):
            yield self.page_request(next_url, page=response.meta.get("page", 1) + 1)
