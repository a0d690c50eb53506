"""Web security pieces: the secret key, the same-origin check, the per-IP login limiter, response headers."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from flask import Request, Response

from yuqing.settings_model import Settings

SECRET_FILE = "secret_key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Dash needs inline scripts (its config and renderer bootstrap) and eval (Plotly, grid expressions); the
# policy still forbids foreign origins, plugins, framing and form posts elsewhere.
DASH_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
LOGIN_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def load_secret_key(settings: Settings) -> str:
    """The configured secret key, else the one kept in {data_dir}/secret_key (created once, mode 0600)."""
    if settings.dashboard.secret_key:
        return settings.dashboard.secret_key
    path = Path(settings.general.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        raise RuntimeError(f"密钥文件 {path} 为空:删除它后重启即会重新生成") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def allowed_origins(request: Request, settings: Settings) -> set[str]:
    """Origins a state-changing request may come from: this host, and the configured public address."""
    origins = {request.host_url.rstrip("/").lower()}
    if settings.general.public_url:
        parts = urlsplit(settings.general.public_url)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


def same_origin(request: Request, settings: Settings) -> bool:
    """Whether an unsafe request carries an Origin (or, failing that, a Referer) from an allowed origin."""
    allowed = allowed_origins(request, settings)
    origin = request.headers.get("Origin")
    if origin:
        return origin.rstrip("/").lower() in allowed
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() in allowed
    return False


class LoginRateLimiter:
    """Failed logins per client address in a sliding window; beyond the limit the address must wait."""

    def __init__(self, max_failures: int, window_seconds: float, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str) -> deque[float]:
        now = self.clock()
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> bool:
        """True while the address has reached the failure limit within the window."""
        with self._lock:
            blocked = len(self._recent(address)) >= self.max_failures
            if not self._failures.get(address):
                self._failures.pop(address, None)
            return blocked

    def failed(self, address: str) -> None:
        """Count one failed attempt from the address."""
        with self._lock:
            self._recent(address).append(self.clock())

    def succeeded(self, address: str) -> None:
        """Forget the address's failures after a successful login."""
        with self._lock:
            self._failures.pop(address, None)


def add_security_headers(response: Response, login_page: bool = False) -> Response:
    """Headers every response carries: no sniffing, no framing, a content policy, no caching of data."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", LOGIN_CSP if login_page else DASH_CSP)
    if response.mimetype in ("application/json", "text/html"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
