"""Web security pieces: the secret key, the same-origin check, the login throttle, response headers."""

from __future__ import annotations

import os
import secrets
import threading
import time
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


class LoginThrottle:
    """Slows down password guessing without locking anyone out.

    Failures are counted per (client address, username) and per client address. After `free` failures of a pair
    (`free_per_address` of an address, across usernames), each further attempt must wait 1 s, 2 s, 4 s, … up to
    `max_delay`. A success forgets only that pair's failures, so one valid account does not reset an address that
    is guessing others. Someone guessing a duty officer's password slows down only themselves, and the answer
    is the same whether or not the username exists.
    """

    MAX_ENTRIES = 100_000  # beyond this, the oldest counters are forgotten (memory stays bounded)

    def __init__(self, free: int, max_delay: float, free_per_address: int, clock=time.monotonic):
        self.free = free
        self.max_delay = max_delay
        self.free_per_address = free_per_address
        self.clock = clock
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # key → (failures, time of the last one)
        self._lock = threading.Lock()

    def _delay(self, failures: int, free: int) -> float:
        return 0.0 if failures < free else min(float(2 ** min(failures - free, 30)), self.max_delay)

    def _keys(self, address: str, username: str) -> list[tuple[tuple[str, str], int]]:
        return [((address, username.strip().casefold()), self.free), ((address, ""), self.free_per_address)]

    def wait(self, address: str, username: str) -> float:
        """Seconds the client must still wait before it may try this username (0: it may try now)."""
        now = self.clock()
        with self._lock:
            waits = [0.0]
            for key, free in self._keys(address, username):
                failures, last = self._failures.get(key, (0, now))
                waits.append(last + self._delay(failures, free) - now)
            return max(waits)

    def failed(self, address: str, username: str) -> None:
        """Count one failed attempt."""
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.MAX_ENTRIES:
                self._forget_old(now)
            for key, _ in self._keys(address, username):
                failures, last = self._failures.get(key, (0, now))
                if now - last > 2 * self.max_delay:
                    failures = 0  # quiet for long enough: start again
                self._failures[key] = (failures + 1, now)

    def succeeded(self, address: str, username: str) -> None:
        """Forget the failures of this address with this username (not the address's other failures)."""
        with self._lock:
            self._failures.pop(self._keys(address, username)[0][0], None)

    def _forget_old(self, now: float) -> None:
        stale = [key for key, (_, last) in self._failures.items() if now - last > 2 * self.max_delay]
        for key in stale or sorted(self._failures, key=lambda k: self._failures[k][1])[: self.MAX_ENTRIES // 10]:
            del self._failures[key]


def add_security_headers(response: Response, login_page: bool = False) -> Response:
    """Headers every response carries: no sniffing, no framing, a content policy, no caching of data."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", LOGIN_CSP if login_page else DASH_CSP)
    if response.mimetype in ("application/json", "text/html"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
