"""Sources added on the 来源 page: checked like config.toml, stored in added_sources, joined to [[sources]] when the
application opens (config.toml stays the seed), and handed to a running crawler at once."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from yuqing.config import ConfigError, settings_from_dict, settings_from_text
from yuqing.db.models import AddedSource, AuditLog, Source
from yuqing.settings_model import Settings, SourceSettings

log = logging.getLogger("yuqing.sources")
SNIPPET_NAME = "新来源"  # how a message names the text an administrator wrote

TEMPLATE = """[[sources]]
name = "new-source"            # 英文名称(字母、数字、- _ .),不能与已有来源重名
title = "新来源"
kind = "html"                  # rss | html | json | board | search | rsshub
url = "http://127.0.0.1:8901/bbs/forum-1-1.html"
interval = 300
source_type = "forum"          # news | forum | board | official | weibo | other

[sources.html]
item_links = "table.threadlist th a.s.xst::attr(href)"
title = "h1#thread_subject::text"
body = "#postlist div.post-first div.t_f"
time = "#postlist div.post-first em.post-time::text"
"""


def parse_source(text: str, settings: Settings) -> tuple[SourceSettings, dict[str, Any]]:
    """One [[sources]] entry written as in config.toml, checked like it (ConfigError naming the line), with the
    [crawl] and [[schemes]] of the running configuration; (typed source, its mapping as stored)."""
    where = Path(f"{SNIPPET_NAME}.toml")
    checked = settings_from_text(text, where)  # syntax and field errors, with line numbers
    data = tomllib.loads(text)
    extra = sorted(set(data) - {"sources"})
    if extra:
        raise ConfigError(f"{where}: 这里只填写一个 [[sources]] 来源,不能包含 [{extra[0]}] 等其他小节")
    if len(checked.sources) != 1:
        raise ConfigError(f"{where}: 应恰好包含一个 [[sources]] 来源(实际 {len(checked.sources)} 个)")
    spec = data["sources"][0]
    # Checked again beside the running config's other sections, so that e.g. a search source finds its keywords.
    full = settings.model_dump(exclude={"sources", "config_path"}, by_alias=True)
    settings_from_dict({**full, "sources": [spec]}, where)
    return checked.sources[0], spec


def taken_names(session, settings: Settings) -> set[str]:
    """Source names in use: config's and those added before."""
    return {s.name for s in settings.sources} | set(session.scalars(select(AddedSource.name)))


def add_source(app, text: str, actor: str) -> SourceSettings:
    """Check and store a source an administrator wrote; the running application (and its crawler, through
    app.source_listeners) takes it up at once. ConfigError (Chinese, with the line) when it cannot be added."""
    source, spec = parse_source(text, app.settings)
    with app.db.write() as session:
        if source.name in taken_names(session, app.settings):
            raise ConfigError(f"{SNIPPET_NAME}.toml: 来源名称 “{source.name}” 已被使用,请换一个")
        session.add(AddedSource(name=source.name, spec=spec, spec_text=text, created_by=actor))
        _source_row(session, source)
        session.add(
            AuditLog(
                actor=actor,
                entity="source",
                entity_id=source.name,
                action="source_added",
                after=text[:4000],
                comment=f"在来源页面新增来源 {source.title or source.name}({source.kind})",
            )
        )
    app.settings.sources.append(source)
    _tell_listeners(app, source)
    log.info("%s 新增来源 %s(%s)", actor, source.name, source.kind)
    return source


def _source_row(session, source: SourceSettings) -> None:
    """The source's row in `sources` (what the 来源 page and the crawl records hang on), created or brought up to date."""
    row = session.scalar(select(Source).where(Source.name == source.name)) or Source(name=source.name)
    row.kind, row.url, row.title = source.kind, source.url, source.title or source.name
    row.source_type, row.enabled = source.source_type, source.enabled
    session.add(row)


def _tell_listeners(app, source: SourceSettings) -> None:
    """The running crawler (app.source_listeners) builds the source's spider anew and (re)schedules or drops it."""
    for listener in list(getattr(app, "source_listeners", [])):
        try:
            listener(source)
        except Exception:
            log.exception("来源 %s 已保存,但未能立即用于采集(重启后生效)", source.name)


def editable_sources(db) -> list[tuple[str, str]]:
    """(name, TOML text) of the sources added on the page, which the page may edit (config.toml ones it may not)."""
    with db.read() as session:
        return [
            tuple(row)
            for row in session.execute(select(AddedSource.name, AddedSource.spec_text).order_by(AddedSource.name))
        ]


def update_source(app, name: str, text: str, actor: str) -> SourceSettings:
    """Replace a source added on the page with a new text (same name; checked like config.toml); the change is
    audited with the text before and after, and the running crawler uses the new settings at once (a source set
    to enabled = false stops being crawled). ConfigError (Chinese) when it cannot be changed."""
    source, spec = parse_source(text, app.settings)
    if source.name != name:
        raise ConfigError(
            f"{SNIPPET_NAME}.toml: 编辑时不能修改来源名称(原为 “{name}”,现为 “{source.name}”);需要新名称请新增来源"
        )
    with app.db.write() as session:
        added = session.scalar(select(AddedSource).where(AddedSource.name == name))
        if added is None:
            raise ConfigError(f"来源 “{name}” 不是在来源页面新增的,请在 config.toml 中修改")
        before = added.spec_text
        if before.strip() == text.strip():
            raise ConfigError(f"来源 “{name}” 的内容没有变化")
        added.spec, added.spec_text = spec, text
        _source_row(session, source)
        session.add(
            AuditLog(
                actor=actor,
                entity="source",
                entity_id=name,
                action="source_changed",
                before=before[:4000],
                after=text[:4000],
                comment=f"在来源页面修改来源 {source.title or name}({source.kind}"
                + ("" if source.enabled else ",已停用")
                + ")",
            )
        )
    app.settings.sources[:] = [source if s.name == name else s for s in app.settings.sources]
    _tell_listeners(app, source)
    log.info("%s 修改来源 %s(%s)", actor, name, source.kind)
    return source


def added_sources(db, settings: Settings) -> list[SourceSettings]:
    """The stored added sources that still validate and whose names config does not use (config wins)."""
    with db.read() as session:
        rows = list(session.execute(select(AddedSource.name, AddedSource.spec).order_by(AddedSource.id)))
    names = {s.name for s in settings.sources}
    found = []
    for name, spec in rows:
        if name in names:
            log.warning("页面新增的来源 %s 与 config.toml 中的来源重名,以 config.toml 为准", name)
            continue
        try:
            found.append(SourceSettings.model_validate(spec))
        except ValueError as exc:
            log.error("页面新增的来源 %s 已不符合当前配置格式,未启用:%s", name, exc)
    return found
