"""The generic spider for JSON APIs, read with the dotted field paths in [sources.json]."""

from __future__ import annotations

from scrapy.http import Response

from crawlers import store
from crawlers.jsonapi import ApiError, load_json, next_page_url, parse_api
from crawlers.spiders.base import SourceSpider


class ApiSpider(SourceSpider):
    """Reads a JSON list endpoint page by page; objects not stored yet become items."""

    kind = "json"

    async def commented_again(self, entries: list, canonical: dict[str, str], seen: set[str]) -> list:
        """Stored objects (first seen in the last recheck_hours) listed again with comments not stored yet: an API
        list carries the comments with the post, so they are read from the list itself (recheck_per_run a page)."""
        if not self.source.json_paths.comment_list or not self.source.recheck_per_run:
            return []
        listed = {canonical[e.url]: e for e in entries if e.comment_list and canonical.get(e.url) in seen}
        if not listed:
            return []
        known = await self.in_db(store.comment_keys, self.app, list(listed), self.source.recheck_hours)
        again = [
            (entry, key)
            for key, entry in listed.items()
            if key in known and {str(c.get("key") or "")[:64] for c in entry.comment_list} - known[key] - {""}
        ]
        return again[: self.source.recheck_per_run]

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
        for entry, key in fresh + await self.commented_again(entries, canonical, seen):
            yield self.entry_item(entry, key, "application/json")
        next_url = next_page_url(data, paths, response.url)
        if next_url and self.keep_paging(response, canonical, seen):
            yield self.page_request(next_url, page=response.meta.get("page", 1) + 1)
