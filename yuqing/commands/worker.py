"""`yuqing worker`: crawls (and ingests) the batches the scheduler queues through Celery."""

from __future__ import annotations

from yuqing.commands import CommandError, open_role


def cmd_worker(args) -> int:
    """The `yuqing worker` command; refuses to start while the broker cannot be reached."""
    from yuqing.cluster.nodes import queue_depth
    from yuqing.cluster.worker import run_worker

    app = open_role(args, "worker")
    try:
        depth, problem = queue_depth(app.settings)
        if depth is None:
            raise CommandError(f"{problem}(请检查 [cluster] broker_url,或先启动 RabbitMQ/Redis)")
        run_worker(app, concurrency=args.concurrency)
    finally:
        app.close()
    return 0
