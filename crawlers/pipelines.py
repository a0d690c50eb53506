"""The item pipeline: hand each item to yuqing.ingest (on the database thread, waiting for room in the source's
queue) and count what happened."""

from __future__ import annotations

from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object

from crawlers import store
from crawlers.db_queue import Stopping
from yuqing.storage_alarm import report_storage_failure


class IngestPipeline:
    """Stores items through the ingest function named by the YUQING_INGEST setting; failures are counted, not raised."""

    def __init__(self, crawler, ingest):
        self.crawler = crawler
        self.ingest = ingest

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, load_object(crawler.settings.get("YUQING_INGEST")))

    async def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        try:
            result = await maybe_deferred_to_future(
                store.in_db_thread(spider.name, self.ingest, spider.app, dict(item), item=True)
            )
        except Stopping:
            return item  # the process is stopping; not stored, so the next poll fetches it again
        except Exception as exc:  # noqa: BLE001 - one bad item must not stop the run; it is fetched again next poll
            report_storage_failure(spider.app.settings, exc, f"来源 {spider.name} 的信息入库")
            spider.fail(item.get("url") or "?", f"入库失败:{exc}")
            return item
        spider.summary.count(getattr(result, "status", result))
        return item
