"""Source health: "source down" alerts to the administrators while a source fails or stays silent, and figures."""

from __future__ import annotations

import html
import logging
import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yuqing.app import App
from yuqing.db.models import CrawlRun, Mention, Source
from yuqing.mail.dispatch import dispatch
from yuqing.mail.messages import Message
from yuqing.settings_model import SourceSettings
from yuqing.timeutil import as_utc, format_duration, format_local, utcnow

log = logging.getLogger("yuqing.crawl.health")
REPEAT_EVERY = timedelta(hours=1)
RUN_RETENTION = timedelta(days=30)  # crawl_runs rows kept; 1,000 sources polled each minute add 1.4 M a day
KIND_NAMES = {
    "rss": "RSS/Atom 订阅",
    "html": "网页列表",
    "json": "JSON 接口",
    "board": "政府留言板",
    "search": "关键词搜索",
    "rsshub": "RSSHub 路由",
}
ADVICE = [
    "在浏览器中打开上面的网址,确认网站能否访问、内容是否更新;",
    "网址变更或网站改版导致选择器失效时,请更新 config.toml 中该来源的 url 或选择器,然后重启服务;",
    "该来源本来就很少更新时,可调大 silence_hours;确认已停办的来源可设 enabled = false。",
]


def down_state(source: Source, conf: SourceSettings, now: datetime) -> tuple[str, datetime] | None:
    """(why, since when) the source counts as down — failing fail_limit times in a row, or silent too long —
    or None. "Since" comes from stored fields, so every process checking computes the same outage."""
    if (source.consecutive_failures or 0) >= conf.fail_limit:
        since = as_utc(source.last_success_at or source.created_at) or now
        return f"连续 {source.consecutive_failures} 次采集失败:{source.last_error or '原因未知'}"[:200], since
    reference = as_utc(source.last_new_item_at or source.created_at)
    if reference and now - reference > timedelta(hours=conf.silence_hours):
        return f"已 {format_duration(now - reference)} 没有新信息(上限 {conf.silence_hours:g} 小时)", reference
    return None


def check_sources(app: App, now: datetime | None = None) -> list[dict[str, Any]]:
    """Raise, repeat (hourly) and clear "source down" alerts to settings.mail.admin_emails; returns what changed.

    Also drops crawl_runs rows older than RUN_RETENTION (the sources' own fields keep their health)."""
    now = as_utc(now) or utcnow()
    settings = app.settings
    changes: list[dict[str, Any]] = []
    with app.db.write() as session:
        sources = {s.name: s for s in session.scalars(select(Source))}
        for conf in settings.sources:
            source = sources.get(conf.name)
            if source is None:
                continue
            session.execute(
                delete(CrawlRun).where(CrawlRun.source_id == source.id, CrawlRun.started_at < now - RUN_RETENTION)
            )
            state = down_state(source, conf, now) if conf.enabled else None
            change = _update(session, app, source, conf, state, now)
            if change:
                changes.append({"source": conf.name, "change": change, "reason": state[0] if state else None})
    for change in changes:
        log.warning("来源 %s:%s %s", change["source"], change["change"], change["reason"] or "")
    return changes


def _update(
    session: Session, app: App, source: Source, conf: SourceSettings, state: tuple[str, datetime] | None, now: datetime
) -> str | None:
    if state is None:
        if source.down_since is None:
            return None
        if conf.enabled:
            _alert(session, app, source, conf, "recovered", now)
        source.down_since = source.down_reason = source.last_down_alert_at = None
        return "recovered"
    reason, since = state
    if source.down_since is None:
        source.down_since, source.down_reason = min(since, now), reason
        _alert(session, app, source, conf, "down", now)
        source.last_down_alert_at = now
        return "down"
    source.down_reason = reason
    if now - as_utc(source.last_down_alert_at or source.down_since) >= REPEAT_EVERY:
        _alert(session, app, source, conf, "still_down", now)
        source.last_down_alert_at = now
        return "still_down"
    return None


def _alert(session: Session, app: App, source: Source, conf: SourceSettings, state: str, now: datetime) -> None:
    settings = app.settings
    name = f"{conf.title or conf.name}({conf.name})"
    since = as_utc(source.down_since)
    lasted = format_duration(now - since)
    if state == "recovered":
        subject = f"【来源恢复】{name} 已恢复正常"
        intro = f"来源 {name} 已恢复正常(异常持续 {lasted})。"
        key = f"source_up:{conf.name}:{since:%Y%m%d%H%M%S}"
    else:
        repeat = int((now - since) / REPEAT_EVERY)
        tag = "来源异常" if state == "down" else "来源异常·仍未恢复"
        subject = f"【{tag}】{name}:{source.down_reason}"[:180]
        intro = f"来源 {name} 异常,请管理员处理。本提醒每小时重复一次,直到该来源恢复。"
        key = f"source_down:{conf.name}:{since:%Y%m%d%H%M%S}:{repeat}"
    fields = [
        ("来源", name),
        ("类型", KIND_NAMES.get(conf.kind, conf.kind)),
        ("网址", conf.url),
        ("原因", source.down_reason or "—"),
        ("异常开始", f"{format_local(since)}(已持续 {lasted})"),
        ("最近成功采集", format_local(source.last_success_at)),
        ("最近新信息", format_local(source.last_new_item_at)),
        ("连续失败次数", str(source.consecutive_failures or 0)),
        ("最近错误", source.last_error or "—"),
    ]
    message = _message(
        subject,
        intro,
        fields,
        [] if state == "recovered" else ADVICE,
        {"source": conf.name, "state": state, "reason": source.down_reason},
    )
    if not settings.mail.admin_emails:
        log.warning("未配置管理员邮箱([mail].admin_emails),来源提醒只发往 Webhook:%s", subject)
    dispatch(
        session,
        settings,
        message,
        kind="source_down",
        recipients=list(settings.mail.admin_emails),
        dedupe_key=key,
        now=now,
    )


