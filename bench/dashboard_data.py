"""The data set of the dashboard benchmark (bench/dashboard.py): settings with offices and sources, and mentions,
events, deadlines, audit rows and users written in bulk (executemany on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy

from yuqing.app import App
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
