"""The leader on PostgreSQL: one advisory lock holder at a time, taken over when released; periodic jobs with run
records neither doubled by a restart nor skipped when the leader dies mid-job."""

from __future__ import annotations

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from yuqing.app import open_app
from yuqing.cluster.leader import LeaderLock, SchedulerRole, _guard
from yuqing.db.models import JobRun

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(settings_factory, pg_url):
    app = open_app(settings_factory(db_url=pg_url))
    yield app
    app.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_one_leader_and_takeover(pg_app):
    first, second = LeaderLock(pg_app.settings.database.url), LeaderLock(pg_app.settings.database.url)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()
        first.release()  # a dead leader's connection closes the same way
        assert second.try_acquire() and second.still_held()
    finally:
        first.release()
        second.release()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_jobs_neither_doubled_by_restart_nor_skipped_by_a_crash(pg_app):
    ran: list[str] = []

    class Crash(BaseException):
        """The process dying mid-job (nothing after it runs)."""

    def counting(app) -> None:
        ran.append("job")

    def crashing(app) -> None:
        ran.append("crash")
        raise Crash

    def role(job) -> SchedulerRole:
        scheduler = SchedulerRole(pg_app)
        scheduler.heartbeat.leader = True
        scheduler.jobs = [("计数任务", _guard("计数任务", job), IntervalTrigger(seconds=3600))]
        return scheduler

    first = role(counting)
    assert first.run_due_jobs() == 1 and ran == ["job"]
    assert first.run_due_jobs() == 0  # not due again within its interval
    assert role(counting).run_due_jobs() == 0 and ran == ["job"]  # a restarted leader does not run it again

    with pg_app.db.write() as session:  # its time comes round
        row = session.get(JobRun, "计数任务")
        row.next_due_at = row.last_finished_at
    with pytest.raises(Crash):
        role(crashing).run_due_jobs()  # the leader dies in the middle of it
    assert role(counting).run_due_jobs() == 1 and ran == ["job", "crash", "job"]  # the next leader runs it
    with pg_app.db.read() as session:
        row = session.get(JobRun, "计数任务")
        assert row.runs == 2 and row.last_ok
