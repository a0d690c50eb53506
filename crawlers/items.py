"""The item every spider yields: one mention, as docs/team-contracts.md defines it for ingest."""

from __future__ import annotations

import scrapy


class MentionItem(scrapy.Item):
    """One post, article, feed entry or board message, with the bytes it was read from."""

    source = scrapy.Field()  # source name from config
    source_kind = scrapy.Field()  # rss | html | json | board | search | rsshub
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    title = scrapy.Field()
    content = scrapy.Field()  # plain text as published (may be traditional)
    html = scrapy.Field()  # main body HTML, or None
    author = scrapy.Field()
    published_at = scrapy.Field()  # aware UTC datetime or None
    fetched_at = scrapy.Field()  # aware UTC datetime
    reposts = scrapy.Field()
    comments = scrapy.Field()
    board_status = scrapy.Field()  # "未回复" | "已回复" | None
    reply_text = scrapy.Field()
    reply_at = scrapy.Field()
    reply_office = scrapy.Field()
    snapshot = scrapy.Field()  # bytes of the detail page, feed entry XML or JSON object
    snapshot_content_type = scrapy.Field()
    snapshot_encoding = scrapy.Field()
    platform = scrapy.Field()  # 微博, 微信公众号 … (rsshub routes), else None
    search_keyword = scrapy.Field()  # search sources: the keyword that found it
    comment_list = scrapy.Field()  # comments / replies read with the post: [{key, author, content, published_at}]
