"""Official replies to message-board posts, written in the usual 政务 style."""

from __future__ import annotations

import random

from .model import Reply, ReplyDraft
from .places import OFFICES

_OPENINGS = (
    "您好!您反映的{subject}问题已收悉。",
    "网友您好!您通过{box}反映的{subject}问题收悉。",
    "您好!您在{box}中反映的{subject}问题已收悉,{office}高度重视,第一时间安排工作人员进行了实地核查。",
    "尊敬的网友:您好!您反映的{subject}问题,我镇已转{office}办理,现将有关情况回复如下:",
)
_CLOSINGS = (
    "感谢您对东园镇工作的关心和支持!特此回复。",
    "如仍有疑问,可到东园镇便民服务中心咨询,或拨打12345政务服务便民热线反映。特此回复。",
    "感谢您的监督,欢迎继续关注和支持我镇各项工作。特此回复。",
    "下一步,我们将举一反三,加强日常监督检查,切实维护好群众的合法权益。感谢您的理解与支持!特此回复。",
)
SIGNATURE = "东园镇人民政府"


def office_name(code_or_name: str) -> str:
    return OFFICES.get(code_or_name, code_or_name)


def compose_reply(draft: ReplyDraft, slots: dict, box: str | None, rng: random.Random) -> Reply:
    """Build the reply text; ``{ymd}`` stays a placeholder filled with the reply date when served."""
    office = office_name(draft.office)
    values = dict(slots, box=box or "镇长信箱", office=office)
    subject = fmt(draft.subject, values)
    opening = rng.choice(_OPENINGS).format(subject=subject, box=values["box"], office=office)
    finding = fmt(draft.finding, values).rstrip("。")
    action = fmt(draft.action, values).rstrip("。")
    text = f"{opening}经核实,{finding}。{action}。{rng.choice(_CLOSINGS)}\n{SIGNATURE}\n{{ymd}}"
    return Reply(office=office, text=text)


class _Keep(dict):
    def __missing__(self, key):  # leave time placeholders and unknown names untouched
        return "{" + key + "}"


def fmt(template: str, slots: dict) -> str:
    """Fill ``{slot}`` names from ``slots``; placeholders that are not slots stay as they are."""
    return template.format_map(_Keep(slots))
