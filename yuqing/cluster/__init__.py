"""Scale-out: the roles of `yuqing run` as separate processes (scheduler, worker, mailer, web) on several machines,
sharing one PostgreSQL database; crawl batches travel through Celery (RabbitMQ or Redis as the broker).

- `yuqing.cluster.tasks`: the Celery app and the one task, `yuqing.crawl_batch`.
- `yuqing.cluster.leader`: the scheduler role (one leader by PostgreSQL advisory lock, standbys waiting).
- `yuqing.cluster.worker`: the worker role (Celery worker + one long-lived Twisted reactor thread for Scrapy).
- `yuqing.cluster.nodes`: heartbeats of every role process, and what `yuqing status` and the 来源 page show.
- `yuqing.cluster.politeness`: a per-domain request pace shared by every worker (PostgreSQL row per domain).
"""

from __future__ import annotations

import os
import socket

from sqlalchemy.engine import make_url

from yuqing.errors import CommandError
from yuqing.settings_model import Settings

ROLES = {"scheduler": "调度", "worker": "采集", "mailer": "发信", "web": "看板"}


def require_postgres(settings: Settings, role: str) -> None:
    """Scale-out roles share one database across machines: PostgreSQL only (a clear Chinese message otherwise)."""
    url = make_url(settings.database.url)
    if url.get_backend_name() != "postgresql":
        raise CommandError(
            f"“yuqing {role}”({ROLES.get(role, role)}角色)用于多机部署,需要 PostgreSQL 数据库;"
            f"当前配置 [database] url = {url.render_as_string(hide_password=True)}(SQLite 只支持单进程)。"
            "单机请使用 yuqing run;多机部署见 docs/deploy.md。"
        )


def node_name(role: str) -> str:
    """This process as a cluster node: role@host:pid."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


def broker_where(settings: Settings) -> str:
    """The broker URL with its password hidden, for messages."""
    import re

    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", settings.cluster.broker_url)
