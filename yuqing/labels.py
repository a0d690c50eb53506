"""Chinese display labels: levels, statuses, stages, roles, topics, offices and the audit log's wording, shared by
the dashboard, mails and reports."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.db.models import EVENT_STATUSES, ROLES, STAGE_NAMES, Office
from yuqing.settings_model import LEVEL_COLOURS, LEVEL_NAMES, Settings
from yuqing.timeutil import format_local

LEVELS = (1, 2, 3, 4)
SOURCE_TYPE_NAMES = {
    "news": "新闻",
    "forum": "论坛",
    "board": "留言板",
    "official": "政务发布",
    "weibo": "微博",
    "other": "其他",
}
RESPONSE_STATUS_NAMES = {"proposed": "待确认", "confirmed": "已确认", "rejected": "已驳回"}
RESPONSE_STAGES = ("respond", "publish", "press")
CLOSE_KINDS = {"false_alarm": "误报", "no_action": "无需处置"}
CORRECTION_KINDS = {"topic": "改为另一领域", "not_relevant": "不相关(误报),移出本事件"}
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def level_text(level: int | None) -> str:
    """“1级 特别重大(红)”."""
    if level not in LEVEL_NAMES:
        return "—"
    return f"{level}级 {LEVEL_NAMES[level]}({LEVEL_COLOURS[level]})"


def level_short(level: int | None) -> str:
    """“红·特别重大”, compact for tables."""
    if level not in LEVEL_NAMES:
        return "—"
    return f"{LEVEL_COLOURS[level]}·{LEVEL_NAMES[level]}"


def status_text(status: str | None) -> str:
    """The Chinese name of a workflow status."""
    return EVENT_STATUSES.get(status or "", status or "—")


def stage_text(stage: str | None) -> str:
    """The Chinese name of a deadline stage."""
    return STAGE_NAMES.get(stage or "", stage or "—")


def role_text(role: str | None) -> str:
    """The Chinese name of a role."""
    return ROLES.get(role or "", role or "—")


def topic_text(settings: Settings, code: str | None) -> str:
    """The configured name of a topic code."""
    return settings.topic_names().get(code or "", code or "—")


def office_names(session: Session) -> dict[str, str]:
    """Office code → name for every office ever configured (inactive ones keep their names)."""
    return dict(session.execute(select(Office.code, Office.name)).all())


def office_options(session: Session, active_only: bool = True) -> list[dict]:
    """Dropdown options for offices."""
    stmt = select(Office.code, Office.name).order_by(Office.lead.desc(), Office.code)
    if active_only:
        stmt = stmt.where(Office.active.is_(True))
    return [{"label": name, "value": code} for code, name in session.execute(stmt)]


def topic_options(settings: Settings) -> list[dict]:
    """Dropdown options for topics."""
    return [{"label": name, "value": code} for code, name in settings.topic_names().items()]


def level_options() -> list[dict]:
    """Dropdown options for urgency levels."""
    return [{"label": level_text(level), "value": level} for level in LEVELS]


def status_options() -> list[dict]:
    """Dropdown options for workflow statuses."""
    return [{"label": name, "value": code} for code, name in EVENT_STATUSES.items()]


AUDIT_ACTIONS = {
    "detected": "发现",
    "route": "分派",
    "assess": "研判",
    "reassign": "改派",
    "respond": "回应",
    "response_recorded": "登记回应",
    "response_proposed": "发现疑似回应",
    "response_confirmed": "确认回应",
    "response_rejected": "驳回回应",
    "close": "办结",
    "evaluate": "评估",
    "false_alarm": "误报",
    "no_action": "无需处置",
    "level_changed": "等级变化",
    "deadline_set": "设定时限",
    "deadline_done": "环节完成",
    "deadline_dropped": "时限取消",
    "deadline_warned": "时限预警",
    "deadline_breached": "超时",
    "deadline_moved": "时限移交",
    "escalated": "升级提醒",
    "merge": "合并",
    "emerging": "突增",
    "export_events": "导出事件清单",
    "report_download": "下载报告",
    "report_generate": "生成报告",
    "topic_report": "生成专题报告",
    "login": "登录",
    "logout": "退出",
    "login_locked": "登录锁定",
    "user_add": "新增用户",
    "user_update": "修改用户",
    "user_enable": "启用用户",
    "user_disable": "停用用户",
    "password_reset": "重设密码",
    "shift_handover": "交班",
    "shift_ack": "接班确认",
    "bulk_assess": "批量研判",
    "facts": "依据权威信息更新",
    "split": "拆分",
    "unmerge": "撤销合并",
    "mention_correct": "纠正信息",
    "mention_confirm": "确认信息领域",
    "mention_removed": "移出信息",
    "model_train": "训练模型",
    "model_activate": "切换模型",
    "inbox_read": "标记已读",
    "source_added": "新增来源",
    "source_changed": "修改来源",
    "scheme_seed": "导入监测方案",
    "scheme_config": "按配置更新监测方案",
    "scheme_create": "新建监测方案",
    "scheme_edit": "修改监测方案",
    "scheme_disable": "停用监测方案",
    "scheme_enable": "启用监测方案",
    "scheme_reapply": "重新应用监测方案",
}
AUDIT_FIELDS = {
    "topic": "领域",
    "urgency": "等级",
    "office_code": "责任单位",
    "status": "状态",
    "status_reason": "原因",
    "assessed_at": "研判时间",
    "responded_at": "回应时间",
    "closed_at": "办结时间",
    "response": "回应",
    "response.status": "回应状态",
    "heat": "热度",
    "title": "标题",
    "merged_into_id": "并入事件",
    "merged_from": "并入的事件",
    "effect": "评估结果",
    "emerging": "突增",
    "active": "启用",
    "role": "角色",
    "password": "密码",
    "casualties": "伤亡人数",
    "summary": "摘要",
    "split_to": "拆出的事件",
    "split_from": "拆自事件",
    "co_office": "协办单位",
    "mention.topic": "信息领域",
    "mention.relevant": "信息相关性",
    "mention": "信息",
    "model": "领域模型",
    "model_status": "模型状态",
    "scheme": "监测方案",
}
MODEL_STATUS_NAMES = {
    "training": "训练中",
    "active": "使用中",
    "retired": "已停用",
    "rejected": "未采用",
    "failed": "训练失败",
}
AUDIT_ACTORS = {"system": "系统", "cli": "命令行", "demo": "演示", "config": "config.toml"}


def actor_text(actor: str | None) -> str:
    """Who did it: a username as it is, the system and the command line in words."""
    return AUDIT_ACTORS.get(actor or "", actor or "—")


def audit_action_text(action: str | None) -> str:
    """The Chinese name of an audit action code (the code itself when unknown)."""
    return AUDIT_ACTIONS.get(action or "", action or "—")


def audit_field_text(field: str | None) -> str:
    """The Chinese name of an audited field; deadline fields read “时限·研判”."""
    if field and field.startswith("deadline."):
        return "时限·" + stage_text(field.split(".", 1)[1])
    return AUDIT_FIELDS.get(field or "", field or "")


def audit_change_text(action: str | None, before: str, after: str) -> str:
    """The change an audit row records, in words (values already made readable by audit_value_text)."""
    if action == "deadline_done":
        return f"截止 {before},完成于 {after}"
    if action == "deadline_dropped":
        return f"截止 {before},不再计时" if before else "不再计时"
    if action == "deadline_breached":
        return f"截止 {before},{after} 记为超时"
    if action == "deadline_warned":
        return f"已用去 {after}"
    if action == "escalated":
        return f"第 {after} 级"
    if action in ("deadline_set", "deadline_moved") and not before:
        return f"截止 {after}"
    if not before and not after:
        return ""
    return f"{before or '—'} → {after or '—'}"


def audit_value_text(settings: Settings, names: dict[str, str], field: str | None, value: str | None) -> str:
    """An audit before/after value in words: statuses, levels, offices, topics named; UTC times made local."""
    if value is None or value == "":
        return ""
    if field == "status":
        return status_text(value)
    if field == "urgency" and value.isdigit():
        return level_text(int(value))
    if field in ("office_code", "co_office"):
        return names.get(value, value)
    if field in ("topic", "mention.topic"):
        return topic_text(settings, value)
    if field == "model_status":
        return MODEL_STATUS_NAMES.get(value, value)
    if field == "mention.relevant":
        return {"True": "相关", "False": "不相关"}.get(value, value)
    if field == "mention" and value.isdigit():
        return f"信息 #{value}"
    if field in ("merged_into_id", "merged_from", "split_to", "split_from", "response") and value.isdigit():
        return f"#{value}"
    if field == "effect":
        return _effect_text(value)
    if _ISO_TIME.match(value):
        try:
            return format_local(datetime.fromisoformat(value))
        except ValueError:
            return value
    if field == "response.status":
        return RESPONSE_STATUS_NAMES.get(value, value)
    return value


def _effect_text(value: str) -> str:
    """An evaluation stored as JSON, as its verdict in words."""
    try:
        effect = json.loads(value)
    except ValueError:
        return value
    return str(effect.get("verdict") or "评估数据不全") if isinstance(effect, dict) else value
