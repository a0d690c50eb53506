"""The demo's history: months of posts by the simulated sources, put through the real ingest, clustering,
routing and deadline code at their own times, with simulated officers acting through the real workflow functions,
the periodic jobs (deadline check, digests, bursts, effects, mail delivery, reports) run at historical times.

Nothing is written into the tables directly: every row comes from `ingest_item`, `yuqing.workflow.*`,
`yuqing.reports.jobs` and the other job functions, each given the simulated `now`.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import random
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from yuqing.app import App
from yuqing.db.models import OPEN_STATUSES, Breach, Deadline, Event, Mention, OutboxMessage, Report, Response
from yuqing.settings_model import Settings

from .corpus import NOISE_SPECS, Post, fill_times, ordinary_specs
from .corpus.expand import expand, filler_post
from .corpus.history_specs import (
    BURST_COMMENTS,
    EMERGENCIES,
    EMERGENCY_MONTHS,
    REPEAT,
    SEASON_MONTHS,
    SEASONAL,
)
from .corpus.places import VILLAGES, nick
from .sites import CHANNEL_SOURCE, demo_sources
from .timeline import Entry

log = logging.getLogger("yuqing.demo.history")

BASE_URL = "http://127.0.0.1:8901"  # the default sites address; the history's links use the demo's sites port
HIST_BASES = {"news": 90001, "weibo": 4871000001, "bbs": 50001, "board": 20001, "api": 700001}
CST = ZoneInfo("Asia/Shanghai")
DAILY_BRIEFS, WEEKLY_BRIEFS = 5, 3  # briefings of the last days and weeks (monthly reports: every month)
QUIET_TAIL = timedelta(hours=3)  # no history post in the last hours: the live part brings the fresh ones
# (username, role, office, display name): officers of the offices without a live demo account
HISTORY_USERS = [
    ("dangzheng", "office", "dzb", "镇党政办 刘洋"),
    ("jingji", "office", "jjfw", "经济发展综合服务中心 周涛"),
    ("nongke", "office", "nkzx", "农业科技推广服务中心 杨帆"),
    ("guotan", "office", "cwh-guotan", "郭滩村村委会 马永福"),
    ("jinsha", "office", "cwh-jinsha", "金沙村村委会 田秀英"),
]
OFFICE_ACTORS = {"msfw": "minsheng", "zzwb": "anquan", **{office: user for user, _, office, _ in HISTORY_USERS}}
# how often an office is late with a stage (its accountability figures differ because of this)
LATE_SHARE = {
    "dzb": 0.03,
    "zzwb": 0.04,
    "msfw": 0.07,
    "jjfw": 0.12,
    "nkzx": 0.22,
    "cwh-guotan": 0.45,
    "cwh-jinsha": 0.15,
}
DUTY_LATE = (0.02, 0.08)  # day shift, night (00:00-07:00)
PRESS_LATE = 0.6  # a press conference after a serious matter is the stage most often late
WEEKDAY_MATTERS = (7, 5, 5, 5, 4, 3, 2)  # Monday .. Sunday: ordinary matters a day
# topic weights by month (seasonal rhythm of ordinary matters)
SEASON_WEIGHTS = {
    9: {"education": 3.0, "employment": 1.5, "land": 1.5},
    10: {"transport": 2.0, "environment": 2.0, "land": 1.5, "commerce": 1.5},
    11: {"urban": 2.0, "housing": 2.0, "elderly": 1.5, "social_security": 1.5},
    12: {"urban": 2.0, "housing": 1.5, "social_security": 2.0, "elderly": 1.5},
    1: {"social_security": 2.0, "employment": 2.0, "commerce": 1.5},
}
NOISE_PREFIX = "noise:"
MAX_SPLITS = 12  # the duty officers split only so many of the events the clustering joined wrongly
FALSE_ALARM_REASONS = {
    "false_alarm": ("经核实,所述情况发生在外镇,与本镇无关", "经核实,信息与本镇政务无关,不属于舆情事件"),
    "no_action": ("属政策咨询,已在平台答复,无需处置", "群众已自行解决,经电话回访无需处置"),
}
RESPONSE_CHANNELS = ("镇长信箱答复", "电话回访", "政务微博“东园镇发布”", "村务公开栏")


@dataclass
class HistPost:
    """One post of the history: when it was published, seen, and (board) answered."""

    post: Post
    at: datetime
    event_at: datetime
    num: int = 0
    reply_at: datetime | None = None
    seen_lag: timedelta = timedelta(minutes=5)
    extra: str = ""  # a burst repost: the comment added when sharing

    @property
    def channel(self) -> str:
        return self.post.channel

    def entry(self) -> Entry:
        """The post as the sites serve it on its own page (`Timeline.add_archive`)."""
        post = self.post
        if self.extra:
            post = post.with_(title=f"转发:{post.title}", content=f"{self.extra}//{post.content[:120]}")
        origin = Entry(post, 0, self.event_at) if self.event_at != self.at else None
        return Entry(post, self.num, self.at, self.reply_at, origin)

    def item(self, kinds: dict[str, str], base_url: str, replied: bool = False) -> dict:
        source = CHANNEL_SOURCE[self.channel]
        title = fill_times(self.post.title, self.at, self.event_at)
        content = fill_times(self.post.content, self.at, self.event_at)
        if self.extra:
            title, content = f"转发:{title}", f"{self.extra}//{content[:120]}"
        item = {
            "source": source,
            "source_kind": kinds[source],
            "url": base_url + self.entry().path,
            "title": title,
            "content": content,
            "published_at": self.at,
            "reposts": self.post.reposts,
            "comments": self.post.comments,
            "author": self.post.author,
        }
        if self.channel == "board":
            item["board_status"] = "未回复"
            if replied and self.post.reply is not None and self.reply_at is not None:
                item.update(
                    board_status="已回复",
                    reply_text=fill_times(self.post.reply.text, self.reply_at, self.event_at),
                    reply_at=self.reply_at,
                    reply_office=self.post.reply.office,
                )
        return item


def issue(post: Post) -> str:
    """The matter a post was written for; the repeat complaints of one farm are one matter."""
    if not post.relevant:
        return NOISE_PREFIX + post.matter
    if post.matter.startswith("h-farm-smell"):
        return "h-farm-smell|" + post.topic
    return f"{post.matter}|{post.topic}"  # a post of another topic among a matter's is about something else


def history_end(now: datetime) -> datetime:
    """The history ends at the last local midnight (Beijing): one history a day can be cached."""
    local = now.astimezone(CST)
    return datetime(local.year, local.month, local.day, tzinfo=CST).astimezone(UTC)


def _local_time(day: date, hour: float) -> datetime:
    return (datetime(day.year, day.month, day.day, tzinfo=CST) + timedelta(hours=hour)).astimezone(UTC)


def _hour(rng: random.Random) -> float:
    """A time of day people post at: mostly 8-23h, a few at night."""
    if rng.random() < 0.08:
        return rng.uniform(0, 7)
    return rng.choice((rng.uniform(7.5, 12), rng.uniform(12, 18), rng.uniform(18, 23.5)))


def _weighted_spec(rng: random.Random, specs, month: int):
    weights = SEASON_WEIGHTS.get(month, {})
    return rng.choices(specs, weights=[weights.get(s.topic, 1.0) for s in specs])[0]


def _place(
    rng: random.Random, posts: list[Post], t0: datetime, scale: tuple[float, float], out: list[HistPost]
) -> None:
    """Put one matter's posts on the history, its lags stretched by ``scale`` (live seconds -> history seconds)."""
    factor = rng.uniform(*scale)
    placed = len(out)
    for p in posts:
        p = p.with_(matter=f"{p.matter}#{placed}")  # each placement is a matter of its own
        at = t0 + timedelta(seconds=p.lag * factor)
        hp = HistPost(p, at, t0, seen_lag=timedelta(minutes=rng.uniform(1, 25)))
        if p.reply is not None and (p.emergency or rng.random() < 0.85):
            hp.reply_at = at + timedelta(hours=rng.uniform(3, 60))
        out.append(hp)


