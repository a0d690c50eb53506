"""The history's simulation: the posts (`plan_posts`) put through the real ingest, clustering, routing and deadline
code at their own times, the officers (`Officers`) acting, the periodic jobs (deadline check, digests, bursts,
effects, mail delivery, reports) run at historical times."""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select

from yuqing.app import App
from yuqing.db.models import Breach, Deadline, Event, Mention, OutboxMessage, Report
from yuqing.demo.history.officers import Officers
from yuqing.demo.history.plan import CST, HistPost, local_time
from yuqing.demo.sites import demo_sources

log = logging.getLogger("yuqing.demo.history")


BASE_URL = "http://127.0.0.1:8901"  # the default sites address; the history's links use the demo's sites port
DAILY_BRIEFS, WEEKLY_BRIEFS = 5, 3  # briefings of the last days and weeks (monthly reports: every month)


@dataclass
class HistoryStats:
    """What a history run produced (also read back from a cached database by `count_history`)."""

    posts: int = 0
    mentions: int = 0
    events: int = 0
    breaches: int = 0
    reports: int = 0
    actions: Counter = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0
    cached: bool = False

    def line(self) -> str:
        how = "缓存" if self.cached else "生成"
        return (
            f"历史数据({how},{self.seconds:.1f} 秒):信息 {self.mentions} 条,事件 {self.events} 个,"
            f"超时 {self.breaches} 次,报告 {self.reports} 份"
        )


class Simulation:
    """The history's clock: every post's ingest, the officers' actions and the periodic jobs, in time order;
    deadline checks exactly when something falls due."""

    def __init__(self, app: App, seed: int, end: datetime, base_url: str = BASE_URL):
        self.app, self.settings = app, app.settings
        self.rng = random.Random(f"officers:{seed}")
        self.end = end
        self.base_url = base_url.rstrip("/")
        self.queue: list[tuple[datetime, int, str, Callable[[datetime], object]]] = []
        self.seq = itertools.count()
        self.stats = HistoryStats()
        self.next_check: datetime | None = None
        self.dirty = True
        self.timing: dict[str, float] = defaultdict(float)
        self.kinds = {source["name"]: source["kind"] for source in demo_sources(base_url)}
        self.officers = Officers(self)

    def at(self, when: datetime, job: Callable[[datetime], object], name: str = "") -> None:
        """Run `job(when)` at `when` (simulated); nothing at or after the end of the history."""
        if when < self.end:
            heapq.heappush(self.queue, (when, next(self.seq), name or getattr(job, "__name__", "job"), job))

    # ---- deadline checks exactly when something is due (what the 10-second job would have found) -----
    def _next_due(self) -> datetime | None:
        shares = self.settings.deadlines.warn_shares
        with self.app.db.read() as session:
            rows = session.execute(
                select(
                    Deadline.starts_at,
                    Deadline.due_at,
                    Deadline.breached_at,
                    Deadline.next_escalation_at,
                    Deadline.warned_shares,
                ).where(Deadline.done_at.is_(None), Deadline.superseded_at.is_(None))
            ).all()
        times = []
        for starts, due, breached, escalate, warned in rows:
            if breached is None:
                times.append(due)
                times += [starts + (due - starts) * s for s in shares if s not in (warned or [])]
            if escalate is not None:
                times.append(escalate)
        return min(times) + timedelta(seconds=30) if times else None

    def checks_until(self, t: datetime) -> None:
        from yuqing.workflow.jobs import check_deadlines

        while True:
            if self.dirty:
                self.next_check, self.dirty = self._next_due(), False
            if self.next_check is None or self.next_check > t:
                return
            check_deadlines(self.app, now=self.next_check)
            self.dirty = True

    # ---- the loop --------------------------------------------------------------------------------------
    def run(self, posts: list[HistPost], start: datetime) -> HistoryStats:
        for hp in posts:
            self.at(hp.at + hp.seen_lag, partial(self.ingest, hp, replied=False), "ingest")
            if hp.reply_at is not None:
                seen = hp.reply_at + timedelta(minutes=self.rng.uniform(2, 30))
                self.at(seen, partial(self.ingest, hp, replied=True), "ingest")
        self._periodic(start)
        while self.queue:
            when, _, name, job = heapq.heappop(self.queue)
            t0 = time.perf_counter()
            self.checks_until(when)
            t1 = time.perf_counter()
            self.timing["check"] += t1 - t0
            try:
                job(when)
                self.timing[name] += time.perf_counter() - t1
            except Exception as exc:  # a simulated officer's mistake must not stop the demo
                from yuqing.workflow.actions import WorkflowError
                from yuqing.workflow.shifts import ShiftError

                if not isinstance(exc, (WorkflowError, ShiftError)):
                    raise
                self.stats.errors += 1
                log.debug("历史模拟:%s", exc)
        self.checks_until(self.end)
        self._deliver(self.end)
        self.stats.posts = len(posts)
        return self.stats

    def _periodic(self, start: datetime) -> None:
        from yuqing.mail.digest import send_digests
        from yuqing.reports.jobs import daily_job, monthly_job, weekly_job
        from yuqing.workflow.jobs import evaluate_effects

        conf = self.settings.scheduler
        brief = tuple(int(x) for x in conf.daily_brief_time.split(":"))
        monthly = tuple(int(x) for x in conf.monthly_report_time.split(":"))
        first, last = start.astimezone(CST).date(), self.end.astimezone(CST).date()
        day = first
        while day <= last:
            for hour in range(0, 24, 6):
                self.at(local_time(day, hour + 0.5), self._deliver)
            for hour in (1, 7, 13, 19):
                self.at(local_time(day, hour), partial(evaluate_effects, self.app), "effects")
            for hour in range(0, 24, 6):
                self.at(local_time(day, hour + 0.2), self._bursts)
            for slot in self.settings.alerts.digest_times:
                h, m = (int(x) for x in slot.split(":"))
                self.at(local_time(day, h + (m + 1) / 60), partial(send_digests, self.app), "digests")
            for slot in self.settings.duty.shift_changes:
                h, m = (int(x) for x in slot.split(":"))
                self.at(local_time(day, h + m / 60 - 0.1), self._handover)
            brief_at = local_time(day, brief[0] + (brief[1] + 1) / 60)
            if (last - day).days <= DAILY_BRIEFS:
                self.at(brief_at, partial(daily_job, self.app), "reports")
            if day.isoweekday() == conf.weekly_brief_weekday and (last - day).days < 7 * WEEKLY_BRIEFS:
                self.at(brief_at + timedelta(minutes=1), partial(weekly_job, self.app), "reports")
            if day.day == conf.monthly_report_day:
                self.at(local_time(day, monthly[0] + (monthly[1] + 3) / 60), partial(monthly_job, self.app), "reports")
            day += timedelta(days=1)

    def _deliver(self, now: datetime) -> None:
        deliver_all(self.app, now)

    def _bursts(self, now: datetime) -> None:
        from yuqing.bursts_job import detect_bursts

        if detect_bursts(self.app, now):
            self.dirty = True

    def _handover(self, now: datetime) -> None:
        from yuqing.workflow.shifts import acknowledge, current_shift, hand_over

        day = current_shift(self.settings, now).start.astimezone(CST).hour < 12
        outgoing, incoming = ("zhiban", "zhiban2") if day else ("zhiban2", "zhiban")
        with self.app.db.write() as session:
            row = hand_over(
                session, self.settings, outgoing, self.rng.choice(("", "请关注待研判事件的研判时限。")), now
            )
            handover_id = row.id
        with self.app.db.write() as session:
            acknowledge(session, handover_id, incoming, now + timedelta(minutes=self.rng.uniform(3, 15)))

    # ---- ingest (the officers take it from there) ------------------------------------------------------------------------
    def ingest(self, hp: HistPost, now: datetime, *, replied: bool) -> None:
        from yuqing.ingest import ingest_item

        result = ingest_item(self.app, hp.item(self.kinds, self.base_url, replied), now=now)
        self.dirty = True
        self.officers.seen(result, hp.post, now)


