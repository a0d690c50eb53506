"""`yuqing scheduler`: the leader (one at a time, standbys wait) queues crawl batches and runs periodic jobs."""

from __future__ import annotations

from yuqing.commands import open_role


def cmd_scheduler(args) -> int:
    """The `yuqing scheduler` command."""
    from yuqing.cluster.leader import SchedulerRole

    app = open_role(args, "scheduler")
    try:
        SchedulerRole(app).run(duration=args.duration)
    finally:
        app.close()
    return 0
