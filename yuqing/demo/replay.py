"""Replay the authored demo corpus through the real ingest path, in publication order, without a crawler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yuqing.app import App
from yuqing.db.models import Mention
from yuqing.ingest import ingest_item

from .sites import CHANNEL_SOURCE, demo_sources
from .timeline import Entry, FakeClock, Timeline

START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
BASE_URL = "http://127.0.0.1:9"
DETECTION_LAG = timedelta(seconds=30)  # about what the demo's pollers take to see a post


@dataclass(frozen=True)
class Replayed:
    """One authored post as ingested: its timeline entry (with the expected labels) and the event it joined."""

    entry: Entry
    mention_id: int
    event_id: int | None


def replay_corpus(app: App, seed: int = 2026) -> list[Replayed]:
    """Ingest every authored post of the corpus (no filler) into the app, oldest first, each seen shortly after
    it was published; the app's settings should name the demo sources (see `demo_sources`)."""
    kinds = {source["name"]: source["kind"] for source in demo_sources(BASE_URL)}
    timeline = Timeline(seed=seed, start_time=START, clock=FakeClock(START), filler=False, speed=0.05)
    entries = sorted(timeline.scheduled(), key=lambda entry: entry.at)
    mention_ids = []
    for entry in entries:
        source = CHANNEL_SOURCE[entry.channel]
        item = {
            "source": source,
            "source_kind": kinds[source],
            "url": BASE_URL + entry.path,
            "title": entry.title,
            "content": entry.content,
            "published_at": entry.at,
            "reposts": entry.post.reposts,
            "comments": entry.post.comments,
            "author": entry.post.author,
        }
        mention_ids.append(ingest_item(app, item, now=entry.at + DETECTION_LAG).mention_id)
    with app.db.read() as session:
        events = dict(session.execute(select(Mention.id, Mention.event_id)).all())
    return [Replayed(entry, mention_id, events.get(mention_id)) for entry, mention_id in zip(entries, mention_ids)]
