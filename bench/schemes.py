"""Benchmark: the 监测方案 page's preview and re-apply on a town's stored mentions, and rebuilding the analysis context
when a scheme changes (what the running process does before its next item).

Run: python bench/schemes.py [--data /work/shared/data] [--mentions 2000 10000 20000]
The mentions are TipDM citizen messages (needs ../shared/data; without it the script says so and stops), stored in a
throwaway SQLite database as if first seen over the last 7 days. Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# bench/ holds a script named pipeline.py: drop the folder from the import path so `pipeline` is the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOWN = {
    "name": "A市",
    "region": "A市|A1区|A2区|A3区|A4区|A5区|A6区|A7区",
    "subject": "",
    "event": "",
    "exclude": "广告",
}
PREVIEWED = {"name": "物业", "region": "", "subject": "物业|小区|业主", "event": "收费|停水|停电|噪音", "exclude": ""}
NEW = {"name": "学校", "region": "", "subject": "学校|学生|老师", "event": "收费|补课|安全", "exclude": ""}


FILES = ("tipdm2020_labeled_raw_sample.csv", "tipdm2020_messages_with_votes.csv", "tipdm2020_messages_with_replies.csv")


def load_messages(data: Path) -> list[tuple[str, str]]:
    """(title, content) of every TipDM message, once each."""
    import pandas as pd

    found: dict[tuple[str, str], None] = {}
    for name in FILES:
        table = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        found.update(dict.fromkeys(zip(table["留言主题"].str.strip(), table["留言详情"].str.strip(), strict=True)))
    return list(found)


def stored(messages: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    """`count` messages: the data repeated when it holds fewer (timings only; the copies are numbered)."""
    return [
        (title if number < len(messages) else f"{title}({number // len(messages) + 1})", content)
        for number, (title, content) in ((n, messages[n % len(messages)]) for n in range(count))
    ]


def open_town(folder: Path, messages: list[tuple[str, str]], count: int):
    """A town database with `count` stored mentions first seen over the last 7 days (relevance as ingest decides)."""
    from pipeline.analyze import TextIn, analyze
    from yuqing.analysis_context import analysis_context
    from yuqing.app import open_app
    from yuqing.config import settings_from_dict
    from yuqing.db.models import Mention, Source
    from yuqing.timeutil import utcnow

    settings = settings_from_dict(
        {
            "general": {"data_dir": str(folder)},
            "logging": {"file": ""},
            "database": {"url": f"sqlite:///{folder}/bench.db"},
            "schemes": [TOWN],
        },
        folder / "config.toml",
    )
    app = open_app(settings)
    context = analysis_context(settings)
    now = utcnow()
    rng = random.Random(15)
    with app.db.write() as session:
        source = Source(name="board", kind="board", url="http://127.0.0.1/", title="留言板", source_type="board")
        session.add(source)
        session.flush()
        for number, (title, content) in enumerate(stored(messages, count)):
            result = analyze(TextIn(title=title, content=content, source_type="board"), context)
            session.add(
                Mention(
                    source_id=source.id,
                    url=f"http://127.0.0.1/m/{number}",
                    canonical_url=f"http://127.0.0.1/m/{number}",
                    content_hash=str(number),
                    title=result.title_masked,
                    content=result.content_masked,
                    source_type="board",
                    first_seen_at=now - timedelta(seconds=rng.uniform(0, 7 * 86400)),
                    relevant=result.relevant,
                    schemes=result.schemes,
                    topic=result.topic,
                    urgency=result.urgency,
                )
            )
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--mentions", type=int, nargs="+", default=[2000, 10000, 20000])
    args = parser.parse_args()
    if not (args.data / "tipdm2020_messages_with_votes.csv").exists():
        print(f"跳过:没有找到 {args.data}/tipdm2020_messages_with_votes.csv")
        return 0
    from pipeline.segment import cut
    from yuqing.analysis_context import rebuild_analysis_context
    from yuqing.schemes.live import refresh_schemes
    from yuqing.schemes.preview import preview_scheme
    from yuqing.schemes.reapply import reapply_schemes
    from yuqing.schemes.store import check_scheme, save_scheme

    logging.getLogger("yuqing").setLevel(logging.ERROR)  # alerts without recipients are expected here
    messages = load_messages(args.data)
    cut("东园镇天气晴")  # jieba's dictionary, loaded long ago in a running process (re-apply clusters: it segments)
    print(
        f"留言 {len(messages)} 条(TipDM,条数更多时重复使用);方案:{TOWN['name']} 已启用,预览“{PREVIEWED['name']}”,新增“{NEW['name']}”后重新应用 7 天"
    )
    print("条数\t预览耗时\t命中\t重建分析上下文(中位/5次)\t重新应用耗时\t新增相关\t归入事件")
    for count in args.mentions:
        with tempfile.TemporaryDirectory() as folder:
            app = open_town(Path(folder), messages, count)
            with app.db.read() as session:
                started = time.perf_counter()
                preview = preview_scheme(session, check_scheme(PREVIEWED))
                preview_s = time.perf_counter() - started
            rebuilds = []
            for _ in range(5):
                started = time.perf_counter()
                rebuild_analysis_context(app.settings)
                rebuilds.append(time.perf_counter() - started)
            with app.db.write() as session:
                save_scheme(session, NEW, "bench")
            refresh_schemes(app, force=True)
            started = time.perf_counter()
            result = reapply_schemes(app, 7, "bench")
            reapply_s = time.perf_counter() - started
            print(
                f"{preview.checked}\t{preview_s:.2f} 秒\t{preview.matched}\t{statistics.median(rebuilds):.2f} 秒\t"
                f"{reapply_s:.1f} 秒\t{result.became_relevant}\t{result.joined_events}",
                flush=True,
            )
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
