"""Queries behind 报告 and 用户: generated reports with their files, and the user list."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from dashboard.queries.event_detail import visible_event
from yuqing.db.models import Report, User
from yuqing.labels import office_names, role_text
from yuqing.reports.files import report_files
from yuqing.reports.topic_records import KIND as TOPIC
from yuqing.reports.topic_records import topic_cutoff
from yuqing.settings_model import Settings
from yuqing.timeutil import format_local

REPORT_KINDS = {"monthly": "月度问责报告", "daily": "日报", "weekly": "周报", "topic": "专题报告"}


def query_reports(session: Session, settings: Settings, viewer: Viewer, limit: int = 200) -> list[dict]:
    """Generated reports, newest first, with the names of their downloadable files: the town's periodic reports for
    the roles that read them, a topic report (专题报告) when the viewer may see its event, with the event's title,
    the cut-off and who had it made."""
    rows = session.scalars(select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)).all()
    names = user_names(session)
    listed = []
    for r in rows:
        entry = {
            "id": r.id,
            "kind": REPORT_KINDS.get(r.kind, r.kind),
            "period": r.period,
            "created": format_local(r.created_at),
            "state": _report_state(r),
            "author": "系统" if r.created_by is None else names.get(r.created_by, r.created_by),
            "topic": r.kind == TOPIC,
            "files": [{"index": i, "name": path.name} for i, path in enumerate(report_files(settings, r))],
        }
        if r.kind != TOPIC and not viewer.can_see_town_reports:
            continue
        if r.kind == TOPIC:
            event = visible_event(session, viewer, r.event_id)
            if event is None:
                continue
            authors = (r.summary or {}).get("authors") or [r.created_by]
            entry |= {
                "period": event.title,
                "event_id": event.id,
                "state": f"截至 {format_local(topic_cutoff(r))}",
                "author": "、".join(names.get(a, a) for a in authors if a) or "—",
            }
        listed.append(entry)
    return listed


def user_names(session: Session) -> dict[str, str]:
    """username → the name shown (display name, else the username)."""
    return {u: d or u for u, d in session.execute(select(User.username, User.display_name))}


def _report_state(report: Report) -> str:
    summary = report.summary or {}
    if summary.get("complete", True):
        return "正式"
    cutoff = summary.get("cutoff")
    when = format_local(datetime.fromisoformat(cutoff), "%m-%d %H:%M") if cutoff else format_local(report.created_at)
    return f"截至 {when}(本期未结束)"


def report_file(session: Session, settings: Settings, report_id: int, index: int) -> Path | None:
    """The index-th existing file of a report other than a topic report (those are served by kind), or None."""
    report = session.get(Report, report_id)
    if report is None or report.kind == TOPIC:
        return None
    files = report_files(settings, report)
    return files[index] if 0 <= index < len(files) else None


def query_users(session: Session) -> list[dict]:
    """All dashboard users with role, office, state and last login."""
    names = office_names(session)
    rows = session.scalars(select(User).order_by(User.username)).all()
    return [
        {
            "username": u.username,
            "display_name": u.display_name,
            "role": role_text(u.role),
            "office": names.get(u.office_code or "", "") if u.office_code else "",
            "state": _user_state(u),
            "last_login": format_local(u.last_login_at),
            "created": format_local(u.created_at),
        }
        for u in rows
    ]


def _user_state(user: User) -> str:
    if not user.active:
        return "已停用"
    if user.failed_logins:
        return f"正常(密码已连续输错 {user.failed_logins} 次)"
    return "正常"


def query_models(session: Session, settings: Settings) -> dict:
    """The 模型 page: the classifier in use, label counts by kind, and every trained version with its figures."""
    from sqlalchemy import func

    from yuqing.db.models import Label, TopicModel
    from yuqing.labels import MODEL_STATUS_NAMES
    from yuqing.learning import configured_name
    from yuqing.workflow.labels import FIELD_NAMES

    rows = session.scalars(select(TopicModel).order_by(TopicModel.id.desc())).all()
    active = next((row for row in rows if row.status == "active"), None)
    counts = dict(
        session.execute(
            select(Label.field, func.count(Label.id)).where(Label.before != Label.after).group_by(Label.field)
        ).all()
    )
    total = session.scalar(select(func.count(Label.id))) or 0

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    return {
        "in_use": f"模型 v{active.id}" if active else configured_name(settings),
        "labels_total": total,
        "corrections": {FIELD_NAMES.get(field, field): count for field, count in sorted(counts.items())},
        "versions": [
            {
                "id": row.id,
                "version": f"v{row.id}",
                "status": MODEL_STATUS_NAMES.get(row.status, row.status),
                "status_code": row.status,
                "created": format_local(row.created_at),
                "by": row.created_by,
                "rows": f"{row.correction_rows} / {row.imported_rows}",
                "held_back": row.held_back_rows,
                "accuracy": share(row.accuracy),
                "baseline": f"{row.baseline or '—'} {share(row.baseline_accuracy)}",
                "decision": row.decision or "",
            }
            for row in rows
        ],
        "choices": [{"label": f"{configured_name(settings)}(配置的分类器)", "value": "configured"}]
        + [
            {
                "label": f"v{row.id}(检验 {share(row.accuracy)},{MODEL_STATUS_NAMES.get(row.status)})",
                "value": str(row.id),
            }
            for row in rows
            if row.path and row.status in ("active", "retired", "rejected")
        ],
    }
