"""A scale-out cluster on one machine, for the end-to-end test and bench/scale.py: a fresh PostgreSQL database,
many loopback RSS sources (yuqing.demo.many), an SMTP sink, and `yuqing scheduler|worker|mailer` as real processes
reading one config. Nothing is simulated but the web sites and the mail server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from yuqing.demo.sites import sources_toml

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("YUQING_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BROKER_URL = os.environ.get("YUQING_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def create_database(admin_url: str = PG_ADMIN_URL) -> str:
    """A new empty PostgreSQL database; its URL."""
    import sqlalchemy

    name = f"yuqing_cluster_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str, admin_url: str = PG_ADMIN_URL) -> None:
    import sqlalchemy

    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.dispose()


def purge_queue(broker_url: str, queue: str) -> None:
    """Empty the crawl queue (left over from an earlier run on the same broker)."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=5) as conn:
        channel = conn.channel()
        try:
            channel.queue_purge(queue)
        except Exception:  # noqa: BLE001 - no such queue yet
            pass


def write_config(
    workdir: Path,
    db_url: str,
    sources: list[dict],
    *,
    smtp_port: int = 0,
    queue: str = "",
    cluster: dict | None = None,
    log_level: str = "INFO",
) -> Path:
    """A config.toml for the cluster: PostgreSQL, the broker, the SMTP sink, quick crawl settings."""
    import json

    queue = queue or f"yuqing.test.{uuid.uuid4().hex[:8]}"
    conf = {
        "broker_url": BROKER_URL,
        "queue": queue,
        "batch_size": 5,
        "lease_seconds": 20,
        "tick_seconds": 0.5,
        "heartbeat_seconds": 1,
        "mail_poll_seconds": 1,
        **(cluster or {}),
    }
    mail = [f"smtp_host = {json.dumps('127.0.0.1')}", f"smtp_port = {smtp_port}"] if smtp_port else []
    lines = [
        "[database]",
        f'url = "{db_url}"',
        "[logging]",
        f'file = "{workdir / "yuqing.log"}"',
        f'level = "{log_level}"',
        "[mail]",
        'admin_emails = ["admin@example.gov.cn"]',
        *mail,
        "[[offices]]",
        'code = "dzb"',
        'name = "镇党政办"',
        'email = "dzb@example.gov.cn"',
        "lead = true",
        "[[schemes]]",
        'name = "东园镇"',
        'region = "东园|沙坡头|中卫"',
        "[crawl]",
        "download_timeout = 5",
        "retry_times = 1",
        "autothrottle = false",
        "[cluster]",
        *(f"{k} = {json.dumps(v)}" for k, v in conf.items()),
        "",
    ]
    path = workdir / "config.toml"
    path.write_text("\n".join(lines) + sources_toml(sources), encoding="utf-8")
    return path


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:13]) / CLOCK_TICKS


@dataclass
class Role:
    name: str
    proc: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    """Role processes started from one config; stop() ends them all (SIGTERM, then SIGKILL)."""

    config: Path
    workdir: Path
    roles: list[Role] = field(default_factory=list)

    def start(self, role: str, *args: str, label: str = "") -> Role:
        label = label or f"{role}{sum(r.name.startswith(role) for r in self.roles) + 1}"
        log = self.workdir / f"{label}.log"
        command = [
            sys.executable,
            "-c",
            "import sys; from yuqing.cli import main; sys.exit(main())",
            "--config",
            str(self.config),
            role,
            *args,
        ]
        handle = log.open("w")
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        entry = Role(label, proc, log)
        self.roles.append(entry)
        return entry

    def kill(self, role: Role) -> None:
        """SIGKILL: no cleanup, as a power cut or the OOM killer would."""
        role.proc.send_signal(signal.SIGKILL)
        role.proc.wait(10)

    def stop(self, timeout: float = 20) -> None:
        for role in self.roles:
            if role.proc.poll() is None:
                role.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for role in self.roles:
            try:
                role.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                role.proc.kill()
                role.proc.wait(5)

    def alive(self) -> list[Role]:
        return [r for r in self.roles if r.proc.poll() is None]
