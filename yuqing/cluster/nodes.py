"""Heartbeats of the role processes (table cluster_nodes) and the cluster's state as `yuqing status` and the 来源
page show it: workers seen and their load, the leader, the crawl queue's depth."""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from yuqing.app import App
from yuqing.db.models import ClusterNode, SourceSchedule
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow

log = logging.getLogger("yuqing.cluster")
ALIVE_BEATS = 3  # a node not heard from in this many heartbeats is shown as lost


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Heartbeat(threading.Thread):
    """Writes this process's row in cluster_nodes every heartbeat_seconds: alive, leader or not, load, CPU."""

    def __init__(self, app: App, role: str, node: str):
        super().__init__(name=f"heartbeat-{role}", daemon=True)
        self.app, self.role, self.node = app, role, node
        self.running = 0
        self.done = 0
        self.leader = False
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def add(self, running: int = 0, done: int = 0) -> None:
        with self.lock:
            self.running += running
            self.done += done

    def beat(self, stopped: bool = False) -> None:
        from yuqing.ingest import insert_ignoring_conflict

        now = utcnow()
        with self.lock:
            values = {
                "last_seen_at": now,
                "leader": self.leader and not stopped,
                "running": self.running,
                "done": self.done,
                "cpu_seconds": cpu_seconds(),
                "stopped": stopped,
            }
        with self.app.db.write() as session:
            changed = session.execute(update(ClusterNode).where(ClusterNode.node == self.node).values(**values))
            if not getattr(changed, "rowcount", 0):
                insert_ignoring_conflict(
                    session,
                    ClusterNode,
                    {
                        "node": self.node,
                        "role": self.role,
                        "host": socket.gethostname(),
                        "pid": os.getpid(),
                        "started_at": now,
                        **values,
                    },
                    "node",
                )

    def run(self) -> None:
        interval = self.app.settings.cluster.heartbeat_seconds
        while not self.stopping.wait(interval):
            try:
                self.beat()
            except Exception:
                log.warning("节点 %s 心跳写入失败,稍后重试", self.node, exc_info=True)

    def stop(self) -> None:
        """Last beat: the node is marked stopped (a clean exit, not a lost node)."""
        self.stopping.set()
        try:
            self.beat(stopped=True)
        except Exception:
            log.warning("节点 %s 退出记录写入失败", self.node, exc_info=True)


@dataclass
class NodeView:
    node: str
    role: str
    host: str
    alive: bool
    leader: bool
    running: int
    done: int
    cpu_seconds: float
    started_at: datetime
    last_seen_at: datetime
    stopped: bool


@dataclass
class ClusterView:
    nodes: list[NodeView] = field(default_factory=list)
    queue_depth: int | None = None  # messages waiting in the broker (None: broker not reachable)
    queue_error: str = ""
    due: int = 0  # sources due and not yet queued
    leased: int = 0  # sources queued or being crawled
    overdue: int = 0  # sources due for more than one lease

    @property
    def leader(self) -> NodeView | None:
        leaders = [n for n in self.nodes if n.leader and n.alive]
        return max(leaders, key=lambda n: n.last_seen_at) if leaders else None

    def alive(self, role: str) -> list[NodeView]:
        return [n for n in self.nodes if n.role == role and n.alive]


def queue_depth(settings: Settings, timeout: float = 3.0) -> tuple[int | None, str]:
    """Messages waiting in the crawl queue, asked of the broker; (None, Chinese reason) when it cannot be asked."""
    from kombu import Connection

    from yuqing.cluster import broker_where

    try:
        with Connection(settings.cluster.broker_url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            channel = conn.channel()
            try:
                declared = channel.queue_declare(queue=settings.cluster.queue, passive=True)
                return int(declared.message_count), ""
            finally:
                channel.close()
    except Exception as exc:  # noqa: BLE001 - an unknown queue is an empty one; anything else is a reason shown
        if "NOT_FOUND" in str(exc) or "no queue" in str(exc).lower():
            return 0, ""
        return None, f"无法连接消息队列 {broker_where(settings)}:{exc}"


def cluster_view(app: App, now: datetime | None = None, *, with_queue: bool = True) -> ClusterView:
    """Nodes seen in the last day, with who is alive and who leads; schedule figures; the broker's queue depth."""
    now = now or utcnow()
    beat = timedelta(seconds=app.settings.cluster.heartbeat_seconds * ALIVE_BEATS)
    lease = timedelta(seconds=app.settings.cluster.lease_seconds)
    view = ClusterView()
    with app.db.read() as session:
        rows = session.scalars(
            select(ClusterNode)
            .where(ClusterNode.last_seen_at >= now - timedelta(days=1))
            .order_by(ClusterNode.role, ClusterNode.node)
        ).all()
        for row in rows:
            alive = not row.stopped and row.last_seen_at >= now - beat
            view.nodes.append(
                NodeView(
                    node=row.node,
                    role=row.role,
                    host=row.host,
                    alive=alive,
                    leader=row.leader and alive,
                    running=row.running,
                    done=row.done,
                    cpu_seconds=row.cpu_seconds,
                    started_at=row.started_at,
                    last_seen_at=row.last_seen_at,
                    stopped=row.stopped,
                )
            )
        free = (SourceSchedule.leased_until.is_(None)) | (SourceSchedule.leased_until < now)
        view.due = (
            session.scalar(
                select(func.count()).select_from(SourceSchedule).where(SourceSchedule.next_due_at <= now, free)
            )
            or 0
        )
        view.leased = (
            session.scalar(select(func.count()).select_from(SourceSchedule).where(SourceSchedule.leased_until >= now))
            or 0
        )
        view.overdue = (
            session.scalar(
                select(func.count()).select_from(SourceSchedule).where(SourceSchedule.next_due_at < now - lease)
            )
            or 0
        )
    if with_queue:
        view.queue_depth, view.queue_error = queue_depth(app.settings)
    return view


_depth_cache: dict[str, tuple[float, int | None, str]] = {}
DEPTH_CACHE_SECONDS = 15.0


def cluster_summary(app: App, now: datetime | None = None) -> str:
    """One line for the 来源 page: workers and their load, the leader, the queue (its depth cached a few seconds,
    so that a broker that does not answer slows the page once, not every refresh)."""
    import time

    view = cluster_view(app, now, with_queue=False)
    key = app.settings.cluster.broker_url
    cached = _depth_cache.get(key)
    if cached is None or time.monotonic() - cached[0] > DEPTH_CACHE_SECONDS:
        depth, problem = queue_depth(app.settings, timeout=2.0)
        cached = (time.monotonic(), depth, problem)
        _depth_cache[key] = cached
    _, depth, problem = cached
    workers = view.alive("worker")
    running = sum(w.running for w in workers)
    leader = view.leader
    parts = [
        f"采集节点 {len(workers)} 个(正在采集 {running} 批"
        + ("" if not workers else ";" + "、".join(f"{w.host}:{w.running}" for w in workers))
        + ")",
        f"调度主节点:{leader.node if leader else '无'}",
        f"采集队列:{depth} 批待处理" if depth is not None else f"采集队列:{problem}",
        f"到期待排队来源 {view.due} 个,超期 {view.overdue} 个",
    ]
    lost = [n.node for n in view.nodes if not n.alive and not n.stopped]
    if lost:
        parts.append(f"失联节点:{'、'.join(lost)}")
    return ";".join(parts)
