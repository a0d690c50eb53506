"""The Celery app of the cluster and its one task: crawl a batch of sources. The scheduler's leader publishes
batches; `yuqing worker` consumes them. Acknowledged only after the batch ran (acks_late), and given back to the
broker when the worker process dies (reject_on_worker_lost): a batch in a killed worker goes to another worker."""

from __future__ import annotations

from typing import Any

from celery import Celery

from yuqing.settings_model import Settings

celery_app = Celery("yuqing", set_as_current=False)
celery_app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=1,  # a worker holds no more batches than it runs: the others stay for idle workers
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    task_create_missing_queues=True,
    broker_heartbeat=10,
)

_runner: Any = None  # the worker role of this process (yuqing.cluster.worker.WorkerRole), set when it starts


def configure(settings: Settings) -> Celery:
    """Point the app at the configured broker and crawl queue."""
    conf = settings.cluster
    celery_app.conf.update(
        broker_url=conf.broker_url,
        task_default_queue=conf.queue,
        task_routes={"yuqing.crawl_batch": {"queue": conf.queue}},
    )
    return celery_app


def set_runner(runner: Any) -> None:
    global _runner
    _runner = runner


@celery_app.task(name="yuqing.crawl_batch", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def crawl_batch(sources: list[str], token: str) -> dict[str, int]:
    """Crawl these sources (leased to this batch under `token`) once each and record when each is next due."""
    if _runner is None:
        raise RuntimeError("本进程不是采集节点(yuqing worker),不能执行采集任务")
    return _runner.run_batch(sources, token)
