"""Settings of the running system: paths and town, database, dashboard, schedules, cluster roles, evidence, logging."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from yuqing.settings_model.checks import Strict, check_hhmm


class GeneralSettings(Strict):
    timezone: str = "Asia/Shanghai"
    data_dir: str = "data"
    town: str = "东园镇"
    district: str = "沙坡头区"
    public_url: str = ""  # dashboard address used in e-mail links; default http://host:port

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 “{value}”") from exc
        return value


class DatabaseSettings(Strict):
    url: str = "sqlite:///data/yuqing.db"
    echo: bool = False


class DashboardSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    secret_key: str = ""  # empty: generated once and kept in the data folder
    session_minutes: int = Field(480, ge=5)
    refresh_seconds: int = Field(5, ge=2, le=300)
    login_max_failures: int = Field(5, ge=1)
    login_lockout_minutes: int = Field(15, ge=1)


class SchedulerSettings(Strict):
    deadline_check_seconds: int = Field(30, ge=1)
    outbox_seconds: int = Field(10, ge=1)
    health_check_seconds: int = Field(60, ge=5)
    monthly_report_day: int = Field(1, ge=1, le=28)
    monthly_report_time: str = "08:00"
    daily_brief_time: str = "08:00"
    weekly_brief_weekday: int = Field(1, ge=1, le=7)  # 1 = Monday

    _times = field_validator("monthly_report_time", "daily_brief_time")(lambda cls, v: check_hhmm(v))


class ClusterSettings(Strict):
    """Scale-out roles (`yuqing scheduler|worker|mailer|web`, PostgreSQL only): the Celery broker and the pace."""

    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"  # RabbitMQ (or redis://127.0.0.1:6379/0)
    queue: str = "yuqing.crawl"
    batch_size: int = Field(10, ge=1, le=1000)  # sources per queued batch
    lease_seconds: float = Field(90, ge=5)  # a batch not finished in this time is queued again
    tick_seconds: float = Field(1.0, gt=0, le=60)  # how often the leader looks for due sources and jobs
    worker_batches: int = Field(4, ge=1, le=64)  # batches one worker process crawls at once
    heartbeat_seconds: float = Field(5, ge=1)
    mail_poll_seconds: float = Field(2, gt=0)
    domain_delay: float = Field(0, ge=0)  # seconds between two requests to one site, across all workers (0 = off)


class EvidenceSettings(Strict):
    """Snapshots are stored de-identified; a raw copy only with keep_raw, encrypted, for raw_retention_days."""

    keep_raw: bool = False
    raw_key: str = ""  # Fernet key (URL-safe Base64, 44 characters); or $YUQING_EVIDENCE_KEY
    old_raw_keys: list[str] = []  # earlier keys, still accepted to open raw copies they encrypted
    raw_retention_days: float = Field(30, gt=0)


class LoggingSettings(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: str = "data/logs/yuqing.log"
