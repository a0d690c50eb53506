"""Why a request failed, in words an administrator understands (Chinese), from Twisted/Scrapy failures."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

HTTP_REASONS = {
    400: "请求无效",
    401: "需要登录",
    403: "禁止访问(可能被网站屏蔽或需要登录)",
    404: "页面不存在(网址可能已变更)",
    405: "请求方法不被允许",
    408: "服务器等待请求超时",
    410: "页面已被删除",
    429: "请求过于频繁,被网站限流",
    451: "因法律原因不可访问",
    500: "网站服务器内部错误",
    502: "网关错误(网站后端不可用)",
    503: "网站暂时不可用",
    504: "网关超时(网站后端无响应)",
}


def http_reason(status: int) -> str:
    """ "HTTP 404:页面不存在(网址可能已变更)"."""
    reason = HTTP_REASONS.get(status) or ("客户端错误" if 400 <= status < 500 else "服务器错误")
    return f"HTTP {status}:{reason}"


def describe_exception(exc: BaseException, timeout: float | None = None, max_mb: float | None = None) -> str:
    """A Chinese reason for a download or processing exception."""
    if isinstance(exc, HttpError):
        return http_reason(exc.response.status)
    if isinstance(exc, (DownloadTimeoutError, net_error.TimeoutError, TimeoutError)):
        limit = f"超过 {timeout:g} 秒" if timeout else "长时间"
        return f"请求超时({limit}无响应)"
    if isinstance(exc, (CannotResolveHostError, net_error.DNSLookupError)):
        return "域名解析失败(网址是否正确?网络是否可用?)"
    if isinstance(exc, (DownloadConnectionRefusedError, net_error.ConnectionRefusedError)):
        return "连接被拒绝(网站可能已关闭或端口错误)"
    if isinstance(exc, DownloadCancelledError):
        limit = f" {max_mb:g} MB" if max_mb else ""
        return f"响应过大,超过{limit}上限,已放弃下载"
    if isinstance(
        exc,
        (
            ResponseDataLossError,
            ResponseFailed,
            ResponseNeverReceived,
            net_error.ConnectionLost,
            net_error.ConnectionDone,
        ),
    ):
        return "连接中途断开,响应不完整(页面被截断)"
    if isinstance(exc, net_error.ConnectError):
        return f"无法连接网站({exc.__class__.__name__})"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots.txt 不允许采集此网址(确需采集可在来源配置中设 obey_robots = false)"
        if "redirect" in text:
            return "重定向次数过多(可能是重定向循环)"
        return f"请求被忽略:{text}"
    return f"{type(exc).__name__}: {exc}"[:300]
