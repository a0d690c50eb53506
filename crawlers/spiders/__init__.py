"""Spider classes built from config: one generic spider per source kind, no code per site."""

from __future__ import annotations

import re

from crawlers.settings import spider_settings
from crawlers.spiders.api import ApiSpider
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.feed import FeedSpider, RssHubSpider
from crawlers.spiders.listing import BoardSpider, ListingSpider
from crawlers.spiders.search import SearchSpider
from yuqing.settings_model import Settings, SourceSettings

SPIDERS_BY_KIND: dict[str, type[SourceSpider]] = {
    "rss": FeedSpider,
    "html": ListingSpider,
    "board": BoardSpider,
    "json": ApiSpider,
    "search": SearchSpider,
    "rsshub": RssHubSpider,
}


def build_spider_class(source: SourceSettings, settings: Settings) -> type[SourceSpider]:
    """A subclass of the kind's generic spider bound to this source and its Scrapy settings."""
    base = SPIDERS_BY_KIND[source.kind]
    class_name = base.__name__ + "_" + re.sub(r"\W", "_", source.name)
    return type(
        class_name,
        (base,),
        {
            "name": source.name,
            "source": source,
            "custom_settings": spider_settings(settings.crawl, source, settings.cluster.domain_delay),
            "__module__": __name__,
        },
    )
