"""Benchmark: the dashboard's overview and event-list callbacks on 1,000,000 mentions and 50,000 events (median, p95).

    python bench/dashboard.py [--mentions 1000000] [--events 50000] [--runs 40] [--db sqlite|postgresql|both]
                              [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep DIR]

Data is written with executemany (SQLite) or COPY (PostgreSQL, into a fresh database created and dropped here).
Each callback is timed two ways: the callback function itself (as Dash calls it, inside a request of a logged-in
user), and the whole POST to /_dash-update-component through the Flask test client (login guard, JSON).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from yuqing.app import App, open_app
from yuqing.config import settings_from_dict
from yuqing.db.models import AuditLog, Deadline, Event, Mention, User
from yuqing.db.types import UTCDateTime
from yuqing.settings_model import TOPIC_DEFAULTS
from yuqing.timeutil import utcnow
from yuqing.users import hash_password

OFFICES = ["dzb", "msfw", "zzwb", "jjfw", "nyzx", "cwh-guotan"]
VILLAGES = ["东园村", "郭滩村", "金沙村", "柔新村", "美利村", "宣和村", "永康村", "常乐村"]
TOPICS = list(TOPIC_DEFAULTS)
SOURCES = 20
DAYS = 180
CHUNK = 50_000
STATUS_WEIGHTS = {
    "closed": 60,
    "evaluated": 25,
    "false_alarm": 3,
    "no_action": 2,
    "detected": 3,
    "assessed": 4,
    "responded": 3,
}
LEVEL_WEIGHTS = {1: 2, 2: 8, 3: 30, 4: 60}


def make_settings(folder: Path, db_url: str):
    offices = [{"code": code, "name": f"单位{code}", "lead": code == "dzb"} for code in OFFICES]
    sources = [
        {"name": f"src{n:02d}", "kind": "rss", "url": f"http://127.0.0.1:9/{n}.xml", "title": f"来源{n:02d}"}
        for n in range(SOURCES)
    ]
    data = {
        "general": {"data_dir": str(folder / "data")},
        "logging": {"file": ""},
        "database": {"url": db_url},
        "dashboard": {"secret_key": "bench"},
        "offices": offices,
        "sources": sources,
        "regions": {"villages": VILLAGES},
    }
    return settings_from_dict(data, folder / "config.toml")


class Writer:
    """Bulk rows into a table through the raw DB-API connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, app: App):
        self.connection = app.db.engine.raw_connection()
        self.sqlite = app.db.is_sqlite
        if self.sqlite:
            cursor = self.connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")  # a benchmark load: durability does not matter here
            cursor.execute("PRAGMA cache_size=-400000")

    def _converter(self, column):
        """A function turning a Python value into what the driver takes for this column."""
        if isinstance(column.type, sqlalchemy.JSON):
            return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
        if self.sqlite and isinstance(column.type, UTCDateTime):
            return lambda value: None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if self.sqlite and isinstance(column.type, sqlalchemy.Boolean):
            return lambda value: None if value is None else int(value)
        return None

    @staticmethod
    def _default(column):
        default = column.default
        if default is None or column.primary_key:
            return None
        return default.arg(None) if default.is_callable else default.arg

    def write(self, model, rows) -> None:
        """Insert dict rows; columns a row leaves out get the model's scalar default (or NULL)."""
        table = model.__table__
        columns = list(table.columns)
        names = [c.name for c in columns]
        converters = [self._converter(c) for c in columns]
        defaults = [self._default(c) for c in columns]
        defaults = [convert(d) if convert and d is not None else d for convert, d in zip(converters, defaults)]
        plan = list(zip(names, converters, defaults))
        cursor = self.connection.cursor()
        indexes = self._drop_indexes(cursor, table.name)
        batch = []
        for row in rows:
            batch.append(
                [
                    (convert(row[name]) if convert else row[name]) if name in row else default
                    for name, convert, default in plan
                ]
            )
            if len(batch) >= CHUNK:
                self._flush(cursor, table.name, names, batch)
                batch = []
        if batch:
            self._flush(cursor, table.name, names, batch)
        for statement in indexes:  # building an index once, sorted, is far quicker than updating it per row
            cursor.execute(statement)
        self.connection.commit()

    def _drop_indexes(self, cursor, table: str) -> list[str]:
        """Drop the table's secondary indexes (SQLite), returning the statements that recreate them."""
        if not self.sqlite:
            return []
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def _flush(self, cursor, table: str, names: list[str], batch: list[list]) -> None:
        if self.sqlite:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", batch)
            return
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for values in batch:
                copy.write_row(values)

    def finish(self, tables: list[str]) -> None:
        """Statistics for the planner; on PostgreSQL also move id sequences past the explicit ids."""
        cursor = self.connection.cursor()
        if not self.sqlite:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        cursor.execute("ANALYZE")
        self.connection.commit()
        self.connection.close()


