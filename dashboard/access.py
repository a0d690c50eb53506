"""Who may see and do what: roles, the viewer of a request, and the office scope applied to every query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

from yuqing.db.models import Event

# Pages each role may open (the navigation shows only these; every layout and callback checks again).
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overview": frozenset({"duty", "office", "leader", "admin"}),
    "queue": frozenset({"duty"}),
    "review": frozenset({"duty"}),  # 分类复核: the messages whose topic a confirmation would teach the model most
    "shift": frozenset({"duty"}),
    "events": frozenset({"duty", "office", "leader", "admin"}),
    "trends": frozenset({"duty", "leader", "admin"}),
    "sources": frozenset({"duty", "leader", "admin"}),
    "offices": frozenset({"duty", "office", "leader", "admin"}),
    # Offices find the 专题报告 of their own events there; the town's periodic reports are for TOWN_REPORT_ROLES.
    "reports": frozenset({"duty", "office", "leader", "admin"}),
    "users": frozenset({"admin"}),
    "models": frozenset({"admin"}),
    "schemes": frozenset({"office", "admin"}),  # offices keep their own schemes; admins every scheme
    "inbox": frozenset({"duty", "office", "leader", "admin"}),
}

# Workflow actions each role may take; office users only on events of their own office (see can_act).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "assess": frozenset({"duty"}),
    "reassign": frozenset({"duty"}),
    "respond": frozenset({"duty", "office"}),
    "confirm": frozenset({"duty", "office"}),
    "reject": frozenset({"duty", "office"}),
    "close": frozenset({"duty"}),
    "false_alarm": frozenset({"duty"}),
    "merge": frozenset({"duty"}),
    "split": frozenset({"duty"}),
    "unmerge": frozenset({"duty"}),
    "correct": frozenset({"duty"}),
    # 专题报告 of an event: whoever may see the event's page in full; an office only for its own events.
    "topic_report": frozenset({"duty", "office", "leader", "admin"}),
}

# The town's periodic reports (monthly accountability, daily and weekly briefings): who may read and build them.
TOWN_REPORT_ROLES = frozenset({"duty", "leader", "admin"})

# The stored original of a post may hold personal data: only these roles see it (masked for display).
EVIDENCE_ROLES = frozenset({"duty", "leader", "admin"})

DENIED = "无权进行此操作"
NOT_VISIBLE = "事件不存在或无权查看"


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the dashboard sees them: name, role and (for office users) their office."""

    username: str
    role: str
    office_code: str | None = None
    display_name: str = ""

    @property
    def office_bound(self) -> bool:
        """True when the user sees only their own office's events."""
        return self.role == "office"

    def can_open(self, page: str) -> bool:
        """Whether the navigation may offer, and the server may render, this page."""
        return self.role in PAGE_ROLES.get(page, frozenset())

    def can_see_event(self, office_code: str | None) -> bool:
        """Whether an event assigned to this office is visible to the viewer."""
        if not self.office_bound:
            return True
        return office_code is not None and office_code == self.office_code

    def can_act(self, action: str, office_code: str | None) -> bool:
        """Whether the viewer may take this workflow action on an event assigned to that office."""
        return self.role in ACTION_ROLES.get(action, frozenset()) and self.can_see_event(office_code)

    def can_edit_scheme(self, office_code: str | None) -> bool:
        """Whether the viewer may change a monitoring scheme kept by that office (None: the town's own schemes):
        an administrator any, an office user only its office's (the ones it created)."""
        if self.role == "admin":
            return True
        return self.role == "office" and office_code is not None and office_code == self.office_code

    @property
    def can_see_town_reports(self) -> bool:
        """Whether the viewer may read and build the town's periodic reports (not only 专题报告 of visible events)."""
        return self.role in TOWN_REPORT_ROLES

    @property
    def can_reapply_schemes(self) -> bool:
        """Re-judging stored mentions touches every office's events: administrators only."""
        return self.role == "admin"

    @property
    def can_see_evidence(self) -> bool:
        """Whether the viewer may read stored snapshots (originals, masked for display)."""
        return self.role in EVIDENCE_ROLES


def scope_events(stmt: Select, viewer: Viewer) -> Select:
    """The statement limited to events the viewer may see (a statement that already involves Event)."""
    if viewer.office_bound:
        return stmt.where(Event.office_code == (viewer.office_code or ""))
    return stmt
