"""Logging an administrator can read: one line per event, local time with its zone, the component, a Chinese
message."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from yuqing.settings_model import LoggingSettings

FORMAT = "%(asctime)s %(levelname)-7s [%(name)s] %(message)s"


class _LocalTimeFormatter(logging.Formatter):
    """Times in the configured zone (not the server's), with the offset: “2026-11-25 14:30:05+08:00”."""

    def __init__(self, fmt: str, zone: ZoneInfo):
        super().__init__(fmt)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).isoformat(sep=" ", timespec="seconds")


class _ConsoleFormatter(_LocalTimeFormatter):
    """On screen, one line per message: tracebacks go to the log file only (shown with -v)."""

    def formatException(self, ei) -> str:
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        return super().format(record)


def setup_logging(
    settings: LoggingSettings, *, timezone: str, console: bool = True, console_level: str | None = None
) -> None:
    """Log to a rotating file (and the console), times in `timezone` ([general] timezone); quiet chatty libraries."""
    zone = ZoneInfo(timezone)
    root = logging.getLogger()
    root.setLevel(settings.level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = _LocalTimeFormatter(FORMAT, zone)
    if settings.file:
        try:
            Path(settings.file).parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                settings.file, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8"
            )
        except OSError as exc:
            # The system must keep monitoring without its log file; say so where the operator is looking.
            print(
                f"警告:无法写入日志文件 {settings.file}({exc.strerror or exc}),日志只输出到屏幕。"
                "请检查 [logging] file 的目录是否存在且可写。",
                file=sys.stderr,
            )
        else:
            file_handler.setFormatter(formatter)
            root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        verbose = (console_level or settings.level) == "DEBUG"
        stream.setFormatter(formatter if verbose else _ConsoleFormatter(FORMAT, zone))
        stream.setLevel(console_level or settings.level)
        root.addHandler(stream)
    for name, level in {
        "scrapy": logging.WARNING,
        "twisted": logging.WARNING,
        "apscheduler": logging.WARNING,
        "werkzeug": logging.WARNING,
        "alembic": logging.WARNING,
        "jieba": logging.WARNING,
        "urllib3": logging.WARNING,
        "selenium": logging.WARNING,
        "matplotlib": logging.WARNING,
        "PIL": logging.WARNING,
    }.items():
        logging.getLogger(name).setLevel(level)
