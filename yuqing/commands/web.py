"""`yuqing web`: the dashboard alone (any number, behind a reverse proxy)."""

from __future__ import annotations

from yuqing.commands import open_role


def cmd_web(args) -> int:
    """The `yuqing web` command."""
    from yuqing.cluster.roles import run_web

    app = open_role(args, "web")
    try:
        run_web(app, port=args.port)
    finally:
        app.close()
    return 0
