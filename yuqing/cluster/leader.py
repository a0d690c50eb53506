"""`yuqing scheduler`: exactly one leader acts. Every scheduler process tries a PostgreSQL session advisory lock on
its own connection; the one holding it queues due crawl batches through Celery and runs the periodic jobs, the
others wait as standbys. When the leader dies its connection closes and PostgreSQL frees the lock (a dead machine:
TCP keepalives, about 15 s); a standby takes it on its next try (every STANDBY_POLL seconds).

Periodic jobs keep run records (table job_runs): a job is due when its next_due_at has come and next_due_at moves on
only after the job finished. A restart or failover therefore neither skips a job (a leader killed mid-job leaves it
due) nor doubles it (a finished job is recorded before anyone looks again); a job whose period was missed while no
leader ran runs once (coalesced)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update

from yuqing.app import App
from yuqing.cluster import broker_where, node_name, schedule
from yuqing.cluster.nodes import Heartbeat
from yuqing.db.models import ClusterNode, JobRun
from yuqing.timeutil import utcnow

log = logging.getLogger("yuqing.cluster.leader")
LEADER_LOCK_KEY = 0x7975716E67_6C6472  # "yuqing:ldr"
STANDBY_POLL = 2.0  # seconds between a standby's tries of the lock
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


class LeaderLock:
    """The session advisory lock on a connection of its own (autocommit, TCP keepalives)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.engine = create_engine(url, poolclass=NullPool, connect_args={**KEEPALIVE, "connect_timeout": 5})
        self.conn: Any = None

    def try_acquire(self) -> bool:
        try:
            if self.conn is None:
                self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = bool(self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar())
        except Exception as exc:  # noqa: BLE001 - database away: not leader; tried again
            log.warning("无法检查调度领导权(数据库不可用):%s", exc)
            self.drop()
            return False
        return got

    def still_held(self) -> bool:
        """Whether the lock's connection is alive (the lock lives as long as it does)."""
        if self.conn is None:
            return False
        try:
            held = self.conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted")
            ).scalar()
            return bool(held)
        except Exception:  # noqa: BLE001
            self.drop()
            return False

    def drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock_all()"))
            except Exception:  # noqa: BLE001
                pass
        self.drop()
        self.engine.dispose()


def _guard(name: str, job: Callable[..., object]) -> Callable[[App], bool]:
    def run(app: App) -> bool:
        from yuqing.storage_alarm import report_storage_failure

        try:
            job(app)
            return True
        except Exception as exc:
            log.exception("定时任务“%s”出错", name)
            report_storage_failure(app.settings, exc, f"定时任务“{name}”")
            return False

    return run


def periodic_jobs(app: App) -> list[tuple[str, Callable[[App], bool], Any]]:
    """(name, job, APScheduler trigger) of every periodic job (the same list as yuqing.service.schedule_jobs)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from yuqing.service import job_table

    zone = app.settings.general.timezone
    out = []
    for name, job, kind, options in job_table(app):
        trigger = (
            IntervalTrigger(timezone=zone, **options) if kind == "interval" else CronTrigger(timezone=zone, **options)
        )
        out.append((name, _guard(name, job), trigger))
    return out


def next_time(trigger: Any, kind_interval: bool, now: datetime) -> datetime:
    """The trigger's next fire time after now (an interval job: one interval from now)."""
    if kind_interval:
        return now + trigger.interval
    fire = trigger.get_next_fire_time(None, now)
    return fire if fire > now else trigger.get_next_fire_time(fire, now + timedelta(seconds=1))


