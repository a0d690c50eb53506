"""What a scheme would have matched among the stored mentions of the last days, before it is saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.normalize import normalize
from pipeline.schemes import SchemeMatcher, compile_schemes
from yuqing.db.models import Event, Mention, Source
from yuqing.settings_model import SchemeSettings
from yuqing.timeutil import utcnow

PREVIEW_DAYS = 7
PREVIEW_ROWS = 50  # titles listed (newest first); the count covers all
BATCH = 500


def stored_text(title: str | None, content: str | None) -> str:
    """A stored mention's text as the matcher reads it at ingest (normalised title and body, one per line)."""
    return f"{normalize(title or '')}\n{normalize(content or '')}"


def matcher_for(scheme: SchemeSettings) -> SchemeMatcher:
    """The matcher of one scheme alone (enabled or not: a preview shows what it would match)."""
    return compile_schemes([(scheme.name, scheme.region, scheme.subject, scheme.event, scheme.exclude)])


@dataclass
class Preview:
    """The mentions of the window the scheme matches: how many, how many are not relevant now, the newest ones."""

    days: int
    checked: int = 0
    matched: int = 0
    newly_relevant: int = 0  # matched, and today matched by no scheme
    rows: list[dict] = field(default_factory=list)
    matches_everything: bool = False  # no region, subject or event words: every text matches
    hidden: int = 0  # matched, but in another office's event: counted, title not listed (office_scope)


def preview_scheme(
    session: Session,
    scheme: SchemeSettings,
    now: datetime | None = None,
    days: int = PREVIEW_DAYS,
    office_scope: str | None = None,
) -> Preview:
    """Match the scheme against every mention first seen in the last `days` days (their stored, de-identified text).
    With `office_scope` (an office user) titles are listed only for mentions in no event or in that office's
    events; the others are counted in `hidden`."""
    now = now or utcnow()
    matcher = matcher_for(scheme)
    result = Preview(days, matches_everything=not (scheme.region or scheme.subject or scheme.event).strip())
    stmt = (
        select(
            Mention.id,
            Mention.title,
            Mention.content,
            Mention.relevant,
            Mention.first_seen_at,
            Source.title,
            Mention.event_id,
            Event.office_code,
        )
        .join(Source, Source.id == Mention.source_id)
        .outerjoin(Event, Event.id == Mention.event_id)
        .where(Mention.first_seen_at >= now - timedelta(days=days))
        .execution_options(yield_per=BATCH)
    )
    found = []
    for mention_id, title, content, relevant, seen, source, event_id, office in session.execute(stmt):
        result.checked += 1
        hits = matcher.match(stored_text(title, content))
        if not hits:
            continue
        result.matched += 1
        result.newly_relevant += 0 if relevant else 1
        if office_scope is not None and event_id is not None and office != office_scope:
            result.hidden += 1
            continue
        found.append(
            {
                "id": mention_id,
                "title": title or (content or "")[:60],
                "source": source,
                "seen": seen,
                "relevant": relevant,
                "terms": "、".join(hits[0].matched_terms),
            }
        )
    found.sort(key=lambda row: (row["seen"], row["id"]), reverse=True)
    result.rows = found[:PREVIEW_ROWS]
    return result
