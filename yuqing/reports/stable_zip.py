"""Office files (.docx are zip archives) written byte for byte the same for the same content: every member gets
the same fixed time stamp and permissions, in the order python-docx wrote them."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

EARLIEST = (1980, 1, 1, 0, 0, 0)  # the zip format cannot store an earlier time


def freeze_zip(path: Path, stamp: datetime) -> Path:
    """Rewrite the archive with `stamp` (naive wall-clock time) on every member."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    when = max(tuple(stamp.timetuple())[:6], EARLIEST)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return path
