"""Scrapy settings of the project, and the per-source settings derived from [crawl] and [[sources]] in config."""

from __future__ import annotations

from typing import Any

from yuqing.settings_model import CrawlSettings, SourceSettings

BOT_NAME = "yuqing"
SPIDER_LOADER_CLASS = "crawlers.loader.ConfigSpiderLoader"
SPIDER_MODULES: list[str] = []
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# Politeness. DOWNLOAD_DELAY stays 0 unless [crawl].download_delay says otherwise (see PITFALLS.md);
# AutoThrottle adapts the pace to each site's latency.
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 20
RETRY_TIMES = 2
RETRY_BACKOFF_BASE = 1.0
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the spider logs the final failure itself, in Chinese
RETRY_BACKOFF_MAX = 30.0
REDIRECT_MAX_TIMES = 10
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOWED_CODES: list[int] = []

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.politeness.SharedDomainPaceMiddleware": 540,  # off unless [cluster] domain_delay > 0 (PostgreSQL)
    "crawlers.middlewares.ConditionalGetMiddleware": 560,
    "crawlers.middlewares.EncodingMiddleware": 570,  # below 590: sees the body after decompression
}
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,  # one line a minute per crawler is noise with many sources
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    # Scrapy 2.19 opens, for every crawler (every poll of every source), an HTTP server on 127.0.0.1 that runs Python
    # code sent with a token and writes a job file: a needless open door, and a server start per poll.
    "scrapy.extensions.remote_control.RemoteControl": None,
}
REMOTE_CONTROL_ENABLED = False
ITEM_PIPELINES = {"crawlers.pipelines.IngestPipeline": 300}
YUQING_INGEST = "yuqing.ingest.ingest_item"

MEGABYTE = 1024 * 1024


def spider_settings(crawl: CrawlSettings, source: SourceSettings, domain_delay: float = 0.0) -> dict[str, Any]:
    """Scrapy settings for one source's spider (its custom_settings): [crawl] values, then the source's overrides;
    domain_delay ([cluster]) paces each site across all sources and workers (crawlers.politeness)."""
    obey = crawl.obey_robots if source.obey_robots is None else source.obey_robots
    max_bytes = int(crawl.max_response_mb * MEGABYTE)
    return {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": obey,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "RETRY_TIMES": crawl.retry_times,
        "RETRY_BACKOFF_BASE": min(1.0, crawl.download_timeout / 4),
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": max_bytes // 2,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, AUTOTHROTTLE_START_DELAY),
        "DOWNLOAD_DELAY": crawl.download_delay,
        "YUQING_DOMAIN_DELAY": domain_delay,
    }
