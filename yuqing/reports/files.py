"""The files of a Report row that may be served: those that exist inside the reports folder."""

from __future__ import annotations

from pathlib import Path

from yuqing.db.models import Report
from yuqing.settings_model import Settings


def report_files(settings: Settings, report: Report) -> list[Path]:
    """The report's files that exist inside the reports folder; anything pointing elsewhere is ignored."""
    root = Path(settings.reports.out_dir).resolve()
    found = []
    for entry in report.files or []:
        name = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(name, str) or not name:
            continue
        path = Path(name) if Path(name).is_absolute() else root / name
        path = path.resolve()
        if path.is_relative_to(root) and path.is_file():
            found.append(path)
    return found