def generate(app: App, mentions: int, events: int, seed: int = 7) -> dict:
    """Write the data set; returns counts and the time taken."""
    rng = random.Random(seed)
    now = utcnow()
    started = time.perf_counter()
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=events)
    levels = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()), k=events)
    detected = [now - timedelta(seconds=rng.random() * DAYS * 86400) for _ in range(events)]
    for index, status in enumerate(statuses):  # open events are recent ones
        if status in ("detected", "assessed", "responded"):
            detected[index] = now - timedelta(seconds=rng.random() * 3 * 86400)
    writer = Writer(app)

    def event_rows():
        for n in range(events):
            yield {
                "id": n + 1,
                "title": f"{rng.choice(VILLAGES)}群众反映第{n + 1}号问题",
                "summary": "",
                "topic": rng.choice(TOPICS),
                "urgency": levels[n],
                "status": statuses[n],
                "office_code": rng.choice(OFFICES),
                "village": rng.choice(VILLAGES),
                "detected_at": detected[n],
                "first_published_at": detected[n],
                "last_mention_at": detected[n] + timedelta(hours=2),
                "mention_count": 16,
                "source_count": 4,
                "heat": rng.random() * 100,
                "velocity": rng.random() * 5,
                "emerging": rng.random() < 0.01,
                "updated_at": now,
            }

    def deadline_rows():
        number = 0
        for n in range(events):
            open_event = statuses[n] in ("detected", "assessed", "responded")
            stages = [("assess", 0.5 * levels[n])] + (
                [("publish", 5), ("press", 24)] if levels[n] <= 2 else [("respond", 48)]
            )
            for stage, hours in stages:
                number += 1
                due = detected[n] + timedelta(hours=hours)
                pending = open_event and not (stage == "assess" and statuses[n] != "detected")
                done = None if pending else due - timedelta(minutes=rng.random() * 60 * hours * 1.2 - 10)
                duty = stage == "assess"  # 研判 is the duty desk's; the other stages an office's
                yield {
                    "id": number,
                    "event_id": n + 1,
                    "stage": stage,
                    "level": levels[n],
                    "holder": "duty" if duty else "office",
                    "office_code": None if duty else rng.choice(OFFICES),
                    "starts_at": detected[n],
                    "due_at": due,
                    "done_at": done,
                }

    def mention_rows():
        for n in range(mentions):
            event_id = rng.randrange(events) + 1 if rng.random() < 0.8 else None
            seen = (
                detected[event_id - 1] + timedelta(minutes=rng.random() * 600)
                if event_id
                else now - timedelta(seconds=rng.random() * DAYS * 86400)
            )
            url = f"http://127.0.0.1:9/p/{n:08d}"  # in key order, so the unique index grows at its end
            yield {
                "id": n + 1,
                "source_id": rng.randrange(SOURCES) + 1,
                "url": url,
                "canonical_url": url,
                "content_hash": f"{n:016x}",
                "title": f"网帖{n}",
                "content": "正文" * 20,
                "published_at": seen,
                "first_seen_at": seen,
                "updated_at": seen,
                "relevant": rng.random() < 0.7,
                "topic": rng.choice(TOPICS),
                "urgency": rng.choice((1, 2, 3, 4, 4, 4)),
                "negativity": rng.random(),
                "village": rng.choice(VILLAGES),
                "event_id": event_id,
            }

    def audit_rows():
        number = 0
        for n in range(events):
            for action in ("detected", "route", "assess"):
                number += 1
                yield {
                    "id": number,
                    "at": detected[n],
                    "actor": "system",
                    "entity": "event",
                    "entity_id": str(n + 1),
                    "event_id": n + 1,
                    "action": action,
                }

    writer.write(Event, event_rows())
    writer.write(Deadline, deadline_rows())
    writer.write(Mention, mention_rows())
    writer.write(AuditLog, audit_rows())
    writer.finish(["events", "deadlines", "mentions", "audit_log"])
    with app.db.write() as session:
        session.add(User(username="duty", role="duty", password_hash=hash_password("bench-password")))
        session.add(
            User(username="office", role="office", office_code="msfw", password_hash=hash_password("bench-password"))
        )
    return {"seconds": time.perf_counter() - started}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_runs(function, runs: int, warmup: int = 3) -> tuple[float, float]:
    """Median and p95 of `runs` calls, in milliseconds, after a few warm-up calls."""
    for _ in range(warmup):
        function()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), percentile(spent, 0.95)


