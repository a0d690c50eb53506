"""The crawl schedule on PostgreSQL: a batch leased, started and finished in one transaction; a source whose lease
ran out and went to another batch is left to that batch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yuqing.app import open_app
from yuqing.cluster import schedule
from yuqing.db.models import SourceSchedule
from yuqing.timeutil import as_utc, utcnow

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_batch_finished_in_one_go_leaves_a_source_leased_elsewhere(settings_factory, pg_url):
    sources = [{"name": n, "kind": "rss", "url": f"http://127.0.0.1:9/{n}.xml", "interval": 60} for n in "abc"]
    app = open_app(settings_factory({"sources": sources}, db_url=pg_url))
    try:
        now = utcnow()
        assert schedule.sync_sources(app, now) == 3
        with app.db.write() as session:  # a: due 30 s ago; b and c: 10 minutes overdue
            for name, ago in (("a", 30), ("b", 600), ("c", 600)):
                session.get(SourceSchedule, name).next_due_at = now - timedelta(seconds=ago)
        [(token, leased)] = schedule.lease_due(app, now)
        assert sorted(leased) == ["a", "b", "c"]
        assert schedule.start_batch(app, ["c", "a", "b"], token, "worker@test", now) == ["a", "b", "c"]
        with app.db.write() as session:  # c's lease ran out and the leader gave it to another batch
            session.get(SourceSchedule, "c").lease_token = "another-batch"
        done = now + timedelta(seconds=5)
        schedule.finish_batch(app, {"a": 60, "b": 60, "c": 60}, token, done)
        with app.db.read() as session:
            rows = {name: session.get(SourceSchedule, name) for name in "abc"}
            assert as_utc(rows["a"].next_due_at) == now + timedelta(seconds=30)  # one interval after it was due
            assert as_utc(rows["b"].next_due_at) == done  # that time had passed: due now
            for name in "ab":
                assert rows[name].lease_token is None and rows[name].leased_until is None
                assert rows[name].polls == 1 and as_utc(rows[name].done_at) == done
            assert rows["c"].lease_token == "another-batch" and rows["c"].polls == 0 and rows["c"].done_at is None
        assert schedule.start_batch(app, ["a", "b", "c"], token, "worker@test", done) == []  # redelivered: nothing
    finally:
        app.close()
