"""`yuqing mailer`: sends the outbox (several mailers may run; each alert is sent once)."""

from __future__ import annotations

from yuqing.commands import open_role


def cmd_mailer(args) -> int:
    """The `yuqing mailer` command."""
    from yuqing.cluster.roles import run_mailer

    app = open_role(args, "mailer")
    try:
        run_mailer(app, duration=args.duration)
    finally:
        app.close()
    return 0
