"""`yuqing user add|list`: dashboard accounts from the command line."""

from __future__ import annotations

import argparse
import getpass
import sys

from yuqing.commands import EXIT_OK, EXIT_USAGE, CommandError, open_for


def cmd_user(args: argparse.Namespace) -> int:
    import os

    from sqlalchemy import select

    from yuqing.db.models import ROLES, User
    from yuqing.users import UserError, add_user

    app = open_for(args)
    if args.user_command == "list":
        with app.db.read() as session:
            for user in session.scalars(select(User).order_by(User.username)):
                print(
                    f"{user.username}\t{ROLES.get(user.role, user.role)}\t{user.office_code or ''}\t{'启用' if user.active else '停用'}"
                )
        return EXIT_OK
    if args.user_command != "add":
        raise CommandError("请指定操作:yuqing user add NAME --role ... 或 yuqing user list", EXIT_USAGE)
    password = args.password or os.environ.get("YUQING_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CommandError("请用 --password 或环境变量 YUQING_PASSWORD 提供密码", EXIT_USAGE)
        password = getpass.getpass("密码:")
        if getpass.getpass("再次输入:") != password:
            raise CommandError("两次输入的密码不一致", EXIT_USAGE)
    try:
        with app.db.write() as session:
            user = add_user(session, args.name, password, args.role, args.office, args.display_name, actor="cli")
            role = ROLES[user.role]
    except UserError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    print(f"已保存用户 {args.name}(角色:{role}{',单位:' + args.office if args.office else ''})")
    return EXIT_OK
