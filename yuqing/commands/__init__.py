"""The `yuqing` subcommands, one module each; `yuqing.cli` parses the arguments and dispatches to them. What the
commands share: exit statuses, the error a command raises (its message is printed in Chinese, no traceback), and
loading the configuration and opening the database the same way."""

from __future__ import annotations

import argparse

from yuqing.errors import EXIT_FAILURE, EXIT_USAGE, CommandError
from yuqing.settings_model import Settings

EXIT_OK = 0

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandError",
    "command_settings",
    "open_database",
    "open_for",
    "open_role",
]


def command_settings(args: argparse.Namespace) -> Settings:
    """The settings of the config file named by --config (or $YUQING_CONFIG, or ./config.toml)."""
    from yuqing.config import load_settings

    return load_settings(args.config)


def open_for(args: argparse.Namespace, console_level: str = "WARNING"):
    """Settings loaded, logging set up (debug on the console with -v) and the database opened: an App."""
    from yuqing.logging_setup import setup_logging

    settings = command_settings(args)
    setup_logging(
        settings.logging, timezone=settings.general.timezone, console_level="DEBUG" if args.verbose else console_level
    )
    return open_database(settings)


def open_database(settings: Settings):
    """open_app, with a database that cannot be reached reported as such (the URL shown without password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from yuqing.app import open_app

    try:
        return open_app(settings)
    except OperationalError as exc:
        where = make_url(settings.database.url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CommandError(f"无法连接数据库 {where}:{reason}(请检查 [database] url 或 YUQING_DATABASE_URL)") from exc


def open_role(args: argparse.Namespace, role: str):
    """open_for for a scale-out role (scheduler, worker, mailer, web): PostgreSQL required (a clear message on
    SQLite, before anything is opened), logging on the console at INFO."""
    from yuqing.cluster import require_postgres

    require_postgres(command_settings(args), role)
    return open_for(args, console_level="INFO")
