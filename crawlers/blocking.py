"""Sites that block the crawler: a captcha / "security check" page instead of content, or HTTP 403 / 429."""

from __future__ import annotations

import re

from scrapy.http import Response, TextResponse

BLOCKING_STATUSES = {403: "HTTP 403:网站禁止访问", 429: "HTTP 429:请求过于频繁,被网站限流"}
_URL_MARKERS = re.compile(r"captcha|verify|antispider|anti_spider|security[-_]?check|wappass|seccaptcha", re.I)
# Words a captcha or anti-bot page shows; a news article about 验证码 fraud does not say "请输入验证码" to its reader.
_PAGE_MARKERS = re.compile(
    r"请输入(图片)?验证码|输入验证码|安全验证|人机验证|滑动验证|拖动滑块|点击完成验证|访问验证|验证后继续访问|"
    r"访问过于频繁|请求过于频繁|异常访问|检测到您的(网络|访问)|请完成(下方)?验证|security check|"
    r"are you a robot|captcha",
    re.I,
)
_SCAN = 20_000  # characters of the page looked at (a captcha page is small; its words sit near the top)


def captcha_reason(response: Response) -> str | None:
    """Why this answer looks like a captcha / anti-bot page (Chinese), or None. Called only for pages that gave
    no content (a list without links, a feed that does not parse), so an article about 验证码 fraud is no block."""
    redirected = bool(response.request is not None and response.request.meta.get("redirect_urls"))
    if redirected and _URL_MARKERS.search(response.url.split("?", 1)[0]):
        return f"网站把请求转到了验证页面({response.url[:120]}),要求输入验证码,采集已暂停"
    if not isinstance(response, TextResponse):
        return None
    try:
        text = response.text[:_SCAN]
    except (UnicodeDecodeError, AttributeError):
        return None
    match = _PAGE_MARKERS.search(text)
    if match:
        return f"网站返回了验证码/安全验证页面(页面含 “{match.group(0)}”),采集已暂停"
    return None


def status_reason(status: int) -> str | None:
    """The blocking reason of an HTTP status (403, 429), else None."""
    return BLOCKING_STATUSES.get(status)
