"""Monitoring schemes in the database. config.toml seeds them; a scheme edited on the 监测方案 page is governed by
the page from then on. Every change writes a version (who, when, before → after) and a Chinese audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from yuqing.config import SCHEME_GROUPS, scheme_expression_problems
from yuqing.db.models import AuditLog, MonitoringScheme, SchemeVersion
from yuqing.settings_model import SchemeSettings, Settings
from yuqing.timeutil import utcnow

MAX_NAME = 100
MAX_EXPRESSION = 4000
CONFIG_ACTOR = "config"
SEED_LOCK_KEY = 0x7975716E67_736368  # "yuqing:sch": processes starting together seed the schemes one at a time
ACTION_NAMES = {
    "seed": "从 config.toml 导入",
    "config": "按 config.toml 更新",
    "create": "新建",
    "edit": "修改",
    "disable": "停用",
    "enable": "启用",
}


@dataclass(frozen=True)
class SchemeProblem:
    """One thing wrong with a scheme: the form field, the Chinese message, the 1-based character (expressions)."""

    field: str
    message: str
    position: int | None = None


class SchemeError(ValueError):
    """A scheme that cannot be saved, with every problem found."""

    def __init__(self, problems: list[SchemeProblem]) -> None:
        super().__init__(";".join(problem.message for problem in problems))
        self.problems = problems


def check_scheme(values: dict[str, Any]) -> SchemeSettings:
    """The scheme a form describes, checked as config.toml's [[schemes]] are (the same model and expression
    parser); SchemeError names each field, and the character where an expression goes wrong."""
    data = {key: str(values.get(key) or "").strip() for key in ("name", *SCHEME_GROUPS)}
    problems = []
    if not data["name"]:
        problems.append(SchemeProblem("name", "请填写方案名称"))
    elif len(data["name"]) > MAX_NAME:
        problems.append(SchemeProblem("name", f"方案名称不能超过 {MAX_NAME} 个字符"))
    for group, label in SCHEME_GROUPS.items():
        if len(data[group]) > MAX_EXPRESSION:
            problems.append(SchemeProblem(group, f"{label}表达式不能超过 {MAX_EXPRESSION} 个字符"))
    scheme = SchemeSettings.model_validate({**data, "enabled": bool(values.get("enabled", True))})
    for group, exc in scheme_expression_problems(scheme):
        problems.append(SchemeProblem(group, f"{SCHEME_GROUPS[group]}:{exc.message}", exc.position))
    if problems:
        raise SchemeError(problems)
    return scheme


def scheme_dict(row: MonitoringScheme | SchemeSettings, office_code: str | None = None) -> dict[str, Any]:
    """What a version records of a scheme."""
    data = {key: getattr(row, key) for key in ("name", *SCHEME_GROUPS, "enabled")}
    data["office_code"] = getattr(row, "office_code", office_code)
    return data


def describe(data: dict[str, Any] | None) -> str:
    """A scheme in words for the audit log: “地域词 东园|中卫;主体词 —;… ;启用”."""
    if not data:
        return ""
    groups = ";".join(f"{label} {data.get(group) or '—'}" for group, label in SCHEME_GROUPS.items())
    return f"{groups};{'启用' if data.get('enabled', True) else '停用'}"


def load_schemes(session: Session) -> list[SchemeSettings]:
    """The stored schemes (disabled ones too, marked so), in the order they were created."""
    rows = session.scalars(select(MonitoringScheme).order_by(MonitoringScheme.id))
    return [
        SchemeSettings.model_validate({k: v for k, v in scheme_dict(row).items() if k != "office_code"}) for row in rows
    ]


def _record(
    session: Session,
    row: MonitoringScheme,
    action: str,
    actor: str,
    before: dict[str, Any] | None,
    comment: str,
    now: datetime,
) -> None:
    """A new version of the scheme and its audit row."""
    after = scheme_dict(row)
    row.updated_by, row.updated_at = actor, now
    session.flush()
    session.add(
        SchemeVersion(
            scheme_id=row.id,
            version=row.version,
            at=now,
            actor=actor,
            action=action,
            before=before,
            after=after,
            comment=comment or None,
        )
    )
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            entity="scheme",
            entity_id=row.name,
            action=f"scheme_{action}",
            field="scheme",
            before=describe(before)[:4000] or None,
            after=describe(after)[:4000],
            comment=f"监测方案“{row.name}”第 {row.version} 版:{ACTION_NAMES[action]}"
            + (f"。{comment}" if comment else ""),
        )
    )


def _apply(row: MonitoringScheme, scheme: SchemeSettings) -> None:
    row.name = scheme.name
    for group in SCHEME_GROUPS:
        setattr(row, group, getattr(scheme, group))
    row.enabled = scheme.enabled


def seed_from_config(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Bring config.toml's [[schemes]] into the database: a name not stored yet is added; a scheme still governed
    by config follows the file (changed, or disabled when the file no longer has it); a scheme edited on the page
    is left as it is (the page wins). Returns how many schemes changed."""
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":  # roles starting at once seed one after the other
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK_KEY})
    rows = {row.name: row for row in session.scalars(select(MonitoringScheme))}
    changed = 0
    for conf in settings.schemes:
        row = rows.pop(conf.name, None)
        if row is None:
            row = MonitoringScheme(
                origin="config", managed_by="config", version=1, created_by=CONFIG_ACTOR, created_at=now
            )
            _apply(row, conf)
            session.add(row)
            _record(session, row, "seed", CONFIG_ACTOR, None, "", now)
            changed += 1
        elif row.managed_by == "config" and scheme_dict(row) != scheme_dict(conf, row.office_code):
            before = scheme_dict(row)
            _apply(row, conf)
            row.version += 1
            _record(session, row, "config", CONFIG_ACTOR, before, "config.toml 中的方案已修改", now)
            changed += 1
    for row in rows.values():
        if row.managed_by == "config" and row.enabled:
            before = scheme_dict(row)
            row.enabled = False
            row.version += 1
            _record(session, row, "config", CONFIG_ACTOR, before, "config.toml 中已没有此方案,自动停用", now)
            changed += 1
    return changed


