"""Log lines carry the time in the configured zone, with its offset, whatever the server's own zone."""

from __future__ import annotations

import logging
import re

from yuqing.logging_setup import setup_logging
from yuqing.settings_model import LoggingSettings


def test_log_times_are_in_the_configured_zone_with_the_offset(tmp_path):
    path = tmp_path / "yuqing.log"
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        setup_logging(LoggingSettings(file=str(path)), timezone="Asia/Shanghai", console=False)
        logging.getLogger("yuqing.test").warning("时间检查")
        setup_logging(LoggingSettings(file=str(tmp_path / "utc.log")), timezone="UTC", console=False)
        logging.getLogger("yuqing.test").warning("时间检查")
    finally:
        for handler in list(root.handlers):
            handler.close()
            root.removeHandler(handler)
        root.setLevel(saved[0])
        for handler in saved[1]:
            root.addHandler(handler)
    line = path.read_text(encoding="utf-8").strip()
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+08:00 WARNING \[yuqing\.test\] 时间检查$", line), line
    assert "+00:00 WARNING" in (tmp_path / "utc.log").read_text(encoding="utf-8")
