"""`yuqing scheme list` (the monitoring schemes stored in the database, where each comes from) and `yuqing scheme
reapply --days N` (judge the relevance of the last N days' mentions again with the schemes in force)."""

from __future__ import annotations

import argparse
import getpass

from yuqing.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, open_for


def cmd_scheme(args: argparse.Namespace) -> int:
    """List the schemes or re-apply them."""
    from sqlalchemy import select

    from yuqing.cluster import node_name
    from yuqing.db.models import MonitoringScheme
    from yuqing.schemes.reapply import MAX_DAYS
    from yuqing.schemes.reapply_runs import ReapplyBusy, claim, run_claimed
    from yuqing.schemes.store import describe, scheme_dict

    if args.scheme_command not in ("list", "reapply"):
        raise CommandError("请指定操作:yuqing scheme list 或 yuqing scheme reapply --days N", EXIT_USAGE)
    if args.scheme_command == "reapply" and not 1 <= args.days <= MAX_DAYS:
        raise CommandError(f"--days 应在 1 到 {MAX_DAYS} 之间,收到 {args.days}", EXIT_USAGE)
    app = open_for(args)
    try:
        if args.scheme_command == "list":
            origins = {"config": "config.toml", "dashboard": "页面"}
            with app.db.read() as session:
                for row in session.scalars(select(MonitoringScheme).order_by(MonitoringScheme.id)):
                    print(
                        f"{row.name}\t第 {row.version} 版\t来自{origins.get(row.origin, row.origin)},"
                        f"以{origins.get(row.managed_by, row.managed_by)}为准\t{row.office_code or '全镇'}\t"
                        f"{describe(scheme_dict(row))}"
                    )
            return EXIT_OK
        actor = (args.actor or "").strip() or f"cli:{getpass.getuser()}"
        try:  # in the foreground, but never beside a re-application started on the 监测方案 page or elsewhere
            claim(app, actor, args.days, node_name("cli"))
        except ReapplyBusy as exc:
            raise CommandError(str(exc), EXIT_FAILURE) from exc
        print(run_claimed(app, args.days, actor).text())
        return EXIT_OK
    finally:
        app.close()