def scenarios() -> list[tuple[str, str, str, dict]]:
    """(name, user, callback output, inputs by "id.property")."""
    overview = {"tick.n_intervals": 1, "ov-levels.value": [1, 2, 3, 4], "ov-overdue.value": []}
    events = {"tick.n_intervals": 1, "ev-statuses.value": ["open"]}
    return [
        ("总览 值班员", "duty", "ov-counts.children", overview),
        ("总览 责任单位", "office", "ov-counts.children", overview),
        (
            "总览 只看超时 1-2级",
            "duty",
            "ov-counts.children",
            {**overview, "ov-levels.value": [1, 2], "ov-overdue.value": ["overdue"]},
        ),
        ("事件列表 未办结", "duty", "ev-grid.rowData", events),
        ("事件列表 全部(最新500)", "duty", "ev-grid.rowData", {"tick.n_intervals": 1}),
        ("事件列表 关键词", "duty", "ev-grid.rowData", {"tick.n_intervals": 1, "ev-text.value": "郭滩村"}),
        (
            "事件列表 来源+30天",
            "duty",
            "ev-grid.rowData",
            {"tick.n_intervals": 1, "ev-source.value": "src03", "ev-period.value": "30"},
        ),
        ("事件列表 责任单位", "office", "ev-grid.rowData", {"tick.n_intervals": 1}),
        ("待研判清单 值班员", "duty", "q-grid.rowData", {"tick.n_intervals": 1, "q-changed.data": 0}),
        ("提示(时限80%/超时) 值班员", "duty", "alert-banner.children", {"tick.n_intervals": 1}),
        ("提示(时限80%/超时) 责任单位", "office", "alert-banner.children", {"tick.n_intervals": 1}),
    ]


def callback_function(dash_app, output: str):
    """The Python function behind the callback whose output contains `output` (what Dash runs per request)."""
    for key, entry in dash_app.callback_map.items():
        if output in key:
            return entry["callback"].__wrapped__, entry
    raise KeyError(output)


