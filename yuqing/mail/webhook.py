"""Group-robot webhooks (政务微信/企业微信, 钉钉, or any JSON endpoint): message bodies and the POST itself."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from yuqing.mail.messages import Message
from yuqing.mail.transports import DeliveryError

USER_AGENT = "yuqing-alerts/0.1"


def webhook_body(fmt: str, message: Message, kind: str) -> dict[str, Any]:
    """The JSON body for a webhook format: generic (structured data), wecom or dingtalk (Markdown)."""
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": message.markdown}}
    if fmt == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": message.markdown}}
    return {"kind": kind, **message.data, "text": message.text, "markdown": message.markdown}


def post_json(url: str, body: dict[str, Any], *, message_id: str, timeout: float) -> str:
    """POST the body; success is a 2xx answer (and errcode 0 where the robot reports one)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Yuqing-Message-Id": message_id,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        # A 4xx other than 408/429 will not get better by retrying (bad URL, bad token).
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"Webhook 返回 HTTP {exc.code}", permanent=permanent) from exc
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"Webhook 无法访问:{exc}") from exc
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        return "已投递"
    if isinstance(reply, dict) and reply.get("errcode") not in (None, 0):
        raise DeliveryError(f"Webhook 拒绝:errcode={reply.get('errcode')} {reply.get('errmsg', '')}")
    return "已投递"
