"""The town's organisation: offices, routing of events to them, villages, and the accountability report's rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from yuqing.settings_model.checks import Strict, check_email


class OfficeSettings(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    email: str = ""
    head_email: str = ""
    lead: bool = False
    topics: list[str] = []  # topic codes this office is responsible for
    villages: list[str] = []  # 属地: villages this office answers for

    _emails = field_validator("email", "head_email")(lambda cls, v: check_email(v))


class RoutingRule(Strict):
    office: str
    topics: list[str] = []
    villages: list[str] = []
    sources: list[str] = []


class RegionSettings(Strict):
    villages: list[str] = []
    aliases: dict[str, list[str]] = {}  # village → other names it goes by


class AccountabilityRule(Strict):
    """A suggestion rule: when an office's breaches in the month meet the condition, suggest an action."""

    action: Literal["通报批评", "约谈负责人"]
    min_breaches: int = Field(1, ge=1)
    max_level: int = Field(4, ge=1, le=4)  # only breaches on events at this level or more severe count
    min_heat: float = Field(0, ge=0)


class ReportSettings(Strict):
    out_dir: str = "data/reports"
    # The seed (四(二)): 通报批评 or 约谈 for 重大政务舆情 handled badly or late with a large negative impact. So by
    # default only breaches on 1–2 级 events lead to a suggestion; the rest are counted in the figures only.
    rules: list[AccountabilityRule] = [
        AccountabilityRule(action="通报批评", min_breaches=1, max_level=2, min_heat=50),
        AccountabilityRule(action="约谈负责人", min_breaches=2, max_level=2),
        AccountabilityRule(action="约谈负责人", min_breaches=1, max_level=1),
    ]
