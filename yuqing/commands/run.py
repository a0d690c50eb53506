"""`yuqing run`: every role (crawling, deadlines, mail, dashboard) in one process until Ctrl-C."""

from __future__ import annotations

from yuqing.commands import open_for


def cmd_run(args) -> int:
    """The `yuqing run` command."""
    from yuqing.service import Service

    app = open_for(args, console_level="INFO")
    service = Service(app)
    print(f"看板地址:{service.dashboard.url}  (Ctrl-C 停止)")
    service.run()
    app.close()
    return 0
