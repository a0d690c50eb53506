"""`yuqing report topic --event N [--until 'YYYY-MM-DD HH:MM'] [--out DIR] [--user NAME]`: an event's 专题报告
(.docx and a print page) as of a cut-off; with --user, only if that dashboard user may build it (dashboard.access)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from yuqing.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, open_for
from yuqing.db.models import User

CLI_ACTOR = "cli"


def _viewer(app, username: str | None):
    """The dashboard user named by --user, else the command line with full rights."""
    from dashboard.access import Viewer

    if not username:
        return Viewer(CLI_ACTOR, "admin")
    with app.db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise CommandError(f"用户 “{username}” 不存在或已停用", EXIT_USAGE)
        return Viewer(user.username, user.role, user.office_code, user.display_name)


def cmd_topic_report(args: argparse.Namespace) -> int:
    """Build the report and print its title, cut-off and files."""
    from dashboard.topic_report import build_topic_report

    if args.event is None:
        raise CommandError(
            "生成专题报告需指定事件编号:yuqing report topic --event 编号 [--until 'YYYY-MM-DD HH:MM']", EXIT_USAGE
        )
    app = open_for(args)
    try:
        out_dir = Path(args.out) if args.out else Path(app.settings.reports.out_dir)
        outcome = build_topic_report(app, _viewer(app, args.user), args.event, args.until, out_dir)
    finally:
        app.close()
    if outcome.report is None:
        raise CommandError(outcome.message, EXIT_FAILURE)
    content = outcome.report.content
    print(f"{content.title}({content.period_line})")
    for path in outcome.report.files:
        print(path.resolve())
    print("打印版(.html)用浏览器打开后选择“打印 → 另存为 PDF”即得 PDF;同一截止时间重新生成,内容相同。")
    return EXIT_OK
