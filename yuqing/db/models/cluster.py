"""Scale-out coordination: the source schedule, leader job runs, role process heartbeats, domain slots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yuqing.db.models.base import Base
from yuqing.timeutil import utcnow


class SourceSchedule(Base):
    """Scale-out crawling (yuqing scheduler/worker): when each source is due, and the lease of the batch that
    holds it. The leader queues a due source and leases it; the worker that finishes it sets its next due time.
    A lease that runs out (the worker died) makes the source due again."""

    __tablename__ = "source_schedule"
    __table_args__ = (Index("ix_source_schedule_due", "next_due_at"),)

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(40))
    queued_at: Mapped[datetime | None]  # when the leader last queued it
    started_at: Mapped[datetime | None]  # when a worker last started it
    done_at: Mapped[datetime | None]  # when a worker last finished it
    worker: Mapped[str | None] = mapped_column(String(200))  # who ran it last
    polls: Mapped[int] = mapped_column(Integer, default=0)


class JobRun(Base):
    """Run records of the leader's periodic jobs: a job runs when next_due_at has come, and next_due_at moves on
    only after it finished, so a leader killed mid-job leaves it due for the next leader (never skipped), and a
    restart finds it already done (never doubled)."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    runner: Mapped[str | None] = mapped_column(String(200))
    # One-off runs asked for by a person (re-applying the schemes): who asked, and how far it got / what it did.
    started_by: Mapped[str | None] = mapped_column(String(100))
    progress: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None]


class ClusterNode(Base):
    """A running role process (scheduler, worker, mailer, web) and its heartbeat, for `yuqing status` and 来源页."""

    __tablename__ = "cluster_nodes"

    node: Mapped[str] = mapped_column(String(200), primary_key=True)  # role@host:pid
    role: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    leader: Mapped[bool] = mapped_column(Boolean, default=False)
    running: Mapped[int] = mapped_column(Integer, default=0)  # batches (or jobs) in progress
    done: Mapped[int] = mapped_column(Integer, default=0)  # sources polled (or mails sent) since start
    cpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)


class DomainSlot(Base):
    """Per-site politeness shared by every worker: the earliest time of the next request to the domain."""

    __tablename__ = "domain_slots"

    domain: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(default=utcnow)
