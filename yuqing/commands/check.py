"""`yuqing check`: validate the configuration and print a summary."""

from __future__ import annotations

import argparse
import sys

from yuqing.commands import EXIT_OK, EXIT_USAGE, command_settings


def cmd_check(args: argparse.Namespace) -> int:
    from yuqing.config import describe_problems, operational_problems

    settings = command_settings(args)
    problems = operational_problems(settings)
    if problems:
        print(describe_problems(settings, problems), file=sys.stderr)
        return EXIT_USAGE
    print(f"配置有效:{settings.config_path}")
    print(f"  数据库:{settings.database.url}")
    print(f"  来源 {len(settings.sources)} 个:" + "、".join(s.name for s in settings.sources))
    print(f"  责任单位 {len(settings.offices)} 个,监测方案 {len(settings.schemes)} 个")
    print(f"  研判:{settings.duty.name}({settings.duty.email}),交班时间 {'、'.join(settings.duty.shift_changes)}")
    print(
        f"  邮件:{'SMTP ' + settings.mail.smtp_host if settings.mail.smtp_host else '本地发件箱 ' + settings.mail.outbox_dir}"
    )
    return EXIT_OK
