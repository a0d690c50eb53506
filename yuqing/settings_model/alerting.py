"""Who is told what and when: mail, the duty desk, webhooks, alert timing, escalation and stage deadlines."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from yuqing.settings_model.checks import Strict, check_email, check_hhmm, check_shift_changes, check_span


class MailSettings(Strict):
    outbox_dir: str = "data/outbox"
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = Field(15.0, gt=0)
    sender: str = "yuqing@example.gov.cn"
    admin_emails: list[str] = []
    leader_emails: list[str] = []
    duty_leader_email: str = ""
    max_attempts: int = Field(50, ge=1)
    retry_base_seconds: float = Field(10.0, gt=0)
    retry_max_seconds: float = Field(600.0, gt=0)

    _address = field_validator("sender", "duty_leader_email")(lambda cls, v: check_email(v))
    _lists = field_validator("admin_emails", "leader_emails")(lambda cls, v: [check_email(e) for e in v])


class DutySettings(Strict):
    """The 舆情 duty desk (舆情值班): it holds 研判 and is told, and charged, for its deadlines."""

    name: str = "舆情值班室"
    email: str = ""  # the duty desk's mailbox: 研判 warnings and breaches
    head_email: str = ""  # 值班负责人: first step of a 研判 escalation (else the duty leader)
    shift_changes: list[str] = ["08:30", "17:30"]  # local times a duty shift hands over to the next

    _times = field_validator("shift_changes")(lambda cls, v: check_shift_changes(v))
    _emails = field_validator("email", "head_email")(lambda cls, v: check_email(v))


class WebhookSettings(Strict):
    name: str
    url: str
    levels: list[int] = [1, 2, 3, 4]
    kinds: list[str] = ["alert", "breach", "digest", "source_down"]
    format: Literal["generic", "wecom", "dingtalk"] = "generic"


class AlertSettings(Strict):
    immediate_levels: list[int] = [1, 2]
    digest_times: list[str] = ["08:30", "17:30"]
    quiet_hours: str = "22:00-07:00"  # applies to digests only

    _times = field_validator("digest_times")(lambda cls, v: [check_hhmm(t) for t in v])
    _quiet = field_validator("quiet_hours")(lambda cls, v: check_span(v))


class EscalationSettings(Strict):
    office_head_after_minutes: float = Field(0, ge=0)
    lead_office_after_minutes: float = Field(30, ge=0)
    leader_after_minutes: float = Field(60, ge=0)


class LevelDeadlines(Strict):
    """Budgets in hours after detection; 0 means the stage does not apply at this level."""

    assess_hours: float = Field(ge=0)
    publish_hours: float = Field(0, ge=0)
    press_hours: float = Field(0, ge=0)
    respond_hours: float = Field(0, ge=0)


class DeadlineSettings(Strict):
    warn_shares: list[float] = [0.5, 0.8]
    detect_hours: float = Field(2.0, gt=0)  # publication → first seen, measured per mention
    level_1: LevelDeadlines = LevelDeadlines(assess_hours=0.5, publish_hours=5, press_hours=24)
    level_2: LevelDeadlines = LevelDeadlines(assess_hours=1, publish_hours=5, press_hours=24)
    level_3: LevelDeadlines = LevelDeadlines(assess_hours=2, respond_hours=48)
    level_4: LevelDeadlines = LevelDeadlines(assess_hours=4, respond_hours=48)

    @field_validator("warn_shares")
    @classmethod
    def _shares(cls, value: list[float]) -> list[float]:
        if any(not 0 < share < 1 for share in value):
            raise ValueError("预警比例应在 0 与 1 之间,例如 [0.5, 0.8]")
        return sorted(value)

    def for_level(self, level: int) -> LevelDeadlines:
        """The budgets that apply to an urgency level (1..4)."""
        return getattr(self, f"level_{level}")
