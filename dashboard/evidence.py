"""Stored evidence for display: a mention's snapshot, decompressed, decoded and masked, shown only as text."""

from __future__ import annotations

import zlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from yuqing.db.models import Event, Mention, Snapshot
from yuqing.privacy import masked
from yuqing.snapshots import decode_body
from yuqing.timeutil import format_local

MAX_EVIDENCE_CHARS = 200_000
MAX_UNCOMPRESSED = 20 * 1024 * 1024  # a snapshot that inflates beyond this is cut off, not read whole


def snapshot_text(body_gz: bytes, encoding: str | None) -> tuple[str, bool]:
    """The snapshot body as text (never interpreted) and whether it was cut short."""
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        raw = inflater.decompress(body_gz, MAX_UNCOMPRESSED)
        cut = bool(inflater.unconsumed_tail)
    except zlib.error:
        return "(证据文件已损坏,无法解压)", False
    text, _ = decode_body(raw, encoding)
    if len(text) > MAX_EVIDENCE_CHARS:
        return text[:MAX_EVIDENCE_CHARS], True
    return text, cut


def query_evidence(session: Session, viewer: Viewer, mention_id: int) -> dict | None:
    """The newest snapshot of a mention for display (masked text), or None when missing or not permitted."""
    if not viewer.can_see_evidence:
        return None
    row = session.execute(
        select(Mention.id, Mention.title, Mention.url, Event.office_code)
        .outerjoin(Event, Event.id == Mention.event_id)
        .where(Mention.id == mention_id)
    ).first()
    if row is None or not viewer.can_see_event(row.office_code):
        return None
    snapshot = session.scalars(
        select(Snapshot).where(Snapshot.mention_id == mention_id).order_by(Snapshot.fetched_at.desc()).limit(1)
    ).first()
    if snapshot is None:
        return None
    text, cut = snapshot_text(snapshot.body_gz, snapshot.encoding)
    return {
        "mention_id": mention_id,
        "title": row.title or "(无标题)",
        "url": snapshot.url,
        "fetched": format_local(snapshot.fetched_at, "%Y-%m-%d %H:%M:%S"),
        "content_type": snapshot.content_type or "",
        "sha256": snapshot.sha256,
        "text": masked(text),
        "cut": cut,
    }
