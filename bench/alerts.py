"""Benchmark: level-1 mention → alert accepted by a loopback SMTP server (median, p95), and the deadline check on
10,000 open events.

    python bench/alerts.py [--events 200] [--open 10000] [--db URL]

The first part ingests through `yuqing.ingest.ingest_item` when the pipeline's `analyze` is available; otherwise
it creates each event and calls `on_event_detected` in one transaction, as ingest does, and says so. Delivery is
the service's own worker (`yuqing.service.DeliveryWorker`), woken by `app.wake_outbox()` after the commit.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from yuqing.app import App, open_app
from yuqing.config import settings_from_dict
from yuqing.db.models import Deadline, Event, Mention, OutboxMessage
from yuqing.mail.sink import SmtpSink
from yuqing.timeutil import utcnow

OFFICES = [
    {
        "code": "dzb",
        "name": "镇党政办",
        "email": "dzb@example.gov.cn",
        "head_email": "dzb-head@example.gov.cn",
        "lead": True,
        "topics": ["governance", "other"],
    },
    {"code": "zzwb", "name": "综治维稳办公室", "email": "zzwb@example.gov.cn", "topics": ["work_safety"]},
    {"code": "msfw", "name": "民生服务中心", "email": "msfw@example.gov.cn", "topics": ["medical", "education"]},
]


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳"
VILLAGES = [f"{SURNAMES[i % len(SURNAMES)]}{'家庄湾坪沟营堡屯'[i // len(SURNAMES) % 8]}村" for i in range(400)]
PLACES = [
    "化工厂",
    "煤矿",
    "烟花作坊",
    "在建楼房",
    "民房",
    "学校食堂",
    "河道",
    "国道",
    "养老院",
    "农贸市场",
    "加油站",
    "水库",
    "砖厂",
    "羊绒加工厂",
    "枸杞烘干房",
    "温室大棚",
    "隧道工地",
    "桥梁工地",
    "超市",
    "卫生院",
    "幼儿园",
    "客运站",
    "冷库",
]
INCIDENTS = ["爆炸", "透水", "爆燃", "坍塌", "火灾", "中毒", "山洪冲毁", "侧翻", "触电", "溺水", "踩踏", "泥石流"]
DETAILS = [
    "现场浓烟滚滚",
    "消防车陆续赶到",
    "家属在门口聚集",
    "网友拍下视频",
    "附近居民被紧急疏散",
    "交通一度中断",
    "当地医院开通绿色通道",
    "有村民称此前多次反映隐患",
    "涉事负责人已被控制",
    "周边道路实行管制",
    "天气寒冷救援困难",
    "多名工人下落不明",
    "区应急局已派工作组",
    "事发时正值午饭时间",
    "视频在朋友圈广泛传播",
    "目击者称听到巨响",
]


def make_settings(folder: Path, db_url: str | None, smtp_port: int):
    data = {
        "general": {"data_dir": "data"},
        "logging": {"file": ""},
        "database": {"url": db_url or "sqlite:///data/bench.db"},
        "mail": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "duty_leader_email": "leader@example.gov.cn"},
        "duty": {"email": "zhiban@example.gov.cn"},
        "offices": OFFICES,
        "regions": {"villages": VILLAGES},
        "schemes": [{"name": "东园镇", "region": "东园|沙坡头"}],
        "sources": [{"name": "news", "kind": "rss", "url": "http://127.0.0.1:9/rss.xml", "source_type": "news"}],
    }
    return settings_from_dict(data, folder / "config.toml")


def _pipeline_ready() -> bool:
    try:
        return importlib.util.find_spec("pipeline.analyze") is not None
    except ModuleNotFoundError:
        return False


def level_one_item(number: int, rng: random.Random) -> dict:
    """A distinct report of a deadly accident in one of many villages (so that each opens its own event)."""
    village = VILLAGES[number % len(VILLAGES)]
    place, incident = PLACES[number % len(PLACES)], INCIDENTS[number * 7 % len(INCIDENTS)]
    dead, now = 3 + number % 9, utcnow()
    return {
        "source": "news",
        "source_kind": "rss",
        "url": f"http://127.0.0.1:9/news/{number}",
        "title": f"东园镇{village}{place}{incident}致{dead}人遇难",
        "content": f"{village}{place}{incident},{','.join(rng.sample(DETAILS, 3))}。目前已造成{dead}人死亡。",
        "published_at": now,
        "fetched_at": now,
    }


def _ingest_one(app: App, number: int, rng: random.Random) -> None:
    from yuqing.ingest import ingest_item

    ingest_item(app, level_one_item(number, rng))


def _warm_up(app: App) -> None:
    """Load the dictionaries and compile the schemes once, as a running service has long done, or the first alert pays
    for them: an emergency report's place-name gazetteer (read on first use) and jieba's dictionary (clustering
    segments a relevant mention's words; the analysis itself does not)."""
    from pipeline.analyze import TextIn, analyze
    from pipeline.segment import cut
    from yuqing.analysis_context import analysis_context

    context = analysis_context(app.settings)
    for content in ("东园镇天气晴", "今天上午郭滩村一化工厂发生爆炸,造成3人死亡"):
        analyze(TextIn(title="预热", content=content, source_type="news", published_at=None), context)
    cut("东园镇天气晴")


def _detect_one(app: App, number: int, _rng: random.Random) -> None:
    from yuqing.workflow.hooks import on_event_detected

    now = utcnow()
    with app.db.write() as session:
        event = Event(
            title=f"郭滩村化工厂爆炸(第{number}号)",
            summary="已造成5人死亡",
            topic="work_safety",
            urgency=1,
            reasons=["死亡 5 人"],
            village="郭滩村",
            detected_at=now,
            last_mention_at=now,
            status="detected",
        )
        session.add(event)
        session.flush()
        on_event_detected(session, app.settings, event)
    app.wake_outbox()


def alert_latency(folder: Path, db_url: str | None, count: int) -> None:
    from yuqing.service import DeliveryWorker

    with SmtpSink() as sink:
        app = open_app(make_settings(folder / "latency", db_url, sink.port))
        via_ingest = _pipeline_ready()
        create = _ingest_one if via_ingest else _detect_one
        if via_ingest:
            _warm_up(app)
        worker = DeliveryWorker(app)
        worker.start()
        started: dict[int, float] = {}
        rng = random.Random(7)
        try:
            number = 0
            while len(started) < count and number < 3 * count:  # a report that joins an earlier event opens none
                before_max = _max_event(app)
                started_at = time.perf_counter()
                create(app, number, rng)
                for event_id in range(before_max + 1, _max_event(app) + 1):
                    started[event_id] = started_at
                number += 1
                time.sleep(0.02)  # about 40 reports a second, delivery running alongside
            complete = sink.wait_for(len(started), timeout=60)
        finally:
            worker.stop()
            worker.join(timeout=10)
        levels = _levels(app, list(started))
        app.close()
    accepted = {int(r.message["X-Yuqing-Event"]): r.accepted_at for r in sink.received if r.message["X-Yuqing-Event"]}
    latencies = sorted(accepted[e] - started[e] for e in started if e in accepted)
    print(
        f"告警时延({'经 yuqing.ingest.ingest_item' if via_ingest else '未接入 pipeline.analyze:直接建事件并调用 on_event_detected'};"
        f"{'PostgreSQL' if db_url else 'SQLite'})"
    )
    print(
        f"  信息 {number} 条 → 新事件 {len(started)} 个(等级分布 {levels}),SMTP 收到 {len(sink.received)} 封,"
        f"全部到达:{complete}"
    )
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
        print(
            f"  中位数 {statistics.median(latencies) * 1000:.1f} ms,p95 {p95 * 1000:.1f} ms,"
            f"最大 {latencies[-1] * 1000:.1f} ms(目标 p95 < 2000 ms)"
        )


def _max_event(app: App) -> int:
    with app.db.read() as session:
        return session.scalar(select(func.coalesce(func.max(Event.id), 0)))


def _levels(app: App, ids: list[int]) -> dict[int, int]:
    with app.db.read() as session:
        rows = session.execute(select(Event.urgency, func.count()).where(Event.id.in_(ids)).group_by(Event.urgency))
        return dict(sorted(rows.all()))


def seed_open_events(app: App, count: int, rng: random.Random) -> None:
    """Open events detected over the last 72 hours, mixed levels; most already assessed, as in a busy month."""
    from yuqing.workflow.deadlines import budgets

    now = utcnow()
    levels = rng.choices([1, 2, 3, 4], weights=[5, 10, 35, 50], k=count)
    events, deadlines = [], []
    for number, level in enumerate(levels, start=_max_event(app) + 1):
        detected = now - timedelta(hours=rng.uniform(0, 72))
        office = rng.choice(OFFICES)["code"]
        events.append(
            {
                "id": number,
                "title": f"事件{number}",
                "urgency": level,
                "status": "detected",
                "office_code": office,
                "detected_at": detected,
                "topic": "other",
            }
        )
        for stage, budget in budgets(app.settings, level).items():
            done = detected + budget / 2 if stage == "assess" and rng.random() < 0.8 else None
            deadlines.append(
                {
                    "event_id": number,
                    "stage": stage,
                    "level": level,
                    "office_code": office,
                    "starts_at": detected,
                    "due_at": detected + budget,
                    "done_at": done if done and done <= now else None,
                    "warned_shares": [],
                    "escalation_step": 0,
                }
            )
    with app.db.write() as session:
        session.execute(insert(Event), events)
        session.execute(insert(Deadline), deadlines)


def deadline_check(folder: Path, db_url: str | None, count: int) -> None:
    from yuqing.workflow.jobs import check_deadlines

    app = open_app(make_settings(folder / "deadlines", db_url, 9))
    seed_open_events(app, count, random.Random(5))
    with app.db.read() as session:
        open_rows = session.scalar(select(func.count()).select_from(Deadline).where(Deadline.done_at.is_(None)))
        open_events = session.scalar(
            select(func.count(func.distinct(Deadline.event_id))).where(Deadline.done_at.is_(None))
        )
    now = utcnow()
    started = time.perf_counter()
    catch_up = check_deadlines(app, now=now)
    catch_up_seconds = time.perf_counter() - started
    runs = []
    for step in range(1, 11):  # the job every 30 s afterwards
        started = time.perf_counter()
        report = check_deadlines(app, now=now + timedelta(seconds=30 * step))
        runs.append((time.perf_counter() - started, report))
    idle_started = time.perf_counter()
    check_deadlines(app, now=now + timedelta(seconds=300))
    idle = time.perf_counter() - idle_started
    with app.db.read() as session:
        queued = session.scalar(select(func.count()).select_from(OutboxMessage))
        mentions = session.scalar(select(func.count()).select_from(Mention))
    app.close()
    times = sorted(seconds for seconds, _ in runs)
    actions = [r.warnings + r.breaches + r.escalations for _, r in runs]
    print(
        f"时限检查({count} 个未办结事件"
        + (f",连同第一部分共 {open_events} 个有未完成时限" if open_events != count else "")
        + f",{open_rows} 条未完成时限;{'PostgreSQL' if db_url else 'SQLite'})"
    )
    print(f"  首次补查(积压,全部到期项):{catch_up_seconds:.2f} s,{catch_up}")
    print(
        f"  之后每 30 秒一次 × 10:中位数 {statistics.median(times) * 1000:.0f} ms,最长 {times[-1] * 1000:.0f} ms,"
        f"每次处理 {min(actions)}–{max(actions)} 项(目标 < 1 s)"
    )
    print(f"  无到期项时:{idle * 1000:.0f} ms;共入队提醒 {queued} 封(信息 {mentions} 条)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="告警时延:一级事件个数")
    parser.add_argument("--open", type=int, default=10_000, help="时限检查:未办结事件个数")
    parser.add_argument("--db", default=None, help="数据库地址(默认临时 SQLite;可填空的 PostgreSQL 库)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="yuqing-bench-") as tmp:
        alert_latency(Path(tmp), args.db, args.events)
        deadline_check(Path(tmp), args.db, args.open)


if __name__ == "__main__":
    main()
