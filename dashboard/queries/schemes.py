"""Queries behind 监测方案: the schemes with where they come from, and one scheme's versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.access import Viewer
from yuqing.db.models import AuditLog, MonitoringScheme
from yuqing.labels import actor_text, office_names
from yuqing.schemes.store import ACTION_NAMES, describe, scheme_dict, versions
from yuqing.settings_model import SchemeSettings
from yuqing.timeutil import format_local

FIELDS = ("name", "region", "subject", "event", "exclude")


def origin_text(row: MonitoringScheme, config: dict[str, dict]) -> str:
    """Where a scheme comes from and who governs it now, in words (config: config.toml's schemes by name)."""
    if row.managed_by == "config":
        return "config.toml(随配置文件更新)"
    text = "页面新建" if row.origin == "dashboard" else "config.toml 导入,已在页面修改(以页面为准)"
    seed = config.get(row.name)
    if seed is not None and seed != {k: v for k, v in scheme_dict(row).items() if k != "office_code"}:
        text += ";config.toml 中的同名方案写法不同,不再生效"
    return text


def query_schemes(session: Session, viewer: Viewer, config_schemes: dict[str, dict]) -> list[dict]:
    """Every scheme, with its state, keeper, origin, version and last change; `editable` for this viewer."""
    names = office_names(session)
    rows = session.scalars(select(MonitoringScheme).order_by(MonitoringScheme.id))
    return [
        {
            "id": row.id,
            **{field: getattr(row, field) for field in FIELDS},
            "state": "启用" if row.enabled else "停用",
            "enabled": row.enabled,
            "office_code": row.office_code,
            "keeper": names.get(row.office_code, row.office_code) if row.office_code else "全镇(管理员)",
            "origin": origin_text(row, config_schemes),
            "version": f"第 {row.version} 版",
            "updated": f"{format_local(row.updated_at)} {actor_text(row.updated_by)}",
            "editable": viewer.can_edit_scheme(row.office_code),
        }
        for row in rows
    ]


def config_scheme_map(config_schemes: list[SchemeSettings]) -> dict[str, dict]:
    """The [[schemes]] config.toml held when the application opened, by name, as scheme_dict records them."""
    return {scheme.name: scheme.model_dump() for scheme in config_schemes}


def query_versions(session: Session, scheme_id: int) -> list[dict]:
    """A scheme's versions, newest first: who, when, what, before → after."""
    return [
        {
            "id": v.id,
            "version": f"第 {v.version} 版",
            "at": format_local(v.at),
            "actor": actor_text(v.actor),
            "action": ACTION_NAMES.get(v.action, v.action),
            "before": describe(v.before) or "—",
            "after": describe(v.after),
            "comment": v.comment or "",
        }
        for v in versions(session, scheme_id)
    ]


def query_reapply_log(session: Session, limit: int = 5) -> list[dict]:
    """The latest re-applications of the schemes: when, who, what changed."""
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "scheme", AuditLog.action == "scheme_reapply")
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return [{"id": r.id, "at": format_local(r.at), "actor": actor_text(r.actor), "what": r.comment or ""} for r in rows]
