"""One re-application of the schemes at a time, in the whole system: its run record is a row of job_runs (the table
the scheduler keeps its periodic jobs' runs in), claimed in a write transaction before it starts. The 监测方案 page
runs it in a background thread of the dashboard process (like retraining on the 模型 page) and shows the row's
progress and result; `yuqing scheme reapply` claims the same row and runs in the foreground.

A run that died with its process (killed, machine down) left its row unfinished: once it has reported nothing for
STALE it no longer counts as running, and a new run may start."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from yuqing.app import App
from yuqing.db.models import JobRun
from yuqing.timeutil import as_utc, format_local, utcnow

log = logging.getLogger("yuqing.schemes")
JOB = "监测方案重新应用"
STALE = timedelta(minutes=5)
PROGRESS_EVERY = 2.0  # seconds between two progress writes


class ReapplyBusy(Exception):
    """Another re-application is running (the message says whose, since when and how far it got)."""


@dataclass
class RunState:
    """The latest re-application as its run record tells it."""

    running: bool
    started_by: str | None
    started_at: datetime | None
    finished_at: datetime | None
    ok: bool | None
    progress: str

    def text(self) -> str:
        """The state in words, for the page."""
        if self.running:
            return f"正在后台重新应用({self.started_by},{format_local(self.started_at)} 开始):{self.progress}"
        if self.finished_at is None:
            return f"上次重新应用({self.started_by},{format_local(self.started_at)} 开始)未完成即中断,可重新开始"
        outcome = "完成" if self.ok else "失败"
        return f"上次重新应用({self.started_by},{format_local(self.finished_at)} {outcome}):{self.progress}"


def _running(row: JobRun, now: datetime) -> bool:
    if row.last_started_at is None or row.last_finished_at is not None:
        return False
    heard = as_utc(row.progress_at or row.last_started_at)
    return heard is not None and heard > now - STALE


def run_state(app: App, now: datetime | None = None) -> RunState | None:
    """The latest run (None: never run)."""
    with app.db.read() as session:
        row = session.get(JobRun, JOB)
        if row is None or row.last_started_at is None:
            return None
        return RunState(
            running=_running(row, as_utc(now) if now else utcnow()),
            started_by=row.started_by,
            started_at=row.last_started_at,
            finished_at=row.last_finished_at,
            ok=row.last_ok,
            progress=row.progress or "",
        )


def claim(app: App, actor: str, days: int, runner: str, now: datetime | None = None) -> None:
    """Mark a run as started by `actor`, or raise ReapplyBusy when one is running."""
    from yuqing.ingest import insert_ignoring_conflict

    now = as_utc(now) if now else utcnow()
    with app.db.write() as session:
        insert_ignoring_conflict(session, JobRun, {"name": JOB, "runs": 0}, "name")
        row = session.scalar(select(JobRun).where(JobRun.name == JOB).with_for_update())
        assert row is not None
        if _running(row, now):
            raise ReapplyBusy(
                f"已有一次重新应用正在进行({row.started_by},{format_local(row.last_started_at)} 开始;"
                f"{row.progress or ''}),请等它完成后再试"
            )
        row.last_started_at, row.last_finished_at, row.last_ok = now, None, None
        row.runner, row.started_by = runner, actor
        row.progress, row.progress_at = f"正在重新判断最近 {days} 天的信息……", now


def _note(app: App, text: str, *, finished: bool | None = None) -> None:
    now = utcnow()
    with app.db.write() as session:
        row = session.get(JobRun, JOB)
        if row is None:
            return
        row.progress, row.progress_at = text[:2000], now
        if finished is not None:
            row.last_finished_at, row.last_ok, row.runs = now, finished, (row.runs or 0) + 1


def progress_writer(app: App) -> Callable[[str], None]:
    """A progress callback for reapply_schemes that writes to the run record at most every PROGRESS_EVERY seconds."""
    last = [0.0]

    def note(text: str) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY:
            last[0] = time.monotonic()
            _note(app, text)

    return note


def run_claimed(app: App, days: int, actor: str):
    """Re-apply (the run already claimed) and record the outcome; returns the ReapplyResult or raises."""
    from yuqing.schemes.reapply import reapply_schemes

    try:
        result = reapply_schemes(app, days, actor, progress=progress_writer(app))
    except BaseException as exc:
        _note(app, f"出错:{type(exc).__name__}: {exc}" if isinstance(exc, Exception) else "已中断", finished=False)
        raise
    _note(app, result.text(), finished=True)
    return result


_threads: dict[str, threading.Thread] = {}


def start_reapply(app: App, days: int, actor: str) -> threading.Thread:
    """Claim the run and re-apply in a background thread (the 监测方案 page); raises ReapplyBusy."""
    from yuqing.cluster import node_name
    from yuqing.learning import process_key

    claim(app, actor, days, node_name("web"))

    def run() -> None:
        try:
            run_claimed(app, days, actor)
        except Exception:
            log.exception("重新应用监测方案出错")

    thread = threading.Thread(target=run, name="scheme-reapply", daemon=True)
    _threads[process_key(app.settings)] = thread
    thread.start()
    return thread


def wait_reapply(app: App, timeout: float | None = None) -> None:
    """Wait for this process's background run, if any (tests, an orderly stop)."""
    from yuqing.learning import process_key

    thread = _threads.get(process_key(app.settings))
    if thread is not None:
        thread.join(timeout)
