"""`yuqing mailer` and `yuqing web`: the alert sender and the dashboard as processes of their own. Several mailers
may run: each outbox row is claimed by one (FOR UPDATE SKIP LOCKED, yuqing.mail.delivery.claim), so each alert is
sent once."""

from __future__ import annotations

import logging
import signal
import threading
import time

from yuqing.app import App
from yuqing.cluster import node_name
from yuqing.cluster.nodes import Heartbeat

log = logging.getLogger("yuqing.cluster")
RANK_EVERY = 60  # seconds between two looks for a newer topic model to rank the 分类复核 queue with (`yuqing web`)


def _stop_event() -> threading.Event:
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    return stopping


def run_mailer(app: App, duration: float = 0) -> None:
    """Deliver the outbox every mail_poll_seconds until SIGTERM / Ctrl-C (or `duration` seconds)."""
    from yuqing.mail.delivery import deliver_due
    from yuqing.storage_alarm import report_storage_failure

    stopping = _stop_event()
    heartbeat = Heartbeat(app, "mailer", node_name("mailer"))
    heartbeat.beat()
    heartbeat.start()
    deadline = time.monotonic() + duration if duration else None
    log.info("发信节点 %s 已启动", heartbeat.node)
    try:
        while not stopping.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                report = deliver_due(app)
                heartbeat.add(done=report.sent)
            except Exception as exc:
                log.exception("发送提醒时出错,稍后重试")
                report_storage_failure(app.settings, exc, "提醒投递(发信节点)")
            stopping.wait(app.settings.cluster.mail_poll_seconds)
    finally:
        heartbeat.stop()


def run_web(app: App, port: int | None = None) -> str:
    """Serve the dashboard until SIGTERM / Ctrl-C."""
    from yuqing.service import DashboardServer

    stopping = _stop_event()
    server = DashboardServer(app, port)
    heartbeat = Heartbeat(app, "web", node_name("web"))
    heartbeat.beat()
    heartbeat.start()
    server.start()
    threading.Thread(target=_keep_review_queue_ranked, args=(app, stopping), name="review-ranker", daemon=True).start()
    print(f"看板地址:{server.url}  (Ctrl-C 停止)", flush=True)
    try:
        # Woken each second: the kernel may hand SIGTERM to a server thread, and the handler only runs once the
        # main thread wakes (an untimed wait could sleep through it for ever).
        while not stopping.wait(1):
            pass
    finally:
        server.stop()
        heartbeat.stop()
    return server.url


def _keep_review_queue_ranked(app: App, stopping: threading.Event) -> None:
    """Rank the 分类复核 queue whenever a newer topic model appears (trained by the scheduler's process), so that no
    page load waits for it."""
    from yuqing.review_queue import warm

    while True:
        try:
            warm(app)
        except Exception:  # best effort: the page ranks the queue itself when opened
            log.exception("分类复核排序出错(打开页面时会重新排序)")
        if stopping.wait(RANK_EVERY):
            return
