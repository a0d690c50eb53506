"""A database that cannot be written (disk full, read-only file, no permission): recognised, and told to the admins.

The outbox lives in that same database, so this alert cannot be queued there: it goes straight to the SMTP
server (or, without one, to the .eml outbox folder), at most once an hour per reason and process, and is logged
either way. Nothing already stored or queued is touched.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from yuqing.mail.outbox import new_message_id
from yuqing.settings_model import Settings
from yuqing.timeutil import format_local, utcnow

log = logging.getLogger("yuqing.storage")
REPEAT_SECONDS = 3600.0
# (words in the driver's message, lower case) → what it means, in Chinese
_PATTERNS = [
    (
        ("database or disk is full", "no space left", "could not extend file", "disk full"),
        "磁盘空间已满,数据库无法写入",
    ),
    (("readonly database", "read-only", "read only"), "数据库文件只读,无法写入(请检查文件和目录的权限)"),
    (("unable to open database file", "permission denied"), "无法打开或写入数据库文件(请检查路径和权限)"),
    (("disk i/o error",), "磁盘读写错误,数据库无法写入"),
]
_last_sent: dict[str, float] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class StorageProblem:
    """Why the database could not be written (Chinese), and the driver's own words."""

    reason: str
    detail: str


def storage_problem(exc: BaseException) -> StorageProblem | None:
    """The storage problem behind an exception (SQLAlchemy's, the driver's, or an OSError), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(getattr(current, "orig", None) or current).lower()
        for words, reason in _PATTERNS:
            if any(word in text for word in words):
                return StorageProblem(reason, str(getattr(current, "orig", None) or current).splitlines()[0][:300])
        current = current.__cause__ or current.__context__
    return None


def report_storage_failure(settings: Settings, exc: BaseException, where: str) -> StorageProblem | None:
    """If exc is a storage problem: log it and mail the admins (at most hourly); returns it, else None."""
    problem = storage_problem(exc)
    if problem is None:
        return None
    log.error("%s:%s(%s)", where, problem.reason, problem.detail)
    with _lock:
        last = _last_sent.get(problem.reason)
        if last is not None and time.monotonic() - last < REPEAT_SECONDS:
            return problem
        _last_sent[problem.reason] = time.monotonic()
    threading.Thread(target=_send, args=(settings, problem, where, utcnow()), name="storage-alarm", daemon=True).start()
    return problem


def _send(settings: Settings, problem: StorageProblem, where: str, now: datetime) -> None:
    from yuqing.db.models import OutboxMessage
    from yuqing.mail.transports import DeliveryError, build_email, email_transport

    conf = settings.mail
    if not conf.admin_emails:
        log.warning("未配置管理员邮箱([mail].admin_emails),存储故障只记录在日志中")
        return
    host = socket.gethostname()
    body = "\n".join(
        [
            f"{settings.general.town}政务舆情系统无法写入数据库:{problem.reason}。",
            "",
            f"发生位置:{where}",
            f"主机:{host}",
            f"时间:{format_local(now, '%Y-%m-%d %H:%M:%S')}",
            f"数据库返回:{problem.detail}",
            "",
            "在恢复之前,新采集的信息、值班员的操作和新的提醒都无法保存(已保存和已排队的内容不受影响)。",
            "请尽快清理磁盘空间或修复数据库文件权限;恢复后系统自动继续工作,无需重启。",
            "同一问题每小时最多提醒一次。",
        ]
    )
    row = OutboxMessage(
        message_id=new_message_id("storage"),
        kind="storage",
        recipients=list(conf.admin_emails),
        subject=f"【系统故障】数据库无法写入:{problem.reason}",
        body_text=body,
        created_at=now,
        payload={},
    )
    try:
        with email_transport(conf) as transport:
            transport.send(row, build_email(row, conf.sender))
    except (DeliveryError, OSError) as exc:
        log.error("存储故障提醒邮件未能发出:%s", exc)
    else:
        log.warning("已向管理员发送存储故障提醒:%s", problem.reason)