def plan_posts(seed: int, days: int, end: datetime) -> list[HistPost]:
    """Every post of the history, oldest first, numbered per channel (deterministic for seed, days and end)."""
    rng = random.Random(f"history:{seed}:{days}")
    start = end - timedelta(days=days)
    out: list[HistPost] = []
    specs = ordinary_specs()
    first_day = start.astimezone(CST).date()
    day_list = [first_day + timedelta(days=i) for i in range(days)]
    for day in day_list:
        n = max(1, WEEKDAY_MATTERS[day.weekday()] + rng.randint(-2, 2))
        for _ in range(n):
            seasonal = [s for s in SEASONAL if day.month in SEASON_MONTHS[s.key]]
            s = rng.choice(seasonal) if seasonal and rng.random() < 0.18 else _weighted_spec(rng, specs, day.month)
            _place(rng, expand(s, rng), _local_time(day, _hour(rng)), (20, 200), out)
        if rng.random() < 0.4:
            _place(rng, expand(rng.choice(NOISE_SPECS), rng), _local_time(day, _hour(rng)), (20, 200), out)
        # the official account and the local news site publish (almost) every day
        for channel, share in (("weibo", 0.8), ("news", 0.6)):
            if rng.random() < share or day >= day_list[-3]:
                post = filler_post(specs, rng, len(out), channel)
                _place(
                    rng,
                    [post.with_(id=f"h{len(out)}", matter=f"h-daily-{len(out)}")],
                    _local_time(day, rng.uniform(8, 18)),
                    (1, 1),
                    out,
                )
    # bursts: a matter many people share within two hours
    for _ in range(max(1, days // 15)):
        day = rng.choice(day_list)
        s = rng.choice([x for x in specs if x.level == 3])
        posts = expand(s, rng)
        t0 = _local_time(day, rng.uniform(9, 20))
        placed = len(out)
        _place(rng, posts, t0, (20, 60), out)
        _shared(rng, posts[0], t0, rng.randint(8, 14), f"{posts[0].matter}#{placed}", out)
    # two different complaints of one topic from one village on one afternoon: the clustering may take them for
    # one matter, and the duty officer splits them
    by_topic: dict[str, list] = {}
    for x in specs:
        if x.drafts[0].channel in ("bbs", "api") and "{village}" in x.drafts[0].title + x.drafts[0].content:
            by_topic.setdefault(x.topic, []).append(x)
    pairs = [group for group in by_topic.values() if len(group) >= 2]
    for _ in range(max(1, days // 10) if pairs else 0):
        day, village = rng.choice(day_list), rng.choice(VILLAGES)
        t0 = _local_time(day, rng.uniform(13, 17))
        for k, s in enumerate(rng.sample(rng.choice(pairs), 2)):
            _place(rng, expand(s, rng, 0, village)[:2], t0 + timedelta(minutes=40 * k), (20, 40), out)
    # the repeat complaint of one village, and the emergencies, at fixed shares of the span
    for share, s in zip((0.35, 0.55, 0.72), REPEAT):
        day = day_list[min(len(day_list) - 1, int(len(day_list) * share))]
        _place(rng, expand(s, rng, 0, "郭滩村"), _local_time(day, rng.uniform(8, 20)), (30, 120), out)
    for s in EMERGENCIES:
        in_month = [d for d in day_list if d.month == EMERGENCY_MONTHS[s.key]]
        day = rng.choice(in_month or day_list[len(day_list) // 3 : len(day_list) // 3 + 1] or day_list)
        posts, t0 = expand(s, rng, 0, rng.choice(VILLAGES)), _local_time(day, rng.uniform(6, 21))
        _place(rng, posts, t0, (20, 40), out)
        if s.level <= 2:  # a serious incident is shared widely at once: its heat is what a leader notices
            _shared(rng, posts[0], t0, rng.randint(14, 22), posts[0].matter, out)
    out = [hp for hp in out if start <= hp.at < end - QUIET_TAIL]
    out.sort(key=lambda hp: hp.at)
    numbers = dict(HIST_BASES)
    for hp in out:
        hp.num = numbers[hp.channel]
        numbers[hp.channel] += 1
    return out


def _shared(rng: random.Random, first: Post, t0: datetime, count: int, matter: str, out: list[HistPost]) -> None:
    """`count` reposts of a post within two hours, each with the comment people add when sharing."""
    for k in range(count):
        src = first.with_(
            channel=rng.choice(("api", "bbs")),
            reposts=rng.randint(5, 60),
            author=nick(rng),
            role="repost",
            box=None,
            reply=None,
            matter=matter,
        )
        at = t0 + timedelta(minutes=rng.uniform(5, 120))
        out.append(HistPost(src, at, t0, seen_lag=timedelta(minutes=rng.uniform(1, 20)), extra=BURST_COMMENTS[k % 6]))


# ---- the simulation ---------------------------------------------------------------------------------


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


class _Sim:
    def __init__(self, app: App, seed: int, end: datetime, base_url: str = BASE_URL):
        self.app, self.settings = app, app.settings
        self.rng = random.Random(f"officers:{seed}")
        self.end = end
        self.base_url = base_url.rstrip("/")
        self.queue: list[tuple[datetime, int, str, Callable[[datetime], object]]] = []
        self.seq = itertools.count()
        self.known: set[int] = set()
        self.issue_of: dict[int, str] = {}  # mention id -> the matter (issue) its post was written for
        self.serious: dict[int, int] = {}  # mention id -> the level an emergency's post was written for
        self.stats = HistoryStats()
        self.next_check: datetime | None = None
        self.dirty = True
        self.timing: dict[str, float] = defaultdict(float)
        self.kinds = {source["name"]: source["kind"] for source in demo_sources(base_url)}

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
                self.at(_local_time(day, hour + 0.5), self._deliver)
            for hour in (1, 7, 13, 19):
                self.at(_local_time(day, hour), partial(evaluate_effects, self.app), "effects")
            for hour in range(0, 24, 6):
                self.at(_local_time(day, hour + 0.2), self._bursts)
            for slot in self.settings.alerts.digest_times:
                h, m = (int(x) for x in slot.split(":"))
                self.at(_local_time(day, h + (m + 1) / 60), partial(send_digests, self.app), "digests")
            for slot in self.settings.duty.shift_changes:
                h, m = (int(x) for x in slot.split(":"))
                self.at(_local_time(day, h + m / 60 - 0.1), self._handover)
            brief_at = _local_time(day, brief[0] + (brief[1] + 1) / 60)
            if (last - day).days <= DAILY_BRIEFS:
                self.at(brief_at, partial(daily_job, self.app), "reports")
            if day.isoweekday() == conf.weekly_brief_weekday and (last - day).days < 7 * WEEKLY_BRIEFS:
                self.at(brief_at + timedelta(minutes=1), partial(weekly_job, self.app), "reports")
            if day.day == conf.monthly_report_day:
                self.at(_local_time(day, monthly[0] + (monthly[1] + 3) / 60), partial(monthly_job, self.app), "reports")
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

    # ---- ingest and the officers ------------------------------------------------------------------------
    def ingest(self, hp: HistPost, now: datetime, *, replied: bool) -> None:
        from yuqing.ingest import ingest_item

        result = ingest_item(self.app, hp.item(self.kinds, self.base_url, replied), now=now)
        if result.mention_id is not None:
            self.issue_of.setdefault(result.mention_id, issue(hp.post))
            if hp.post.emergency:
                self.serious[result.mention_id] = hp.post.urgency
        self.dirty = True
        if result.event_id is not None and result.event_id not in self.known:
            self.known.add(result.event_id)
            self._detected(result.event_id, now)
        elif result.event_id is not None and hp.post.emergency and result.status == "new":
            delay = timedelta(minutes=self.rng.uniform(10, 40))
            self.at(now + delay, partial(self.reassess, result.event_id, hp.post.urgency), "assess")

    def reassess(self, event_id: int, level: int, now: datetime) -> None:
        """An emergency's post joined an event already assessed at a milder level: the duty officer re-assesses."""
        from yuqing.workflow.actions import assess_event

        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES or event.assessed_at is None:
                return
            if level >= event.urgency or event.office_code is None:
                return
            comment = "经核实已造成人员死亡,按重大突发事件处置" if level <= 2 else "经核实为突发事件,按较大事件处置"
            assess_event(
                session,
                self.settings,
                event.id,
                self._duty(now),
                event.topic,
                level,
                event.office_code,
                comment,
                now=now,
            )
            self.stats.actions["reassess"] += 1
            stages = [(row.stage, row.starts_at, row.due_at) for row in _open(session, event.id)]
            office = event.office_code
        self.dirty = True
        self._plan_responses(event_id, office, stages, now)

    def _duty(self, now: datetime) -> str:
        hour = now.astimezone(CST).hour
        return "zhiban" if 8 <= hour < 18 else "zhiban2"

    def _late(self, share: float, now: datetime) -> bool:
        return now < self.end - timedelta(hours=10) and self.rng.random() < share

    def _detected(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.deadlines import budgets

        with self.app.db.read() as session:
            event = session.get(Event, event_id)
            level = event.urgency if event is not None else 4
        budget = budgets(self.settings, level)["assess"]
        night = now.astimezone(CST).hour < 7
        factor = self.rng.uniform(1.1, 2.5) if self._late(DUTY_LATE[night], now) else self.rng.uniform(0.1, 0.85)
        self.at(now + budget * factor, partial(self.assess, event_id), "assess")

    def assess(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.actions import assess_event, mark_false_alarm, merge_into

        actor, settings, rng = self._duty(now), self.settings, self.rng
        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES or event.assessed_at is not None:
                return
            mentions = list(
                session.scalars(select(Mention.id).where(Mention.event_id == event.id).order_by(Mention.id))
            )
            issues = [self.issue_of.get(m, "") for m in mentions]
            # the same matter raised again while the first is still being handled: fold it into the first
            earlier = self._earlier_event(session, event, set(issues))
            if earlier is not None and rng.random() < 0.8:
                merge_into(session, settings, event.id, actor, earlier, "同一诉求重复反映,并入原事件办理", now=now)
                self.stats.actions["merge"] += 1
                self.dirty = True
                return
            if all(i.startswith(NOISE_PREFIX) for i in issues):
                reason = rng.choice(FALSE_ALARM_REASONS["false_alarm"])
                mark_false_alarm(session, settings, event.id, actor, reason, "false_alarm", now)
                self.stats.actions["false_alarm"] += 1
                self.dirty = True
                return
            if event.urgency == 4 and rng.random() < 0.08:
                reason = rng.choice(FALSE_ALARM_REASONS["no_action"])
                mark_false_alarm(session, settings, event.id, actor, reason, "no_action", now)
                self.stats.actions["no_action"] += 1
                self.dirty = True
                return
            self._split_strays(session, event, actor, now)
            office = event.office_code or next(o.code for o in settings.offices if o.lead)
            comment = ""
            if rng.random() < 0.05:
                others = [o.code for o in settings.offices if o.code != office]
                office = rng.choice(others)
                comment = "经核实属于该单位职责,改由其承办"
            level = event.urgency
            known = min((self.serious[m] for m in mentions if m in self.serious), default=4)
            if known < level:  # the officer knows of the deaths: a serious emergency, whatever the wording
                level = known
                comment = "经核实已造成人员死亡,按重大突发事件处置" if known <= 2 else "经核实为突发事件,按较大事件处置"
            elif level == 4 and rng.random() < 0.04:
                level, comment = 3, "涉及群众较多,上调为较大"
            assess_event(session, settings, event.id, actor, event.topic, level, office, comment, now=now)
            self.stats.actions["assess"] += 1
            stages = [(row.stage, row.starts_at, row.due_at) for row in _open(session, event.id)]
        self.dirty = True
        self._plan_responses(event_id, office, stages, now)

    def _plan_responses(self, event_id: int, office: str, stages: list, now: datetime) -> None:
        """When the office will answer each open stage (on time, or late as often as that office is)."""
        rng = self.rng
        for stage, starts, due in stages:
            if stage == "assess":
                continue
            late_share = PRESS_LATE if stage == "press" else LATE_SHARE.get(office, 0.1)
            factor = rng.uniform(1.05, 1.8) if self._late(late_share, now) else rng.uniform(0.15, 0.9)
            when = max(now + timedelta(minutes=10), starts + (due - starts) * factor)
            self.at(when, partial(self.respond, event_id, stage), "respond")

    def _split_strays(self, session, event: Event, actor: str, now: datetime) -> None:
        """Posts about another matter that the clustering put into this event: split them off (拆分)."""
        from yuqing.workflow.split import split_event

        mentions = list(session.scalars(select(Mention.id).where(Mention.event_id == event.id).order_by(Mention.id)))
        issues = [self.issue_of.get(m, "") for m in mentions]
        counts = Counter(issues)
        if len(counts) < 2 or self.stats.actions["split"] >= MAX_SPLITS:
            return
        stray = min(counts, key=lambda key: (counts[key], key))
        chosen = [m for m, i in zip(mentions, issues) if i == stray]
        new = split_event(session, self.settings, event.id, actor, chosen, "该帖反映的是另一项诉求,单独办理", now)
        self.stats.actions["split"] += 1
        self._detected_later(new.id, now)

    def _earlier_event(self, session, event: Event, issues: set[str]) -> int | None:
        """An open event detected before this one about one of the same matters, if any."""
        if not issues - {""}:
            return None
        candidates = session.execute(
            select(Event.id, Mention.id)
            .join(Mention, Mention.event_id == Event.id)
            .where(
                Event.id != event.id,
                Event.status.in_(OPEN_STATUSES),
                Event.detected_at < event.detected_at,
                Event.detected_at >= event.detected_at - timedelta(days=30),
            )
            .order_by(Event.detected_at)
        )
        for event_id, mention_id in candidates:
            if self.issue_of.get(mention_id) in issues:
                return event_id
        return None

    def _detected_later(self, event_id: int, now: datetime) -> None:
        self.known.add(event_id)
        self._detected(event_id, now)

    def respond(self, event_id: int, stage: str, now: datetime) -> None:
        from yuqing.workflow.actions import confirm_response, record_response, reject_response

        rng, settings = self.rng, self.settings
        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status not in OPEN_STATUSES:
                return
            if not any(row.stage == stage for row in _open(session, event.id)):
                return
            actor = OFFICE_ACTORS.get(event.office_code or "", "dangzheng")
            self._split_strays(session, event, self._duty(now), now)  # noticed while answering
            proposed = session.scalar(
                select(Response.id).where(
                    Response.event_id == event.id, Response.status == "proposed", Response.stage == stage
                )
            )
            if proposed is not None and rng.random() < 0.9:
                confirm_response(session, settings, event.id, actor, proposed, "核实为本单位发布的回应", now=now)
                self.stats.actions["confirm"] += 1
            else:
                if proposed is not None:
                    reject_response(
                        session, settings, event.id, actor, proposed, "该内容未回应群众诉求,不予认定", now=now
                    )
                    self.stats.actions["reject"] += 1
                channel, content = _response_text(stage, event.title, rng)
                published = now - timedelta(minutes=rng.uniform(0, 20))
                record_response(session, settings, event.id, actor, stage, channel, None, content, published, now=now)
                self.stats.actions["respond"] += 1
            status = event.status
        self.dirty = True
        if status == "responded":
            self.at(now + timedelta(hours=rng.uniform(4, 96)), partial(self.close, event_id), "close")

    def close(self, event_id: int, now: datetime) -> None:
        from yuqing.workflow.actions import close_event

        with self.app.db.write() as session:
            event = session.get(Event, event_id)
            if event is None or event.status != "responded" or _open(session, event.id):
                return
            actor = OFFICE_ACTORS.get(event.office_code or "", "dangzheng")
            close_event(session, self.settings, event.id, actor, "群众诉求已答复,事项办结", now=now)
            self.stats.actions["close"] += 1
        self.dirty = True


def _open(session, event_id: int) -> list[Deadline]:
    from yuqing.workflow.deadlines import open_deadlines

    return open_deadlines(session, event_id)


def _response_text(stage: str, title: str, rng: random.Random) -> tuple[str, str]:
    short = title[:30]
    if stage == "publish":
        return (
            "政务微博“东园镇发布”",
            f"发布情况通报:关于“{short}”,镇政府已启动应急预案,现场处置有序进行,后续情况将及时发布。",
        )
    if stage == "press":
        return "新闻发布会", f"召开新闻发布会,通报“{short}”的基本情况、救援和善后进展及下一步整改措施,并回答记者提问。"
    channel = rng.choice(RESPONSE_CHANNELS)
    return channel, f"针对群众反映的“{short}”,承办单位已实地核实并答复群众,说明了处理措施和办理时限。"


def simulate(app: App, posts: list[HistPost], seed: int, end: datetime, base_url: str = BASE_URL) -> HistoryStats:
    """Play the history's posts (`plan_posts`), and the officers, up to `end` into the app's (empty) database;
    returns what it produced."""
    from yuqing.mail.transports import EmlFolder

    started = time.monotonic()
    sim = _Sim(app, seed, end, base_url)
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


# ---- cache --------------------------------------------------------------------------------------------

CACHED = ("yuqing.db", "reports", "outbox-history")


def code_version() -> str:
    """A digest of the code and lexicons that shape the history (any change makes a new history)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder in ("yuqing", "pipeline"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".txt", ".toml", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(settings_digest: str, data_dir: Path, days: int, seed: int, end: datetime) -> str:
    parts = [code_version(), settings_digest, str(data_dir.resolve()), str(days), str(seed), end.isoformat()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def restore(cache_dir: Path, data_dir: Path) -> bool:
    """Copy a cached history into the (fresh) demo folder; False if there is none."""
    if not (cache_dir / "complete").exists():
        return False
    for name in CACHED:
        source = cache_dir / name
        if source.is_dir():
            shutil.copytree(source, data_dir / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, data_dir / name)
    return True


def store(cache_dir: Path, data_dir: Path, keep: int = 3) -> None:
    """Save the history just made (database, report files, history mails); keep the newest few caches."""
    tmp = cache_dir.with_name(cache_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in CACHED:
        source = data_dir / name
        if source.is_dir():
            shutil.copytree(source, tmp / name)
        elif source.exists():
            shutil.copy2(source, tmp / name)
    (tmp / "complete").write_text("ok\n", encoding="utf-8")
    shutil.rmtree(cache_dir, ignore_errors=True)
    tmp.rename(cache_dir)
    others = sorted(
        (p for p in cache_dir.parent.iterdir() if p.is_dir() and p != cache_dir and not p.name.endswith(".tmp")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[keep - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def settings_digest(settings: Settings) -> str:
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()[:16]
