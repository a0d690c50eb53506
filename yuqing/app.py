"""The running application: settings plus an up-to-date database with offices and sources from config."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from yuqing.db.engine import Database
from yuqing.db.migrate import upgrade
from yuqing.db.models import Office, Source
from yuqing.settings_model import SchemeSettings, Settings, SourceSettings
from yuqing.timeutil import utcnow

log = logging.getLogger("yuqing.app")


@dataclass
class App:
    """What every job, command and page receives: typed settings and the database."""

    settings: Settings
    db: Database
    outbox_wakeup: threading.Event = field(default_factory=threading.Event)
    source_listeners: list[Callable[[SourceSettings], None]] = field(default_factory=list)  # sources added live
    schemes_seen: tuple[float, int] | None = None  # (when looked, newest scheme version) for refresh_schemes
    config_schemes: list[SchemeSettings] = field(default_factory=list)  # config.toml's [[schemes]] (the seed)

    def wake_outbox(self) -> None:
        """Tell the delivery worker that new alerts were committed, so it sends them now, not at its next tick."""
        self.outbox_wakeup.set()

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()


def open_app(settings: Settings, *, migrate: bool = True, now: datetime | None = None) -> App:
    """Open the database, apply migrations and synchronise offices and sources from config (sources new to the
    database count as added at `now`, default the clock)."""
    Path(settings.general.data_dir).mkdir(parents=True, exist_ok=True)
    db = Database(settings.database.url, echo=settings.database.echo)
    if migrate:
        upgrade(db.engine)
        from yuqing.schemes.live import seed_and_load
        from yuqing.source_registry import added_sources

        # Monitoring schemes live in the database; config.toml seeds them (see yuqing.schemes.store).
        config_schemes = list(settings.schemes)
        scheme_stamp = seed_and_load(db, settings, now)

        # Sources added on the 来源 page join config's (config.toml is the seed and wins on a name).
        known = {s.name for s in settings.sources}
        settings.sources.extend(s for s in added_sources(db, settings) if s.name not in known)
        sync_config(db, settings, now)
        return App(settings, db, schemes_seen=(time.monotonic(), scheme_stamp), config_schemes=config_schemes)
    return App(settings=settings, db=db)


def sync_config(db: Database, settings: Settings, now: datetime | None = None) -> None:
    """Make the offices and sources tables reflect config; removed entries are deactivated, never deleted."""
    with db.write() as session:
        offices = {o.code: o for o in session.scalars(select(Office))}
        for conf in settings.offices:
            office = offices.pop(conf.code, None) or Office(code=conf.code)
            office.name, office.email, office.head_email = conf.name, conf.email, conf.head_email
            office.lead, office.active = conf.lead, True
            session.add(office)
        for stale in offices.values():
            stale.active = False
        sources = {s.name: s for s in session.scalars(select(Source))}
        for conf in settings.sources:
            source = sources.pop(conf.name, None) or Source(name=conf.name, created_at=now or utcnow())
            source.kind, source.url, source.title = conf.kind, conf.url, conf.title or conf.name
            source.source_type, source.enabled = conf.source_type, conf.enabled
            session.add(source)
        for stale in sources.values():
            stale.enabled = False
    log.debug("已同步配置:%d 个责任单位,%d 个来源", len(settings.offices), len(settings.sources))
