"""The event page's forms checked: each action's values turned into the workflow's arguments, every problem listed
in Chinese (InputError)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from yuqing.app import App
from yuqing.db.models import Office
from yuqing.labels import CLOSE_KINDS, CORRECTION_KINDS, LEVELS, RESPONSE_STAGES
from yuqing.timeutil import LOCAL, as_utc

MAX_COMMENT = 1000
MAX_CONTENT = 5000
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_URL = re.compile(r"^https?://[^\s/]+\S*$")


class InputError(ValueError):
    """Form input that fails validation; the message lists every problem in Chinese."""


def parse_local_time(text: str | None) -> datetime | None:
    """A local “YYYY-MM-DD HH:MM” as an aware UTC datetime, or None if it does not parse."""
    text = (text or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return as_utc(datetime.strptime(text, fmt).replace(tzinfo=LOCAL))
        except ValueError:
            continue
    return None


def text_field(values: dict, key: str) -> str:
    """A form value, stripped; empty when it is missing or not text."""
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _comment(values: dict, problems: list[str], key: str = "comment", label: str = "备注") -> str:
    comment = text_field(values, key)
    if len(comment) > MAX_COMMENT:
        problems.append(f"{label}不能超过 {MAX_COMMENT} 字")
    return comment


def _office(session: Session, code: str | None, problems: list[str]) -> str:
    office = session.get(Office, code) if code else None
    if office is None or not office.active:
        problems.append("请选择责任单位")
        return ""
    return office.code


def validate(action: str, values: dict, app: App, session: Session, now: datetime) -> dict:
    """The workflow keyword arguments for an action's form values; raises InputError listing all problems."""
    problems: list[str] = []
    if action == "assess":
        topic = values.get("topic")
        if topic not in app.settings.topic_names():
            problems.append("请选择领域")
        urgency = values.get("urgency")
        if urgency not in LEVELS:
            problems.append("请选择预警等级")
        office = _office(session, values.get("office_code"), problems)
        kwargs = {"topic": topic, "urgency": urgency, "office_code": office, "comment": _comment(values, problems)}
    elif action == "reassign":
        kwargs = {
            "office_code": _office(session, values.get("office_code"), problems),
            "comment": _comment(values, problems),
        }
    elif action == "respond":
        kwargs = _validate_response(values, problems, now)
    elif action in ("confirm", "reject"):
        comment = _comment(values, problems)
        if action == "reject" and not comment:
            problems.append("驳回时请填写原因")
        response_id = values.get("response_id")
        if not isinstance(response_id, int):
            problems.append("未指定要处理的回应")
        kwargs = {"response_id": response_id, "comment": comment}
    elif action == "close":
        kwargs = {"comment": _comment(values, problems)}
    elif action == "false_alarm":
        kind = values.get("kind")
        if kind not in CLOSE_KINDS:
            problems.append("请选择“误报”或“无需处置”")
        reason = _comment(values, problems, "reason", "原因")
        if not reason:
            problems.append("请填写原因")
        kwargs = {"reason": reason, "kind": kind}
    elif action == "merge":
        target = re.fullmatch(r"#?\s*(\d{1,12})", text_field(values, "target_id"))
        if target is None:
            problems.append("请填写要并入的事件编号,如 #128")
        kwargs = {"target_id": int(target.group(1)) if target else 0, "comment": _comment(values, problems)}
    elif action == "split":
        text = text_field(values, "mention_ids")
        numbers = re.findall(r"\d{1,12}", text)
        if not numbers or re.sub(r"[#\d\s,，、;；]", "", text):
            problems.append("请填写要拆出的信息编号,如 #1203, #1207(见下方信息列表)")
        kwargs = {"mention_ids": sorted({int(n) for n in numbers}), "comment": _comment(values, problems)}
    elif action == "unmerge":
        kwargs = {"comment": _comment(values, problems)}
    elif action == "correct":
        kwargs = _validate_correction(values, app, problems)
    else:
        raise InputError(f"未知操作 “{action}”")
    if problems:
        raise InputError(";".join(problems))
    return kwargs


def _validate_correction(values: dict, app: App, problems: list[str]) -> dict:
    found = re.fullmatch(r"#?\s*(\d{1,12})", text_field(values, "mention_id"))
    if found is None:
        problems.append("请填写要纠正的信息编号,如 #1203(见信息时间线)")
    kind = values.get("kind")
    topic = values.get("topic")
    if kind not in CORRECTION_KINDS:
        problems.append("请选择纠正内容")
    elif kind == "topic" and topic not in app.settings.topic_names():
        problems.append("请选择正确的领域")
    comment = _comment(values, problems)
    return {
        "mention_id": int(found.group(1)) if found else 0,
        "topic": topic if kind == "topic" else None,
        "relevant": False if kind == "not_relevant" else None,
        "comment": comment,
    }


def _validate_response(values: dict, problems: list[str], now: datetime) -> dict:
    stage = values.get("stage")
    if stage not in RESPONSE_STAGES:
        problems.append("请选择回应类型")
    channel = text_field(values, "channel")
    if not channel:
        problems.append("请填写发布渠道(在哪里发布)")
    elif len(channel) > 200:
        problems.append("发布渠道不能超过 200 字")
    url = text_field(values, "url")
    if url and (len(url) > 1000 or not _URL.match(url)):
        problems.append("链接应为以 http:// 或 https:// 开头的网址")
    content = text_field(values, "content")
    if not content:
        problems.append("请填写发布内容")
    elif len(content) > MAX_CONTENT:
        problems.append(f"发布内容不能超过 {MAX_CONTENT} 字")
    published_at = parse_local_time(values.get("published_at"))
    if published_at is None:
        problems.append("发布时间格式应为 “2026-11-25 14:30”")
    elif published_at > now + timedelta(minutes=5):
        problems.append("发布时间不能晚于当前时间")
    return {
        "stage": stage,
        "channel": channel,
        "url": url or None,
        "content": content,
        "published_at": published_at,
        "comment": _comment(values, problems),
    }
