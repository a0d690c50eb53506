"""Re-applying the schemes in force to the mentions of the last N days (on request, from the 监测方案 page or
`yuqing scheme reapply`). A mention that becomes relevant is analysed again and joins an event by the normal path
(attach_to_event: an existing event, or a new one routed with its deadlines). A mention that no longer matches
is marked not relevant when it is in no event; one already in an event stays there (officers work on events; a
duty officer removes it with 纠正). A relevance a person set (a 纠正 / 误报 label) is never overturned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from yuqing.db.models import AuditLog, Event, Label, Mention
from yuqing.schemes.preview import BATCH, stored_text
from yuqing.timeutil import utcnow

log = logging.getLogger("yuqing.schemes")
MAX_DAYS = 90


@dataclass
class ReapplyResult:
    """What re-applying changed."""

    days: int
    checked: int = 0
    became_relevant: int = 0
    joined_events: int = 0  # of those, how many went into an event (official posts open none)
    new_events: int = 0
    became_irrelevant: int = 0
    kept_in_events: int = 0  # no longer matched, but in an event: left there
    kept_by_people: int = 0  # relevance set by a person: left as they set it

    def text(self) -> str:
        """The outcome in words (page message, CLI, audit)."""
        return (
            f"已按当前监测方案重新判断最近 {self.days} 天的 {self.checked} 条信息:新增相关 {self.became_relevant} 条"
            f"(归入事件 {self.joined_events} 条,其中新建事件 {self.new_events} 个),"
            f"改为不相关 {self.became_irrelevant} 条;不再命中但已在事件中的 {self.kept_in_events} 条保持不变"
            f"(如需移出请在事件页纠正);经人工纠正的 {self.kept_by_people} 条保持人工结论"
        )


def _reason(hits) -> str:
    if not hits:
        return "重新应用监测方案:未命中任何启用的监测方案"
    found = ";".join(f"“{hit.name}”(依据:{'、'.join(hit.matched_terms) or '无关键词限制'})" for hit in hits)
    return f"重新应用监测方案:命中 {found}"


def reapply_schemes(
    app, days: int, actor: str, now: datetime | None = None, progress: Callable[[str], None] | None = None
) -> ReapplyResult:
    """Judge the relevance of the mentions first seen in the last `days` days again with the schemes in force;
    `progress` hears how far it got, in words (the page's background run writes it to its run record)."""
    note = progress or (lambda _text: None)
    from yuqing.analysis_context import analysis_context
    from yuqing.schemes.live import refresh_schemes

    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"天数应在 1 到 {MAX_DAYS} 之间")
    now = now or utcnow()
    refresh_schemes(app, force=True)
    matcher = analysis_context(app.settings).schemes
    result = ReapplyResult(days)
    with app.db.read() as session:
        by_people = set(
            session.scalars(select(Label.mention_id).where(Label.target == "mention", Label.field == "relevant"))
        )
        rising, falling, renamed = [], [], {}
        stmt = (
            select(Mention.id, Mention.title, Mention.content, Mention.relevant, Mention.event_id, Mention.schemes)
            .where(Mention.first_seen_at >= now - timedelta(days=days))
            .order_by(Mention.first_seen_at, Mention.id)
            .execution_options(yield_per=BATCH)
        )
        for mention_id, title, content, relevant, event_id, schemes in session.execute(stmt):  # streamed
            result.checked += 1
            note(f"已检查 {result.checked} 条信息")
            hits = matcher.match(stored_text(title, content))
            now_relevant = bool(hits) if len(matcher) else True
            if now_relevant == relevant:
                names = [hit.name for hit in hits]
                if relevant and names != list(schemes or []):
                    renamed[mention_id] = names
                continue
            if mention_id in by_people:
                result.kept_by_people += 1
            elif now_relevant and event_id is None:
                rising.append((mention_id, hits))
            elif not now_relevant and event_id is not None:
                result.kept_in_events += 1
            elif not now_relevant:
                falling.append((mention_id, hits))
    note(f"已检查 {result.checked} 条信息,正在更新判断结果")
    _store_names(app, renamed)
    _mark_irrelevant(app, falling, actor, now, result)
    for done, (mention_id, hits) in enumerate(rising, 1):
        _make_relevant(app, mention_id, hits, actor, now, result)
        note(f"已检查 {result.checked} 条信息;新命中的 {len(rising)} 条已重新分析 {done} 条")
    with app.db.write() as session:
        session.add(
            AuditLog(
                at=now, actor=actor, entity="scheme", entity_id="*", action="scheme_reapply", comment=result.text()
            )
        )
    if result.joined_events:
        app.wake_outbox()
    log.info("%s %s", actor, result.text())
    return result


def _store_names(app, renamed: dict[int, list[str]]) -> None:
    """Still relevant: only the names of the schemes matched are brought up to date."""
    ids = list(renamed)
    for start in range(0, len(ids), BATCH):
        with app.db.write() as session:
            for mention_id in ids[start : start + BATCH]:
                mention = session.get(Mention, mention_id)
                if mention is not None:
                    mention.schemes = renamed[mention_id]


def _audit(session, mention_id: int, actor: str, now: datetime, before: bool, after: bool, reason: str) -> None:
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            entity="mention",
            entity_id=str(mention_id),
            action="scheme_reapply",
            field="mention.relevant",
            before=str(before),
            after=str(after),
            comment=reason,
        )
    )


def _mark_irrelevant(app, falling: list, actor: str, now: datetime, result: ReapplyResult) -> None:
    for start in range(0, len(falling), BATCH):
        with app.db.write() as session:
            for mention_id, hits in falling[start : start + BATCH]:
                mention = session.get(Mention, mention_id)
                if mention is None or mention.event_id is not None or not mention.relevant:
                    continue
                mention.relevant, mention.schemes, mention.updated_at = False, [], now
                _audit(session, mention_id, actor, now, True, False, _reason(hits))
                result.became_irrelevant += 1


def _make_relevant(app, mention_id: int, hits, actor: str, now: datetime, result: ReapplyResult) -> None:
    """Analyse the stored text again and put the mention into its event, as ingest does with a new one."""
    from pipeline.analyze import TextIn, analyze
    from yuqing.analysis_context import analysis_context
    from yuqing.events import attach_to_event, lock_event_candidates

    with app.db.write() as session:
        lock_event_candidates(session)
        mention = session.get(Mention, mention_id)
        if mention is None or mention.relevant or mention.event_id is not None:
            return
        analysis = analyze(
            TextIn(
                title=mention.title,
                content=mention.content,
                source_type=mention.source_type,
                published_at=mention.published_at,
            ),
            analysis_context(app.settings),
        )
        if not analysis.relevant:  # the schemes changed again meanwhile
            return
        mention.relevant, mention.schemes = True, list(analysis.schemes)
        mention.matched_terms = list(analysis.matched_terms)
        mention.topic, mention.topic_scores, mention.topic_model = (
            analysis.topic,
            dict(analysis.topic_scores),
            analysis.topic_model,
        )
        mention.urgency, mention.urgency_reasons = analysis.urgency, list(analysis.urgency_reasons)
        mention.negativity, mention.village, mention.simhash = analysis.negativity, analysis.village, analysis.simhash
        mention.updated_at = now
        _audit(session, mention_id, actor, now, False, True, _reason(hits))
        result.became_relevant += 1
        newest = session.scalar(select(func.max(Event.id))) or 0
        event = attach_to_event(session, app.settings, mention, analysis, now)
        if event is not None:
            result.joined_events += 1
            result.new_events += 1 if event.id > newest else 0
