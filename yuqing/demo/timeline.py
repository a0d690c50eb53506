"""The demo timeline: when each post (and each board reply) becomes visible, with an injectable clock."""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .corpus import Corpus, Post, build_corpus, fill_times

Clock = Callable[[], datetime]
UTC = UTC
ID_BASES = {"news": 2001, "weibo": 4872000001, "bbs": 1001, "board": 401, "api": 880001}
EMERGENCY_SLOTS = (2, 9, 16, 23, 30)  # positions of the emergencies among live matters


def system_clock() -> datetime:
    return datetime.now(UTC)


class FakeClock:
    """A clock for tests: call it for the time, ``advance(seconds)`` to move it."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass(eq=False)
class Entry:
    """A post placed on the timeline: its channel id, publication time and (for board posts) reply time."""

    post: Post
    num: int
    at: datetime
    reply_at: datetime | None = None
    origin: Entry | None = field(default=None, repr=False)  # the matter's first entry (event time)

    @property
    def channel(self) -> str:
        return self.post.channel

    @property
    def path(self) -> str:
        return {
            "news": f"/news/article/{self.num}.html",
            "weibo": f"/weibo/status/{self.num}",
            "bbs": f"/bbs/thread-{self.num}-1-1.html",
            "board": f"/board/msg/{self.num}",
            "api": f"/city/post/{self.num}.html",
        }[self.channel]

    @property
    def event_at(self) -> datetime:
        return (self.origin or self).at

    @property
    def title(self) -> str:
        return fill_times(self.post.title, self.at, self.event_at)

    @property
    def content(self) -> str:
        return fill_times(self.post.content, self.at, self.event_at)

    def replied(self, now: datetime) -> bool:
        return self.reply_at is not None and self.reply_at <= now

    @property
    def reply_text(self) -> str | None:
        if self.post.reply is None or self.reply_at is None:
            return None
        return fill_times(self.post.reply.text, self.reply_at, self.event_at)

    def changed_at(self, now: datetime) -> datetime:
        """When this entry last changed as seen at ``now`` (publication or reply)."""
        return self.reply_at if self.replied(now) else self.at


class Timeline:
    """Backlog posts (already published before start) plus live posts released every few seconds.

    Live times scale with ``speed`` (2.0 = twice as fast); after the authored posts, endless filler posts
    keep coming unless ``filler=False``.
    """

    def __init__(
        self,
        corpus: Corpus | None = None,
        *,
        seed: int = 2026,
        speed: float = 1.0,
        start_time: datetime | None = None,
        clock: Clock | None = None,
        backlog_share: float = 0.4,
        filler: bool = True,
        matter_gap: tuple[float, float] = (6.0, 14.0),
        filler_gap: tuple[float, float] = (4.0, 10.0),
        reply_delay: tuple[float, float] = (20.0, 150.0),
        unreplied_share: float = 0.2,
    ):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.corpus = corpus or build_corpus(seed)
        self.clock: Clock = clock or system_clock
        self.start = (start_time or self.clock()).astimezone(UTC)
        self.speed = speed
        self._rng = random.Random(seed + 1)
        self._filler_rng = random.Random(seed + 2)
        self._filler_on, self._filler_gap, self._reply_delay = filler, filler_gap, reply_delay
        self._unreplied = unreplied_share
        self._lock = threading.RLock()
        self._entries: list[Entry] = []
        self._by_id: dict[tuple[str, int], Entry] = {}
        self._next_num = dict(ID_BASES)
        self._n_filler = 0
        self._archive: dict[tuple[str, int], Entry] = {}
        self._schedule(backlog_share, matter_gap)

    # ---- building ----------------------------------------------------------------------------------
    def live(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds / self.speed)

    def _schedule(self, backlog_share: float, matter_gap: tuple[float, float]) -> None:
        rng = self._rng
        matters = list(self.corpus.matters().values())
        urgent = [m for m in matters if m[0].emergency]
        others = [m for m in matters if not m[0].emergency]
        rng.shuffle(others)
        n_back = round(len(others) * backlog_share)
        backlog, live = others[:n_back], others[n_back:]
        for pos, m in zip(EMERGENCY_SLOTS, urgent):
            live.insert(min(pos, len(live)), m)
        placed: list[Entry] = []
        for posts in backlog:
            t0 = -rng.uniform(15 * 60, 72 * 3600)
            scale = rng.uniform(60, 240)
            for p in posts:
                at = self.start + timedelta(seconds=min(t0 + p.lag * scale, -60.0))
                placed.append(self._entry(p, at, backlog=True))
        t = 3.0
        for posts in live:
            for p in posts:
                placed.append(self._entry(p, self.live(t + p.lag)))
            t += rng.uniform(*matter_gap)
        self._filler_t = t
        placed.sort(key=lambda e: e.at)
        origins: dict[str, Entry] = {}
        for e in placed:
            e.origin = origins.setdefault(e.post.matter, e)
            self._add(e)

    def _entry(self, p: Post, at: datetime, backlog: bool = False) -> Entry:
        rng = self._rng
        reply_at = None
        if p.reply is not None and (p.emergency or rng.random() >= self._unreplied):
            if backlog:
                reply_at = at + timedelta(hours=rng.uniform(2, 40))
                if reply_at > self.start:
                    reply_at = self.live(rng.uniform(10, 120))
            else:
                reply_at = at + timedelta(seconds=rng.uniform(*self._reply_delay) / self.speed)
        return Entry(p, 0, at, reply_at)

    def _add(self, e: Entry) -> None:
        e.num = self._next_num[e.channel]
        self._next_num[e.channel] += 1
        self._by_id[(e.channel, e.num)] = e
        bisect.insort(self._entries, e, key=lambda x: x.at)

    def _new_filler(self, at: datetime, channel: str | None = None) -> Entry:
        self._n_filler += 1
        rng = self._filler_rng
        post = self.corpus.filler(self._n_filler, rng, channel)
        e = Entry(post, 0, at)
        if post.reply is not None and rng.random() >= self._unreplied:
            e.reply_at = at + timedelta(seconds=rng.uniform(*self._reply_delay) / self.speed)
        self._add(e)
        return e

    def _ensure(self, until: datetime) -> None:
        """Generate the endless filler entries up to ``until``."""
        while self._filler_on and self.live(self._filler_t) <= until:
            self._new_filler(self.live(self._filler_t))
            self._filler_t += self._filler_rng.uniform(*self._filler_gap)

    # ---- queries -----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def published(self, channel: str | None = None, now: datetime | None = None) -> list[Entry]:
        """Entries visible at ``now`` (default: the clock), oldest first."""
        now = now or self.now()
        with self._lock:
            self._ensure(now)
            end = bisect.bisect_right(self._entries, now, key=lambda x: x.at)
            visible = self._entries[:end]
        return [e for e in visible if channel is None or e.channel == channel]

    def newest(self, channel: str, now: datetime | None = None) -> list[Entry]:
        return self.published(channel, now)[::-1]

    def get(self, channel: str, num: int, now: datetime | None = None) -> Entry | None:
        """A visible entry by its channel id; None if unknown or not yet published."""
        now = now or self.now()
        with self._lock:
            self._ensure(now)
            e = self._by_id.get((channel, num)) or self._archive.get((channel, num))
        return e if e is not None and e.at <= now else None

    def add_archive(self, entries: list[Entry]) -> None:
        """Older posts (the demo's history) served on their own pages but in no list or feed."""
        with self._lock:
            self._archive.update({(e.channel, e.num): e for e in entries})

    def scheduled(self) -> list[Entry]:
        """Every entry generated so far, including future ones (authored posts are all generated at start)."""
        with self._lock:
            return list(self._entries)

    def last_change(self, channel: str, now: datetime | None = None) -> datetime:
        now = now or self.now()
        changes = [e.changed_at(now) for e in self.published(channel, now)]
        return max(changes, default=self.start)

    # ---- test controls -----------------------------------------------------------------------------
    def publish_now(self, n: int = 1, channel: str | None = None) -> list[Entry]:
        """Release the next ``n`` scheduled posts (of ``channel``) at the current clock time; when fewer are
        scheduled, new filler posts are made up on the spot."""
        now = self.now()
        with self._lock:
            self._ensure(now)
            pending = [e for e in self._entries if e.at > now and (channel is None or e.channel == channel)]
            chosen = pending[:n]
            for e in chosen:
                if e.reply_at is not None:
                    e.reply_at = now + (e.reply_at - e.at)
                e.at = now
            chosen += [self._new_filler(now, channel) for _ in range(n - len(chosen))]
            self._entries.sort(key=lambda x: x.at)
        return chosen

    def reply_now(self, n: int = 1) -> list[Entry]:
        """Make the next ``n`` pending board replies of already published messages visible now."""
        now = self.now()
        with self._lock:
            pending = sorted(
                (e for e in self.published("board", now) if e.reply_at and e.reply_at > now), key=lambda x: x.reply_at
            )
            for e in pending[:n]:
                e.reply_at = now
        return pending[:n]