def save_scheme(
    session: Session,
    values: dict[str, Any],
    actor: str,
    *,
    scheme_id: int | None = None,
    office_code: str | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> MonitoringScheme:
    """Create (scheme_id None) or edit a scheme from form values, checked like config.toml; the new version is
    recorded and audited. SchemeError when it cannot be saved (bad expression, name taken, nothing changed)."""
    now = now or utcnow()
    row = None
    if scheme_id is not None:
        row = session.get(MonitoringScheme, scheme_id)
        if row is None:
            raise SchemeError([SchemeProblem("name", "该监测方案不存在")])
    scheme = check_scheme({**values, "enabled": row.enabled if row is not None else True})
    taken = session.scalar(select(MonitoringScheme.id).where(MonitoringScheme.name == scheme.name))
    if taken is not None and taken != scheme_id:
        raise SchemeError([SchemeProblem("name", f"方案名称“{scheme.name}”已被使用,请换一个")])
    if row is None:
        row = MonitoringScheme(origin="dashboard", managed_by="dashboard", version=1, created_by=actor, created_at=now)
        row.office_code = office_code
        _apply(row, scheme)
        session.add(row)
        _record(session, row, "create", actor, None, comment, now)
        return row
    before = scheme_dict(row)
    _apply(row, scheme)
    row.office_code = office_code
    if scheme_dict(row) == before:
        raise SchemeError([SchemeProblem("name", "方案内容没有变化,无需保存")])
    row.version += 1
    row.managed_by = "dashboard"
    _record(session, row, "edit", actor, before, comment, now)
    return row


def set_enabled(
    session: Session, scheme_id: int, enabled: bool, actor: str, comment: str = "", now: datetime | None = None
) -> MonitoringScheme:
    """Disable or enable a scheme (a new version, audited); the page governs it from then on."""
    row = session.get(MonitoringScheme, scheme_id)
    if row is None:
        raise SchemeError([SchemeProblem("name", "该监测方案不存在")])
    if row.enabled == enabled:
        raise SchemeError([SchemeProblem("name", f"该方案已是{'启用' if enabled else '停用'}状态")])
    before = scheme_dict(row)
    row.enabled = enabled
    row.version += 1
    row.managed_by = "dashboard"
    _record(session, row, "enable" if enabled else "disable", actor, before, comment, now or utcnow())
    return row


def versions(session: Session, scheme_id: int) -> list[SchemeVersion]:
    """A scheme's versions, newest first."""
    return list(
        session.scalars(
            select(SchemeVersion).where(SchemeVersion.scheme_id == scheme_id).order_by(SchemeVersion.version.desc())
        )
    )
