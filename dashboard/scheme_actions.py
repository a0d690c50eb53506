"""What the 监测方案 page's forms do: check the viewer's rights, preview, save (checked like config.toml) and put the
schemes in force in this process at once, disable/enable, re-apply to stored mentions (in the background)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.orm import Session

from dashboard.access import DENIED, Viewer
from dashboard.actions import ActionResult
from dashboard.event_form_checks import MAX_COMMENT
from yuqing.app import App
from yuqing.config import SCHEME_GROUPS
from yuqing.db.models import MonitoringScheme, Office
from yuqing.schemes.live import refresh_schemes
from yuqing.schemes.preview import Preview, preview_scheme
from yuqing.schemes.store import SchemeError, SchemeProblem, check_scheme, save_scheme, set_enabled

FORM_FIELDS = ("name", *SCHEME_GROUPS)


def form_values(*values: str | None) -> dict[str, str]:
    """The form's inputs (name, region, subject, event, exclude) as a mapping."""
    return {field: (value or "").strip() for field, value in zip(FORM_FIELDS, values, strict=True)}


def values_digest(values: dict[str, str]) -> str:
    """What a preview was made of: 保存 is allowed only for the expressions that were previewed."""
    groups = {group: values.get(group, "") for group in SCHEME_GROUPS}
    return hashlib.sha256(json.dumps(groups, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def preview_values(app: App, viewer: Viewer, values: dict[str, str]) -> tuple[list[SchemeProblem], Preview | None]:
    """Check the scheme like config.toml; if it is valid, what it would have matched in the last 7 days."""
    if not viewer.can_open("schemes"):
        return [SchemeProblem("name", DENIED)], None
    try:
        scheme = check_scheme(values)
    except SchemeError as exc:
        return exc.problems, None
    with app.db.read() as session:
        scope = viewer.office_code or "" if viewer.office_bound else None
        return [], preview_scheme(session, scheme, office_scope=scope)


def _keeper(session: Session, viewer: Viewer, chosen: str | None) -> str | None:
    """The office that will keep the scheme: an office user's own; an administrator's choice (None: the town)."""
    if viewer.role != "admin":
        return viewer.office_code
    if chosen and session.get(Office, chosen) is None:
        raise SchemeError([SchemeProblem("office", "所选责任单位不存在")])
    return chosen or None


def save_from_page(
    app: App,
    viewer: Viewer,
    scheme_id: int | None,
    values: dict[str, str],
    office: str | None,
    comment: str | None,
) -> tuple[ActionResult, list[SchemeProblem], int | None]:
    """保存: create or edit (rights checked again here), versioned and audited, then in force for new mentions."""
    if not viewer.can_open("schemes"):
        return ActionResult(False, DENIED), [], None
    try:
        with app.db.write() as session:
            if scheme_id is not None:
                existing = session.get(MonitoringScheme, scheme_id)
                if existing is None or not viewer.can_edit_scheme(existing.office_code):
                    return ActionResult(False, DENIED), [], None
            keeper = _keeper(session, viewer, office)
            if not viewer.can_edit_scheme(keeper):
                return ActionResult(False, DENIED), [], None
            row = save_scheme(
                session,
                values,
                viewer.username,
                scheme_id=scheme_id,
                office_code=keeper,
                comment=(comment or "").strip()[:MAX_COMMENT],
            )
            name, version, saved_id = row.name, row.version, row.id
    except SchemeError as exc:
        return ActionResult(False, "未保存:" + ";".join(p.message for p in exc.problems)), exc.problems, None
    refresh_schemes(app, force=True)
    return (
        ActionResult(True, f"已保存监测方案“{name}”(第 {version} 版),新采集的信息立即按此判断"),
        [],
        saved_id,
    )


def toggle_from_page(app: App, viewer: Viewer, scheme_id: int | None, comment: str | None) -> ActionResult:
    """停用 / 启用 the chosen scheme, versioned and audited, in force at once."""
    if scheme_id is None:
        return ActionResult(False, "请先选择一个已有方案")
    try:
        with app.db.write() as session:
            row = session.get(MonitoringScheme, scheme_id)
            if row is None or not viewer.can_open("schemes") or not viewer.can_edit_scheme(row.office_code):
                return ActionResult(False, DENIED)
            enable = not row.enabled
            set_enabled(session, scheme_id, enable, viewer.username, (comment or "").strip()[:MAX_COMMENT])
            name, version = row.name, row.version
    except SchemeError as exc:
        return ActionResult(False, str(exc))
    refresh_schemes(app, force=True)
    return ActionResult(True, f"已{'启用' if enable else '停用'}监测方案“{name}”(第 {version} 版)")


def reapply_from_page(app: App, viewer: Viewer, days) -> ActionResult:
    """重新应用 to the mentions of the last N days (administrators), in the background; refused while another
    re-application runs (from this page or the command line, in any process)."""
    from yuqing.schemes.reapply import MAX_DAYS
    from yuqing.schemes.reapply_runs import ReapplyBusy, start_reapply

    if not viewer.can_reapply_schemes:
        return ActionResult(False, DENIED)
    if not isinstance(days, int | float) or int(days) != days or not 1 <= days <= MAX_DAYS:
        return ActionResult(False, f"天数应为 1 到 {MAX_DAYS} 之间的整数")
    try:
        start_reapply(app, int(days), viewer.username)
    except ReapplyBusy as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"已在后台开始按当前监测方案重新判断最近 {int(days)} 天的信息,进度与结果见下方")
