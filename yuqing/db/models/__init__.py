"""SQLAlchemy 2.0 typed models, one import point for the whole schema (Alembic reads Base.metadata from here).

The tables live in submodules by domain: sources, schemes, mentions, events, users, workflow, delivery,
learning, cluster."""

from yuqing.db.models.base import Base
from yuqing.db.models.cluster import ClusterNode, DomainSlot, JobRun, SourceSchedule
from yuqing.db.models.delivery import OutboxMessage, Report
from yuqing.db.models.events import EVENT_STATUSES, OPEN_STATUSES, Event, EventHeat
from yuqing.db.models.learning import Label, TopicModel
from yuqing.db.models.mentions import Comment, Mention, Snapshot
from yuqing.db.models.schemes import MonitoringScheme, SchemeVersion
from yuqing.db.models.sources import AddedSource, CrawlRun, HttpCacheEntry, SearchKeyword, Source
from yuqing.db.models.users import ROLES, InboxRead, LoginSession, Office, SavedFilter, User
from yuqing.db.models.workflow import STAGE_NAMES, AuditLog, Breach, Deadline, Response, ShiftHandover

__all__ = [
    "Base",
    "Source",
    "CrawlRun",
    "AddedSource",
    "SearchKeyword",
    "HttpCacheEntry",
    "MonitoringScheme",
    "SchemeVersion",
    "Mention",
    "Snapshot",
    "Comment",
    "Event",
    "EventHeat",
    "Office",
    "User",
    "LoginSession",
    "InboxRead",
    "SavedFilter",
    "AuditLog",
    "Deadline",
    "Breach",
    "ShiftHandover",
    "Response",
    "OutboxMessage",
    "Report",
    "Label",
    "TopicModel",
    "SourceSchedule",
    "JobRun",
    "ClusterNode",
    "DomainSlot",
    "EVENT_STATUSES",
    "OPEN_STATUSES",
    "STAGE_NAMES",
    "ROLES",
]
