"""Spider classes built from config: per-source Scrapy settings, the spider loader, robots override."""

from pathlib import Path

from scrapy import Request

from crawlers.loader import ConfigSpiderLoader
from crawlers.settings import spider_settings
from crawlers.spiders import build_spider_class
from crawlers.spiders.api import ApiSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.listing import BoardSpider, ListingSpider
from yuqing.config import settings_from_dict

SOURCES = [
    {"name": "news", "kind": "rss", "url": "http://news.example/rss.xml"},
    {
        "name": "bbs",
        "kind": "html",
        "url": "http://bbs.example/list",
        "obey_robots": False,
        "encoding": "gbk",
        "html": {"item_links": "a::attr(href)"},
    },
    {"name": "mailbox", "kind": "board", "url": "http://gov.example/board", "board": {"item_links": "a"}},
    {"name": "app", "kind": "json", "url": "http://api.example/posts", "json": {"items": "data"}},
]


def settings(crawl=None):
    return settings_from_dict({"sources": SOURCES, "crawl": crawl or {}}, Path("/tmp/config.toml"))


def test_one_generic_class_per_kind():
    conf = settings()
    classes = {s.name: build_spider_class(s, conf) for s in conf.sources}
    assert issubclass(classes["news"], FeedSpider) and issubclass(classes["bbs"], ListingSpider)
    assert issubclass(classes["mailbox"], BoardSpider) and issubclass(classes["app"], ApiSpider)
    assert classes["bbs"].name == "bbs" and classes["bbs"].source.encoding == "gbk"


def test_crawl_settings_and_per_source_robots_override():
    conf = settings({"max_response_mb": 2, "download_delay": 1.5, "concurrent_per_domain": 1, "obey_robots": True})
    news = spider_settings(conf.crawl, conf.source("news"))
    bbs = spider_settings(conf.crawl, conf.source("bbs"))
    assert news["ROBOTSTXT_OBEY"] is True and bbs["ROBOTSTXT_OBEY"] is False
    assert news["DOWNLOAD_MAXSIZE"] == 2 * 1024 * 1024 and news["DOWNLOAD_DELAY"] == 1.5
    assert news["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1 and news["AUTOTHROTTLE_START_DELAY"] == 1.5


def test_download_delay_is_zero_unless_configured():
    conf = settings()
    assert spider_settings(conf.crawl, conf.source("news"))["DOWNLOAD_DELAY"] == 0


def test_loader():
    loader = ConfigSpiderLoader(settings())
    assert loader.list() == ["news", "bbs", "mailbox", "app"]
    assert loader.load("app").source.url == "http://api.example/posts"
    assert loader.find_by_request(Request("http://bbs.example/t/1")) == ["bbs"]
    try:
        loader.load("nope")
    except KeyError as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("unknown spider must raise KeyError")