def _message(
    subject: str, intro: str, fields: list[tuple[str, str]], advice: list[str], data: dict[str, Any]
) -> Message:
    text = "\n".join(
        [intro, ""]
        + [f"{k}:{v}" for k, v in fields]
        + (["", "处理建议:"] + [f"- {a}" for a in advice] if advice else [])
    )
    rows = "".join(f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in fields)
    tips = "".join(f"<li>{html.escape(a)}</li>" for a in advice)
    body_html = f"<p>{html.escape(intro)}</p><table>{rows}</table>" + (
        f"<p>处理建议:</p><ul>{tips}</ul>" if advice else ""
    )
    markdown = "\n".join([f"**{subject}**", "", intro, ""] + [f"- **{k}**:{v}" for k, v in fields])
    return Message(subject=subject, text=text, html=body_html, markdown=markdown, data={"subject": subject, **data})


def source_health(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per source: status, last success, failures, items per day (24 h, 7-day average), median detection lag."""
    now = as_utc(now) or utcnow()
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    sources = list(session.scalars(select(Source).order_by(Source.name)))
    per_day = _counts(session, day)
    per_week = _counts(session, week)
    lags: dict[int, list[float]] = {}
    created = {s.id: as_utc(s.created_at) for s in sources}
    query = select(Mention.source_id, Mention.published_at, Mention.first_seen_at).where(
        Mention.first_seen_at >= week, Mention.published_at.is_not(None)
    )
    for source_id, published, seen in session.execute(query):
        # Posts published before the source was added are backlog, not detection: leave them out.
        if created.get(source_id) and published >= created[source_id]:
            lags.setdefault(source_id, []).append(max((seen - published).total_seconds(), 0.0))
    last_runs = _last_runs(session)
    return [_row(s, per_day.get(s.id, 0), per_week.get(s.id, 0), lags.get(s.id), last_runs.get(s.id)) for s in sources]


def _blocked_text(source: Source) -> str | None:
    """ "网站要求验证码…;第 2 次,暂停采集至 12-03 08:30" for a source its site blocked, else None."""
    if source.blocked_until is None:
        return None
    until = as_utc(source.blocked_until)
    paused = f"暂停采集至 {format_local(until)}" if until and until > utcnow() else "暂停已到期,下次采集时重试"
    return f"{source.blocked_reason or '网站拒绝访问'};连续第 {source.blocked_count or 1} 次,{paused}"


def _counts(session: Session, since: datetime) -> dict[int, int]:
    query = select(Mention.source_id, func.count()).where(Mention.first_seen_at >= since).group_by(Mention.source_id)
    return dict(session.execute(query).all())


def _last_runs(session: Session) -> dict[int, CrawlRun]:
    latest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source_id)
    return {run.source_id: run for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(latest)))}


def _row(source: Source, day: int, week: int, lags: list[float] | None, run: CrawlRun | None) -> dict[str, Any]:
    if not source.enabled:
        status, level = "停用", "disabled"
    elif source.blocked_until is not None:
        status, level = "被网站拦截", "down"  # a captcha page or 403/429: polls pause (see crawlers.store._back_off)
    elif source.down_since:
        status, level = "异常", "down"
    elif source.consecutive_failures:
        status, level = "最近失败", "warning"
    elif source.limited_reason:
        status, level = "超量受限", "warning"  # it offered more than the caps allow: misbehaving, or caps too low
    else:
        status, level = "正常", "ok"
    lag = statistics.median(lags) if lags else None
    return {
        "name": source.name,
        "title": source.title or source.name,
        "kind": source.kind,
        "url": source.url,
        "enabled": source.enabled,
        "status": status,
        "status_level": level,
        "down_since": source.down_since,
        "down_reason": source.down_reason,
        "last_attempt_at": source.last_attempt_at,
        "last_success_at": source.last_success_at,
        "last_new_item_at": source.last_new_item_at,
        "consecutive_failures": source.consecutive_failures or 0,
        "last_error": source.last_error,
        "limited_reason": source.limited_reason,
        "blocked_reason": _blocked_text(source),
        "blocked_until": source.blocked_until,
        "items_24h": day,
        "items_per_day_7d": round(week / 7, 1),
        "median_lag_seconds": lag,
        "median_lag_text": format_duration(lag) if lag is not None else "—",
        "last_run_at": run.started_at if run else None,
        "last_run_ok": run.ok if run else None,
        "last_run_message": run.message if run else None,
    }
