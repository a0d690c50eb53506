"""The scale-out roles as real processes on PostgreSQL and RabbitMQ: two schedulers (leader and standby), two
workers, two mailers, loopback RSS sources (some slow, so that a batch is caught in progress) and an SMTP sink.
The leader and a worker mid-batch are SIGKILLed; then every published item is stored once, every alert is
delivered once, the standby has taken over within 30 s, and every source was polled within interval + lease."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, text

from crawlers.urls import canonical_url
from yuqing.app import open_app
from yuqing.cluster.nodes import ALIVE_BEATS, cluster_summary
from yuqing.config import load_settings
from yuqing.db.models import ClusterNode, CrawlRun, JobRun, Mention, OutboxMessage, Source, SourceSchedule
from yuqing.demo import cluster as harness
from yuqing.demo.many import start_many_sites
from yuqing.mail.sink import SmtpSink

pytestmark = pytest.mark.postgres

INTERVAL = 8  # seconds between polls of a source
LEASE = 20  # seconds a batch may take before its sources are queued again
SLOW = 2.5  # seconds a slow feed takes to answer


class SlowFeeds(ThreadingHTTPServer):
    """RSS feeds on 127.0.0.9 that take SLOW seconds to answer, two fixed items each."""

    daemon_threads = True

    def __init__(self, count: int):
        super().__init__(("127.0.0.9", 0), _SlowHandler)
        self.count = count
        self.base = f"http://127.0.0.9:{self.server_address[1]}"
        self.in_flight = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def item_urls(self) -> list[str]:
        return [f"{self.base}/slow/{i}/item/{k}.html" for i in range(self.count) for k in (1, 2)]

    def sources(self) -> list[dict]:
        return [
            {"name": f"slow-{i}", "kind": "rss", "url": f"{self.base}/slow/{i}/rss.xml", "interval": INTERVAL}
            for i in range(self.count)
        ]

    def handle_error(self, request, client_address) -> None:
        """A worker killed mid-download hangs up: expected."""


class _SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self):
        server: SlowFeeds = self.server
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif self.path.endswith("rss.xml"):
            with server.lock:
                server.in_flight += 1
            try:
                time.sleep(SLOW)
            finally:
                with server.lock:
                    server.in_flight -= 1
            i = self.path.split("/")[2]
            items = "".join(
                f"<item><title>东园镇慢速源{i}第{k}条:沙坡头路段积水</title><link>{server.base}/slow/{i}/item/{k}.html</link>"
                f"<pubDate>Wed, 02 Dec 2026 08:00:0{k} +0800</pubDate>"
                f"<description>东园镇慢速源{i}的第{k}条信息,沙坡头路段积水严重,群众出行不便。</description></item>"
                for k in (1, 2)
            )
            body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>慢速源{i}</title>{items}</channel></rss>'.encode()
            kind = "application/rss+xml; charset=utf-8"
        else:
            body, kind = "<html><body><p>东园镇慢速源信息正文。</p></body></html>".encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _wait(condition, timeout: float, what: str, step: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"等待超时:{what}")


@pytest.fixture
def pg_cluster(tmp_path, postgres_available):
    if not postgres_available:
        pytest.skip("PostgreSQL 127.0.0.1:5432 不可用")
    url = harness.create_database()
    sites = start_many_sites(24, hosts=4, mean_gap=20, backlog=1)
    slow = SlowFeeds(4)
    sink = SmtpSink().start()
    config = harness.write_config(
        tmp_path,
        url,
        sites.sources(interval=INTERVAL) + slow.sources(),
        smtp_port=sink.port,
        cluster={"lease_seconds": LEASE, "batch_size": 4, "worker_batches": 3},
    )
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n[alerts]\nimmediate_levels = [1, 2, 3, 4]\n[scheduler]\ndeadline_check_seconds = 5\n")
    app = open_app(load_settings(config))  # migrated once, before the roles start
    cluster = harness.Cluster(config, Path(tmp_path))
    try:
        yield app, cluster, sites, slow, sink
    finally:
        cluster.stop()
        app.close()
        sites.stop()
        slow.shutdown()
        sink.stop()
        harness.drop_database(url)


def _leader(app) -> str | None:
    with app.db.read() as session:
        return session.scalar(
            select(ClusterNode.node).where(ClusterNode.leader.is_(True), ClusterNode.stopped.is_(False))
        )


def _node_of(role: harness.Role, kind: str) -> str:
    import socket

    return f"{kind}@{socket.gethostname()}:{role.proc.pid}"


def test_scheduler_worker_mailer_survive_sigkill(pg_cluster):
    app, cluster, sites, slow, sink = pg_cluster
    started = datetime.now(UTC)
    leader = cluster.start("scheduler")
    _wait(lambda: _leader(app) == _node_of(leader, "scheduler"), 40, "第一个调度节点成为主节点")
    standby = cluster.start("scheduler")
    workers = [cluster.start("worker"), cluster.start("worker")]
    cluster.start("mailer")
    cluster.start("mailer")
    victim = _node_of(workers[0], "worker")

    # Both workers crawl; then catch the first one in the middle of a batch (a slow feed being fetched).
    def mid_batch() -> list[str]:
        with app.db.read() as session:
            return list(
                session.scalars(
                    select(SourceSchedule.source).where(
                        SourceSchedule.worker == victim,
                        SourceSchedule.lease_token.is_not(None),
                        SourceSchedule.started_at >= SourceSchedule.queued_at,
                        SourceSchedule.source.like("slow-%"),
                    )
                )
            )

    _wait(lambda: _polled_by(app, _node_of(workers[1], "worker")), 60, "第二个采集节点开始采集")

    def all_polled() -> bool:
        with app.db.read() as session:
            return not session.scalar(select(SourceSchedule.source).where(SourceSchedule.polls == 0).limit(1))

    _wait(all_polled, 60, "每个来源都已采集过一次(首次采集积压信息)")
    steady = datetime.now(UTC)
    orphaned = _wait(lambda: mid_batch() if slow.in_flight else [], 90, "第一个采集节点正在采集慢速源", step=0.05)
    cluster.kill(workers[0])
    cluster.kill(leader)
    killed_at = datetime.now(UTC)
    killed_mono = time.monotonic()
    _wait(lambda: _leader(app) == _node_of(standby, "scheduler"), 30, "待命调度节点在 30 秒内接替")
    failover = time.monotonic() - killed_mono
    assert failover <= 30

    # `yuqing status` and the 来源 page see the new leader, the surviving worker and the queue; the killed
    # worker is shown as lost once it has missed ALIVE_BEATS heartbeats (the failover itself can be quicker).
    def status_seen() -> dict:
        status = subprocess.run(
            harness_command(cluster, "status", "--json"), capture_output=True, text=True, timeout=60, check=False
        )
        assert status.returncode == 0, status.stderr
        return json.loads(status.stdout)

    def victim_lost() -> dict | None:
        seen = status_seen()
        return None if victim in {n["node"] for n in seen["nodes"] if n["alive"]} else seen

    beats = app.settings.cluster.heartbeat_seconds * ALIVE_BEATS
    seen = _wait(victim_lost, beats + 15, "被杀采集节点在 yuqing status 中显示为失联")
    assert seen["leader"] == _node_of(standby, "scheduler") and isinstance(seen["queue_depth"], int)
    alive = {n["node"] for n in seen["nodes"] if n["alive"]}
    assert _node_of(workers[1], "worker") in alive and victim not in alive
    summary = cluster_summary(app)
    assert "采集节点 1 个" in summary and "调度主节点:" + _node_of(standby, "scheduler") in summary, summary

    # The orphaned sources are polled again (the batch came back from the broker, or its lease ran out).
    def repolled() -> bool:
        with app.db.read() as session:
            rows = session.scalars(select(SourceSchedule).where(SourceSchedule.source.in_(orphaned))).all()
            return all(r.done_at is not None and r.done_at > killed_at for r in rows)

    try:
        _wait(repolled, LEASE + INTERVAL + 30, "被杀采集节点手中的来源被重新采集")
    except AssertionError:
        with app.db.read() as session:
            rows = session.scalars(select(SourceSchedule).where(SourceSchedule.source.in_(orphaned))).all()
            state = [(r.source, r.worker, r.lease_token, r.leased_until, r.started_at, r.done_at) for r in rows]
        raise AssertionError(f"{killed_at}: {state}; {[(r.name, r.proc.poll()) for r in cluster.roles]}") from None
    time.sleep(INTERVAL + 2)  # one more full round with the survivors
    ended = datetime.now(UTC)
    for role in cluster.alive():  # crawling stops; the mailers then send what is left in the outbox
        if "mailer" not in role.name:
            role.proc.terminate()
    for role in cluster.roles:
        if "mailer" not in role.name:
            role.proc.wait(30)

    def outbox_drained() -> bool:
        with app.db.read() as session:
            return not session.scalar(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= datetime.now(UTC)
                )
                .limit(1)
            )

    _wait(outbox_drained, 30, "发信节点发完发件队列")
    cluster.stop()
    codes = {r.name: r.proc.returncode for r in cluster.roles}
    assert codes == {"scheduler1": -9, "scheduler2": 0, "worker1": -9, "worker2": 0, "mailer1": 0, "mailer2": 0}, codes

    settled = ended - timedelta(seconds=INTERVAL + LEASE)
    with app.db.read() as session:
        stored = Counter(session.scalars(select(Mention.canonical_url)))
        # every item published before the last interval + lease is stored, and once
        expected = [canonical_url(i.url) for i in sites.published(settled)] + slow.item_urls()
        missing = [u for u in expected if u not in stored]
        if missing:
            failed = session.execute(
                select(Source.name, CrawlRun.ok, CrawlRun.fetched, CrawlRun.new, CrawlRun.message)
                .join(CrawlRun, CrawlRun.source_id == Source.id)
                .where(Source.name == "bench-0000")
            ).all()
            raise AssertionError(f"{len(missing)}/{len(expected)} 未入库,如 {missing[:3]};bench-0000 的采集:{failed}")
        assert all(n == 1 for n in stored.values())
        hashes = Counter(session.scalars(select(Mention.content_hash)))
        assert max(hashes.values()) == 1, hashes.most_common(2)

        # every source polled within interval + lease (tick and batching allowed for), across both kills
        runs: dict[str, list[datetime]] = defaultdict(list)
        for name, at in session.execute(
            select(Source.name, CrawlRun.started_at).join(CrawlRun, CrawlRun.source_id == Source.id)
        ):
            runs[name].append(at)
        names = [s.name for s in app.settings.sources]
        assert set(runs) == set(names)
        limit = INTERVAL + LEASE + 5  # + the leader's tick and a worker picking the batch up
        for name in names:  # from the steady state on (after each source's first poll of its backlog)
            times = [steady] + sorted(t for t in runs[name] if t >= steady) + [ended]
            gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
            assert max(gaps) <= limit, (name, max(gaps))

        # every alert delivered once: all sent, each Message-ID received once
        alerts = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
        assert any(a.kind == "alert" for a in alerts)
        sent = [a for a in alerts if a.status == "sent"]
        unsent = [(a.id, a.kind, a.status) for a in alerts if a.status not in ("sent", "superseded")]
        assert not unsent, unsent
        received = Counter(sink.message_ids())
        assert all(received[a.message_id] == 1 for a in sent), received.most_common(3)
        assert len(received) == len(sent)

        # the standby went on with the periodic jobs
        checks = session.get(JobRun, "时限检查")
        assert checks is not None and checks.runner == _node_of(standby, "scheduler") and checks.last_ok
        assert checks.last_started_at > killed_at
        rows = session.execute(text("SELECT count(*) FROM source_schedule WHERE polls > 0")).scalar()
        assert rows == len(names)
    print(f"接替用时 {failover:.1f} 秒;{len(stored)} 条信息;{len(sent)} 封提醒;开始于 {started:%H:%M:%S}")


def harness_command(cluster: harness.Cluster, *args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from yuqing.cli import main; sys.exit(main())",
        "--config",
        str(cluster.config),
        *args,
    ]


def _polled_by(app, node: str) -> bool:
    with app.db.read() as session:
        return bool(session.scalar(select(SourceSchedule.source).where(SourceSchedule.worker == node).limit(1)))
