"""试采 (dry run) of a source not saved yet: a real crawl in a child process, on a throwaway database, whose items
are collected instead of stored; the 来源 page shows what would be collected (titles, dates, encoding)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yuqing.settings_model import Settings, SourceSettings

DRY_RUN_ITEMS = 10
DRY_RUN_TIMEOUT = 90.0
_collected: list[dict[str, Any]] = []


@dataclass
class DryRun:
    """What a dry run found: items (title, published, url, author, encoding), pages read, the run's message."""

    ok: bool
    message: str
    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    encodings: list[str] = field(default_factory=list)


class CollectPipeline:
    """Item pipeline of a dry run: keep what would have been stored (nothing goes to a database)."""

    def process_item(self, item, spider=None):
        published = item.get("published_at")
        _collected.append(
            {
                "title": (item.get("title") or "")[:200],
                "published": published.isoformat() if published else None,
                "url": item.get("url"),
                "author": item.get("author"),
                "encoding": item.get("snapshot_encoding"),
                "content": (item.get("content") or "")[:120],
                "comments": len(item.get("comment_list") or []),
            }
        )
        return item


def dry_run(source: SourceSettings, settings: Settings, timeout: float = DRY_RUN_TIMEOUT) -> DryRun:
    """Crawl the source once in a child process (a Twisted reactor cannot restart in this one)."""
    request = {
        "source": source.model_dump(by_alias=True, exclude_none=True),
        "crawl": settings.crawl.model_dump(),
        "schemes": [s.model_dump() for s in settings.schemes],
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "crawlers.dryrun"],
            cwd=Path(__file__).resolve().parents[1],
            check=False,
            input=json.dumps(request, ensure_ascii=False),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return DryRun(False, f"试采超时(超过 {timeout:g} 秒),请检查网址能否访问")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return DryRun(False, "试采程序出错:" + (done.stderr.strip().splitlines() or ["未知原因"])[-1][:300])
    result = json.loads(lines[-1])
    return DryRun(**result)


def _child() -> int:
    """In the child: read the request, crawl with a collecting pipeline on a temporary SQLite database."""
    from crawlers import dryrun  # this file runs as __main__; the pipeline Scrapy loads lives in crawlers.dryrun
    from crawlers.service import CrawlService
    from yuqing.app import open_app
    from yuqing.config import settings_from_dict

    request = json.loads(sys.stdin.read())
    source = {**request["source"], "enabled": True, "max_items_per_run": DRY_RUN_ITEMS}
    with tempfile.TemporaryDirectory(prefix="yuqing-dryrun-") as folder:
        settings = settings_from_dict(
            {
                "general": {"data_dir": folder},
                "database": {"url": f"sqlite:///{Path(folder) / 'dryrun.db'}"},
                "logging": {"level": "ERROR", "file": str(Path(folder) / "dryrun.log")},
                "crawl": request["crawl"],
                "schemes": request["schemes"],
                "sources": [source],
            },
            Path(folder) / "config.toml",
        )
        app = open_app(settings)
        service = CrawlService(app)
        spider = service.spiders[source["name"]]
        spider.custom_settings = {**spider.custom_settings, "ITEM_PIPELINES": {"crawlers.dryrun.CollectPipeline": 1}}
        summary = service.crawl_now([source["name"]])[source["name"]]
        app.close()
    collected = dryrun._collected
    encodings = sorted({item["encoding"] for item in collected if item["encoding"]})
    result = DryRun(summary.ok and bool(collected), summary.message, collected, summary.pages, encodings)
    if summary.ok and not collected:
        result.message = "页面可以访问,但没有读到任何条目:" + summary.message
    print(json.dumps(result.__dict__, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