def bench_backend(label: str, db_url: str, args, reuse: bool = False) -> list[tuple]:
    from flask_login import login_user

    from dashboard.app import create_app
    from dashboard.auth import DashboardUser

    folder = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
    app = open_app(make_settings(folder, db_url))
    if reuse:
        print(f"[{label}] 沿用已生成的数据 {db_url}", flush=True)
    else:
        print(f"[{label}] 生成 {args.mentions:,} 条信息、{args.events:,} 个事件 …", flush=True)
        made = generate(app, args.mentions, args.events)
        print(f"[{label}] 数据写入 {made['seconds']:.1f} 秒", flush=True)
    dash_app = create_app(app)
    server = dash_app.server
    results = []
    with app.db.read() as session:
        users = {u.username: DashboardUser(u) for u in session.scalars(sqlalchemy.select(User))}
    clients = {}
    for name in users:
        client = server.test_client()
        with client.session_transaction() as flask_session:
            flask_session.update({"_user_id": users[name].id, "_fresh": True, "login_at": time.time()})
        clients[name] = client
    deps = clients["duty"].get("/_dash-dependencies").get_json()
    for name, user, output, values in scenarios():
        function, _ = callback_function(dash_app, output)
        dep = next(d for d in deps if output in d["output"])
        args_in = [values.get(f"{i['id']}.{i['property']}") for i in dep["inputs"] + dep["state"]]

        def direct(user=user, function=function, args_in=args_in):
            with server.test_request_context("/_dash-update-component", method="POST"):
                login_user(users[user])
                function(*args_in)

        body = {
            "output": dep["output"],
            "outputs": [],
            "changedPropIds": [f"{dep['inputs'][0]['id']}.n_intervals"],
            "inputs": [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(dep["inputs"], args_in)],
            "state": [
                {"id": i["id"], "property": i["property"], "value": v}
                for i, v in zip(dep["state"], args_in[len(dep["inputs"]) :])
            ],
        }
        spec = dep["output"]
        parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
        body["outputs"] = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
        if not spec.startswith(".."):
            body["outputs"] = body["outputs"][0]

        def over_http(user=user, body=body):
            response = clients[user].post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
            assert response.status_code == 200, response.status_code

        results.append((label, name, *time_runs(direct, args.runs), *time_runs(over_http, args.runs)))
        print(
            f"[{label}] {name}: 函数 中位 {results[-1][2]:.0f} ms / p95 {results[-1][3]:.0f} ms;"
            f" HTTP 中位 {results[-1][4]:.0f} ms / p95 {results[-1][5]:.0f} ms",
            flush=True,
        )
    app.close()
    shutil.rmtree(folder, ignore_errors=True)
    return results


def fresh_postgres(admin_url: str) -> tuple[str, callable]:
    name = f"yuqing_bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - used, 0)
    return space + text if right else text + space


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite data set in DIR and reuse it on later runs")
    args = parser.parse_args(argv)
    results = []
    if args.db in ("sqlite", "both"):
        folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yuqing-bench-db-"))
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / f"complete-{args.mentions}-{args.events}"
        reuse = marker.exists()
        if not reuse:
            (folder / "bench.db").unlink(missing_ok=True)
        try:
            results += bench_backend("SQLite", f"sqlite:///{folder}/bench.db", args, reuse)
            marker.touch()
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    if args.db in ("postgresql", "both"):
        url, drop = fresh_postgres(args.pg_url)
        try:
            results += bench_backend("PostgreSQL", url, args)
        finally:
            drop()
    print(f"\n{args.mentions:,} 条信息 · {args.events:,} 个事件 · 每项 {args.runs} 次(目标 p95 < 300 ms)")
    print(
        _pad("数据库", 12)
        + _pad("回调(ms)", 24)
        + "".join(_pad(h, 10, right=True) for h in ("函数中位", "函数p95", "HTTP中位", "HTTP p95"))
    )
    for label, name, *figures in results:
        flag = "" if max(figures[1], figures[3]) < 300 else "  ← 超出目标"
        print(_pad(label, 12) + _pad(name, 24) + "".join(_pad(f"{v:.0f}", 10, right=True) for v in figures) + flag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
