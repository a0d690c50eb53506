"""The history's posts: months of matters by the simulated sources (ordinary ones with a seasonal rhythm, bursts,
repeat complaints, emergencies), each at its own time and numbered per channel; deterministic for seed, days and end."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from yuqing.demo.corpus import NOISE_SPECS, Post, fill_times, ordinary_specs
from yuqing.demo.corpus.expand import expand, filler_post
from yuqing.demo.corpus.history_specs import (
    BURST_COMMENTS,
    EMERGENCIES,
    EMERGENCY_MONTHS,
    REPEAT,
    SEASON_MONTHS,
    SEASONAL,
)
from yuqing.demo.corpus.places import VILLAGES, nick
from yuqing.demo.sites import CHANNEL_SOURCE
from yuqing.demo.timeline import Entry

HIST_BASES = {"news": 90001, "weibo": 4871000001, "bbs": 50001, "board": 20001, "api": 700001}
CST = ZoneInfo("Asia/Shanghai")
QUIET_TAIL = timedelta(hours=3)  # no history post in the last hours: the live part brings the fresh ones
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


def local_time(day: date, hour: float) -> datetime:
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
            _place(rng, expand(s, rng), local_time(day, _hour(rng)), (20, 200), out)
        if rng.random() < 0.4:
            _place(rng, expand(rng.choice(NOISE_SPECS), rng), local_time(day, _hour(rng)), (20, 200), out)
        # the official account and the local news site publish (almost) every day
        for channel, share in (("weibo", 0.8), ("news", 0.6)):
            if rng.random() < share or day >= day_list[-3]:
                post = filler_post(specs, rng, len(out), channel)
                _place(
                    rng,
                    [post.with_(id=f"h{len(out)}", matter=f"h-daily-{len(out)}")],
                    local_time(day, rng.uniform(8, 18)),
                    (1, 1),
                    out,
                )
    # bursts: a matter many people share within two hours
    for _ in range(max(1, days // 15)):
        day = rng.choice(day_list)
        s = rng.choice([x for x in specs if x.level == 3])
        posts = expand(s, rng)
        t0 = local_time(day, rng.uniform(9, 20))
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
        t0 = local_time(day, rng.uniform(13, 17))
        for k, s in enumerate(rng.sample(rng.choice(pairs), 2)):
            _place(rng, expand(s, rng, 0, village)[:2], t0 + timedelta(minutes=40 * k), (20, 40), out)
    # the repeat complaint of one village, and the emergencies, at fixed shares of the span
    for share, s in zip((0.35, 0.55, 0.72), REPEAT):
        day = day_list[min(len(day_list) - 1, int(len(day_list) * share))]
        _place(rng, expand(s, rng, 0, "郭滩村"), local_time(day, rng.uniform(8, 20)), (30, 120), out)
    for s in EMERGENCIES:
        in_month = [d for d in day_list if d.month == EMERGENCY_MONTHS[s.key]]
        day = rng.choice(in_month or day_list[len(day_list) // 3 : len(day_list) // 3 + 1] or day_list)
        posts, t0 = expand(s, rng, 0, rng.choice(VILLAGES)), local_time(day, rng.uniform(6, 21))
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
