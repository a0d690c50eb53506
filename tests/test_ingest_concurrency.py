"""Exactly-once ingest on PostgreSQL: two writers (two engines, as two worker processes would have) racing on one
item store it once, and racing on two reports of one story open one event between them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.test_ingest import EXPLOSION, NOW, REWRITE
from yuqing.app import open_app
from yuqing.db.models import Event, Mention, OutboxMessage
from yuqing.ingest import ingest_item

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("只在 PostgreSQL 上有并发写入")
    return db_url


def _race(apps, items, now) -> list:
    """Each app ingests its item at the same moment (a barrier releases both threads); the results in order."""
    barrier = threading.Barrier(len(apps))
    results: list = [None] * len(apps)
    errors: list[BaseException] = []

    def go(index: int) -> None:
        try:
            barrier.wait()
            results[index] = ingest_item(apps[index], dict(items[index]), now=now)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_racing_store_each_item_once_and_open_one_event(settings_factory, pg_url):
    settings = settings_factory(db_url=pg_url)
    apps = [open_app(settings), open_app(settings, migrate=False)]
    try:
        # The same item, fetched by two workers at once (a redelivered batch, two sources listing one post).
        for round_no in range(6):
            item = dict(EXPLOSION, url=f"http://127.0.0.1/t/same{round_no}", canonical_url=None)
            results = _race(apps, [item, item], NOW + timedelta(seconds=round_no))
            assert sorted(r.status for r in results) in (["new", "unchanged"], ["new", "updated"])
            assert len({r.mention_id for r in results}) == 1
        # Two reports of one story at once, from two sources: one event between them. Each round is a new story
        # (four days later, past the 72-hour clustering window), so each round races to open its event.
        rounds = 8
        for round_no in range(rounds):
            at = NOW + timedelta(days=4 * (round_no + 1))
            tag = f"(第{round_no}报)"
            first = dict(
                EXPLOSION,
                url=f"http://127.0.0.1/t/a{round_no}",
                canonical_url=None,
                content=EXPLOSION["content"] + tag,
                published_at=at - timedelta(minutes=20),
            )
            second = dict(
                REWRITE,
                url=f"http://127.0.0.1/api/b{round_no}",
                content=REWRITE["content"] + tag,
                published_at=at - timedelta(minutes=5),
            )
            _race(apps, [first, second], at)
        with apps[0].db.read() as session:
            assert session.scalar(select(func.count()).select_from(Mention)) == 6 + 2 * rounds
            events = session.scalars(select(Event).order_by(Event.id)).all()
            assert [e.mention_count for e in events] == [6] + [2] * rounds, [(e.id, e.title) for e in events]
            keys = session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.is_not(None))).all()
            assert len(keys) == len(set(keys))
    finally:
        for app in apps:
            app.close()
