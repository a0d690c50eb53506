"""SPIDER_LOADER_CLASS that builds one spider class per configured source: no code per site."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from scrapy import Request, Spider

from crawlers.spiders import build_spider_class
from yuqing.config import ConfigError
from yuqing.settings_model import Settings


class ConfigSpiderLoader:
    """Spiders named after the [[sources]] in config.toml, each a generic spider of the source's kind."""

    def __init__(self, settings: Settings):
        self._spiders = {source.name: build_spider_class(source, settings) for source in settings.sources}

    @classmethod
    def from_settings(cls, scrapy_settings) -> ConfigSpiderLoader:
        """Read config.toml ($YUQING_CONFIG, ./config.toml or ../config.toml); a config error ends the command."""
        from crawlers.context import default_settings

        try:
            return cls(default_settings())
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            raise SystemExit(2) from None

    def load(self, spider_name: str) -> type[Spider]:
        """The spider class of a source; KeyError for an unknown name."""
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}(配置中没有名为 “{spider_name}” 的来源)") from None

    def list(self) -> list[str]:
        """Names of all configured sources."""
        return list(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        """Sources whose entry URL is on the request's host."""
        host = urlsplit(request.url).hostname
        return [name for name, cls in self._spiders.items() if urlsplit(cls.source.url).hostname == host]
