"""The crawler's one database thread, shared fairly: every source has its own short queue, served in turn.

One thread keeps ingest and bookkeeping serialised (two items of one event never race). With a single FIFO, a
source that yields thousands of items would queue them all ahead of every other source's work, hold their
memory, and make shutdown wait for all of them. Here:
- sources take turns (round robin), so a quiet source waits for at most one job of each busy one;
- a source may have at most `depth` items waiting; the next item's pipeline step waits for room, which holds
  back that source's spider (back-pressure) and nobody else;
- `drain()` (the process is stopping) refuses new items and drops the waiting ones, `stop()` drops everything
  still waiting and returns within seconds. A dropped item was not stored, so the next poll fetches it again.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

log = logging.getLogger("yuqing.crawl")
QUEUE_DEPTH = 8  # items one source may have waiting for the database
JOIN_TIMEOUT = 5.0  # seconds stop() waits for the job in progress


class Stopping(Exception):
    """The crawler is shutting down: the job was not run (an item is fetched again at the next poll)."""


@dataclass
class _Job:
    key: str
    function: Callable[..., Any]
    args: tuple
    kwargs: dict
    deferred: defer.Deferred
    item: bool


class FairDbQueue:
    """Runs functions on one thread, taking turns between keys (source names); call its methods on the reactor."""

    def __init__(self, reactor, depth: int = QUEUE_DEPTH, name: str = "yuqing-crawl-db"):
        self.reactor = reactor
        self.depth = depth
        self._ready = threading.Condition()
        self._jobs: dict[str, deque[_Job]] = {}  # key → jobs waiting (guarded by _ready)
        self._turns: deque[str] = deque()  # keys with jobs waiting, in serving order (guarded by _ready)
        self._items: dict[str, int] = {}  # key → items queued or running (reactor thread only)
        self._room: dict[str, deque[defer.Deferred]] = {}  # key → items waiting for room (reactor thread only)
        self._draining = False
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    # ---- reactor thread -------------------------------------------------------------------------------------
    def submit(self, key: str, function: Callable[..., Any], *args: Any, item: bool = False, **kwargs: Any):
        """A Deferred firing with function(*args, **kwargs) run on the database thread.

        `item` jobs (ingest) count against the key's depth and wait for room; other jobs (bookkeeping) never wait
        for room, they only take their turn."""
        if self._stopped or (item and self._draining):
            return defer.fail(Stopping())
        if item and self._items.get(key, 0) >= self.depth:
            room: defer.Deferred = defer.Deferred()
            self._room.setdefault(key, deque()).append(room)
            return room.addCallback(lambda _: self.submit(key, function, *args, item=True, **kwargs))
        job = _Job(key, function, args, kwargs, defer.Deferred(), item)
        if item:
            self._items[key] = self._items.get(key, 0) + 1
            job.deferred.addBoth(self._item_done, key)
        with self._ready:
            queue = self._jobs.get(key)
            if not queue:
                queue = self._jobs[key] = deque()
                self._turns.append(key)
            queue.append(job)
            self._ready.notify()
        return job.deferred

    def _item_done(self, result: Any, key: str) -> Any:
        left = self._items.get(key, 1) - 1
        if left:
            self._items[key] = left
        else:
            self._items.pop(key, None)
        waiting = self._room.get(key)
        if waiting:
            room = waiting.popleft()
            if not waiting:
                del self._room[key]
            room.callback(None)
        return result

    def waiting(self) -> int:
        """Jobs queued and not yet started (for figures and tests)."""
        with self._ready:
            return sum(len(queue) for queue in self._jobs.values())

    def drain(self) -> None:
        """Refuse new items and drop those waiting; bookkeeping (the runs' records) still goes through."""
        self._draining = True
        self._drop(lambda job: job.item)

    def stop(self) -> None:
        """Drop everything still waiting and let the thread end after the job in progress (at most JOIN_TIMEOUT)."""
        self._stopped = True
        self._drop(lambda job: True)
        with self._ready:
            self._ready.notify_all()
        self._thread.join(JOIN_TIMEOUT)
        if self._thread.is_alive():
            log.warning("数据库线程 %.0f 秒内未结束当前任务,不再等待", JOIN_TIMEOUT)

    def _drop(self, which: Callable[[_Job], bool]) -> None:
        dropped: list[_Job] = []
        with self._ready:
            for key in list(self._jobs):
                kept = deque(job for job in self._jobs[key] if not which(job))
                dropped += [job for job in self._jobs[key] if which(job)]
                self._jobs[key] = kept
            self._turns = deque(key for key in self._turns if self._jobs.get(key))
            self._jobs = {key: queue for key, queue in self._jobs.items() if queue}
        rooms = [room for key in list(self._room) for room in self._room.pop(key)]
        for job in dropped:
            job.deferred.errback(Stopping())
        for room in rooms:
            room.errback(Stopping())
        if dropped:
            log.info("程序退出:%d 条尚未入库的信息留待下次采集", sum(job.item for job in dropped))

    # ---- database thread ------------------------------------------------------------------------------------
    def _next(self) -> _Job | None:
        with self._ready:
            while not self._turns and not self._stopped:
                self._ready.wait()
            if self._stopped:
                return None
            key = self._turns.popleft()
            queue = self._jobs[key]
            job = queue.popleft()
            if queue:
                self._turns.append(key)  # its next job waits until every other source has had a turn
            else:
                del self._jobs[key]
            return job

    def _serve(self) -> None:
        while (job := self._next()) is not None:
            try:
                result: Any = job.function(*job.args, **job.kwargs)
            except BaseException:  # noqa: BLE001 - handed to the caller's errback, as deferToThread does
                result = Failure()
            self.reactor.callFromThread(_fire, job.deferred, result)


def _fire(deferred: defer.Deferred, result: Any) -> None:
    if deferred.called:
        return  # dropped by stop() while it ran
    if isinstance(result, Failure):
        deferred.errback(result)
    else:
        deferred.callback(result)
