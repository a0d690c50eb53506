"""Who holds each stage: the 舆情 duty desk assesses (研判); the responsible office verifies, responds and handles.

The holder of a stage is the one who can act on it, is warned about its deadline, is escalated against when it is
missed, and is charged for the delay. Nobody else is: an office is never warned or blamed for a 研判 it cannot do.
"""

from __future__ import annotations

from yuqing.settings_model import Settings

DUTY, OFFICE = "duty", "office"
STAGE_HOLDERS = {"assess": DUTY, "publish": OFFICE, "press": OFFICE, "respond": OFFICE}
# How the duty desk is keyed where figures are grouped by who was charged; it cannot clash with an office code,
# which must start with a lower-case letter.
DUTY_KEY = "@duty"


def holder_of(stage: str) -> str:
    """DUTY or OFFICE: who holds a deadline stage."""
    return STAGE_HOLDERS.get(stage, OFFICE)


def charge_key(holder: str | None, office_code: str | None) -> str | None:
    """The key a deadline or breach is charged to: DUTY_KEY for the duty desk, else the office code (None: nobody)."""
    return DUTY_KEY if holder == DUTY else office_code


def holder_name(settings: Settings, key: str | None, office_names: dict[str, str]) -> str:
    """The display name of a charge key: the duty desk's configured name, an office's name, or “未分派”."""
    if key == DUTY_KEY:
        return settings.duty.name
    if not key:
        return "未分派"
    return office_names.get(key, key)
