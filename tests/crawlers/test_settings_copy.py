"""Scrapy settings copied for every crawl: the quick copy matches Scrapy's deep copy (values, priorities, classes)
and is as independent of its original; no crawler opens Scrapy's remote-control server."""

from __future__ import annotations

import copy

import scrapy
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings, Settings

from crawlers import reactor as crawl_reactor
from crawlers.settings_copy import QuickCopySettings


def project_settings(cls=QuickCopySettings) -> Settings:
    settings = cls()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("SPIDER_LOADER_CLASS", "scrapy.spiderloader.DummySpiderLoader", priority="project")
    settings.set("YUQING_TEST_LIST", [1, {"a": [2]}], priority="cmdline")
    return settings


def flatten(settings: BaseSettings) -> dict:
    return {
        name: (
            flatten(value) if isinstance(value, BaseSettings) else value,
            settings.getpriority(name),
            type(value),
        )
        for name, value in settings.items()
    }


def test_quick_copy_equals_deep_copy():
    original = project_settings()
    quick, deep = original.copy(), copy.deepcopy(original)
    assert type(quick) is QuickCopySettings
    assert flatten(quick) == flatten(deep) == flatten(original)
    assert len(flatten(quick)) > 150  # Scrapy's defaults are there, not only the project's
    assert quick["DOWNLOADER_MIDDLEWARES"].getpriority("crawlers.middlewares.ConditionalGetMiddleware") == 20
    assert quick.getpriority("SPIDER_LOADER_CLASS") == deep.getpriority("SPIDER_LOADER_CLASS") == 20
    original.freeze()
    assert original.copy().frozen and not quick.frozen


def test_quick_copy_is_independent():
    original = project_settings()
    before = flatten(original)
    other = original.copy()
    other.set("CONCURRENT_REQUESTS", 1, priority="spider")
    other["DOWNLOADER_MIDDLEWARES"].set("x.Y", 5, priority="spider")
    other.getlist("YUQING_TEST_LIST")[1]["a"].append(3)
    other.get("YUQING_TEST_LIST").append(4)
    other.freeze()
    assert flatten(original) == before and not original.frozen
    assert original.get("YUQING_TEST_LIST") == [1, {"a": [2]}]
    assert "x.Y" not in original["DOWNLOADER_MIDDLEWARES"]


def test_crawlers_open_no_remote_control():
    crawl_reactor.install()

    class Spider(scrapy.Spider):
        name = "settings-copy-test"

    crawler = Crawler(Spider, project_settings())
    crawler._apply_settings()  # builds the extensions, as a crawl does first
    loaded = {type(ext).__name__ for ext in crawler.extensions.middlewares}
    assert "CoreStats" in loaded  # the extensions were built at all
    assert "RemoteControl" not in loaded and not crawler.settings.getbool("REMOTE_CONTROL_ENABLED")
    assert type(crawler.settings) is QuickCopySettings