class SchedulerRole:
    """Waits for leadership, then every tick queues due crawl batches; periodic jobs run on a thread of their own
    so that a long report never delays crawling."""

    def __init__(self, app: App):
        from yuqing.cluster import tasks

        self.app = app
        self.node = node_name("scheduler")
        self.lock = LeaderLock(app.settings.database.url)
        self.celery = tasks.configure(app.settings)
        self.heartbeat = Heartbeat(app, "scheduler", self.node)
        self.stopping = threading.Event()
        self.jobs = periodic_jobs(app)
        self.jobs_thread: threading.Thread | None = None
        self.broker_ok = True
        self.published = 0

    # ---- crawl batches ----
    def enqueue_due(self) -> int:
        """Lease the due sources and publish their batches; a batch the broker refuses is released (due again)."""
        from yuqing.cluster.tasks import crawl_batch

        published = 0
        for token, sources in schedule.lease_due(self.app, limit=schedule.capacity(self.app)):
            try:
                crawl_batch.apply_async(args=[sources, token], retry=True, retry_policy={"max_retries": 2})
            except Exception as exc:  # noqa: BLE001 - broker away: nothing is lost, the sources stay due
                schedule.release(self.app, token)
                if self.broker_ok:
                    log.error("无法把采集批次送入消息队列 %s:%s;稍后重试", broker_where(self.app.settings), exc)
                self.broker_ok = False
                break
            if not self.broker_ok:
                log.info("消息队列已恢复")
            self.broker_ok = True
            published += 1
        self.published += published
        return published

    # ---- periodic jobs ----
    def run_due_jobs(self) -> int:
        """Run every periodic job whose time has come (one at a time, in order); returns how many ran."""
        from yuqing.ingest import insert_ignoring_conflict

        ran = 0
        for name, job, trigger in self.jobs:
            if self.stopping.is_set() or not self.leading:
                break
            interval = hasattr(trigger, "interval")
            now = utcnow()
            with self.app.db.write() as session:
                first = now if interval else next_time(trigger, False, now)
                insert_ignoring_conflict(session, JobRun, {"name": name, "next_due_at": first, "runs": 0}, "name")
                row = session.scalar(select(JobRun).where(JobRun.name == name).with_for_update(skip_locked=True))
                if row is None or (row.next_due_at is not None and row.next_due_at > now):
                    continue
                row.last_started_at, row.runner = now, self.node
            self.heartbeat.add(running=1)
            try:
                ok = job(self.app)
            finally:
                self.heartbeat.add(running=-1)
            done = utcnow()
            with self.app.db.write() as session:
                row = session.get(JobRun, name)
                if row is not None:
                    row.last_finished_at, row.last_ok = done, ok
                    row.runs = (row.runs or 0) + 1
                    row.next_due_at = next_time(trigger, interval, done)
            ran += 1
        return ran

    def _jobs_loop(self) -> None:
        while not self.stopping.is_set() and self.leading:
            try:
                self.run_due_jobs()
            except Exception:
                log.exception("定时任务调度出错")
            self.stopping.wait(1.0)

    # ---- the loop ----
    @property
    def leading(self) -> bool:
        return self.heartbeat.leader

    def _become_leader(self) -> None:
        log.warning("本节点 %s 成为调度主节点", self.node)
        with self.app.db.write() as session:  # whoever led before is dead or cut off: it leads no more
            session.execute(
                update(ClusterNode)
                .where(ClusterNode.leader.is_(True), ClusterNode.node != self.node)
                .values(leader=False)
            )
        self.heartbeat.leader = True
        self.heartbeat.beat()
        schedule.sync_sources(self.app)
        self.jobs_thread = threading.Thread(target=self._jobs_loop, name="periodic-jobs", daemon=True)
        self.jobs_thread.start()

    def _lose_leadership(self) -> None:
        log.error("调度主节点 %s 与数据库的连接中断,停止调度,等待重新获得领导权", self.node)
        self.heartbeat.leader = False
        if self.jobs_thread is not None:
            self.jobs_thread.join(60)
            self.jobs_thread = None

    def run(self, duration: float = 0) -> None:
        """Until SIGTERM / Ctrl-C (or `duration` seconds): standby until the lock is ours, then lead."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        self.heartbeat.beat()
        self.heartbeat.start()
        tick = self.app.settings.cluster.tick_seconds
        deadline = time.monotonic() + duration if duration else None
        log.info("调度节点 %s 已启动,等待领导权", self.node)
        try:
            while not self.stopping.is_set() and (deadline is None or time.monotonic() < deadline):
                if not self.leading:
                    if self.lock.try_acquire():
                        self._become_leader()
                    else:
                        self.stopping.wait(STANDBY_POLL)
                        continue
                if not self.lock.still_held():
                    self._lose_leadership()
                    continue
                try:
                    self.enqueue_due()
                except Exception:
                    log.exception("安排采集批次时出错")
                self.stopping.wait(tick)
        finally:
            self.stopping.set()
            if self.jobs_thread is not None:
                self.jobs_thread.join(30)
            self.heartbeat.leader = False
            self.heartbeat.stop()
            self.lock.release()
            log.info("调度节点 %s 已停止", self.node)