def simulate(app: App, posts: list[HistPost], seed: int, end: datetime, base_url: str = BASE_URL) -> HistoryStats:
    """Play the history's posts (`plan_posts`), and the officers, up to `end` into the app's (empty) database;
    returns what it produced."""
    from yuqing.mail.transports import EmlFolder

    started = time.monotonic()
    sim = Simulation(app, seed, end, base_url)
    EmlFolder.durable = False
    try:
        first = posts[0].at if posts else end
        stats = sim.run(posts, first)
    finally:
        EmlFolder.durable = True
    log.info("历史模拟耗时(秒):%s", {k: round(v, 2) for k, v in sorted(sim.timing.items(), key=lambda x: -x[1])})
    stats = count_history(app, stats)
    stats.seconds = time.monotonic() - started
    return stats


def count_history(app: App, stats: HistoryStats | None = None) -> HistoryStats:
    """The figures of a history database (events, breaches, reports, mentions)."""
    stats = stats or HistoryStats()
    with app.db.read() as session:
        stats.mentions = session.scalar(select(func.count(Mention.id))) or 0
        stats.events = session.scalar(select(func.count(Event.id)).where(Event.status != "merged")) or 0
        stats.breaches = session.scalar(select(func.count(Breach.id))) or 0
        stats.reports = session.scalar(select(func.count(Report.id))) or 0
    return stats


def deliver_all(app: App, now: datetime) -> None:
    """Deliver what is due at `now` (the history's mails go to its own folder, outbox-history)."""
    from yuqing.mail.delivery import deliver_due

    for _ in range(50):
        report = deliver_due(app, now=now)
        if not (report.sent or report.failed):
            return


def pending_mail(app: App) -> int:
    with app.db.read() as session:
        return session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")) or 0
