"""Putting the stored schemes in force in a running process: the settings' [[schemes]] are replaced by the stored
ones and the analysis context is rebuilt, at once in the process that saved a change and within CHECK_SECONDS in
any other (ingest looks at the newest scheme version before analysing an item)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy import func, select

from yuqing.db.engine import Database
from yuqing.db.models import SchemeVersion
from yuqing.schemes.store import load_schemes, seed_from_config
from yuqing.settings_model import SchemeSettings, Settings

log = logging.getLogger("yuqing.schemes")
CHECK_SECONDS = 5.0  # how often a process looks for a scheme changed by another process
_refresh_lock = threading.Lock()


def _stamp(session) -> int:
    """The newest scheme version's id: it moves on with every change of any scheme."""
    return session.scalar(select(func.max(SchemeVersion.id))) or 0


def install(settings: Settings, schemes: list[SchemeSettings]) -> None:
    """Use these schemes from now on: the settings' list is replaced in one assignment, then the analysis context
    (matcher, the town's own place names) is rebuilt and swapped in."""
    from yuqing.analysis_context import rebuild_analysis_context

    settings.schemes = schemes
    rebuild_analysis_context(settings)


def seed_and_load(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """At start: seed the database from config.toml (changes dated `now`, default the clock), then use the stored
    schemes; returns the version stamp."""
    with db.write() as session:
        changed = seed_from_config(session, settings, now)
    with db.read() as session:
        schemes, stamp = load_schemes(session), _stamp(session)
    if changed:
        log.info("监测方案:按 config.toml 新增或更新 %d 个", changed)
    settings.schemes = schemes
    return stamp


def refresh_schemes(app, *, force: bool = False) -> bool:
    """Load the stored schemes if any changed since this process last looked (at most every CHECK_SECONDS unless
    forced); True when new schemes were put in force."""
    seen = app.schemes_seen
    if not force and seen is not None and time.monotonic() - seen[0] < CHECK_SECONDS:
        return False
    with _refresh_lock:  # threads of one process (page, ingest) put the newest schemes in force, one at a time
        seen = app.schemes_seen
        with app.db.read() as session:
            stamp = _stamp(session)
            # Nothing stored yet (a database opened without seeding): the configured schemes stay in force.
            changed = stamp != (seen[1] if seen is not None else 0)
            schemes = load_schemes(session) if changed else None
        app.schemes_seen = (time.monotonic(), stamp)
        if schemes is None:
            return False
        install(app.settings, schemes)
    log.info("监测方案已更新(版本标记 %s),新采集的信息按新方案判断", stamp)
    return True
