"""A threaded loopback HTTP server that turns routed ``Response`` objects into bytes, with a request log."""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .faults import FaultTable, fault_response
from .httpcommon import Request, Response

log = logging.getLogger(__name__)
Router = Callable[[Request], Response]


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it (for politeness and conditional-GET assertions in tests)."""

    at: datetime
    client: str
    method: str
    path: str
    status: int
    user_agent: str
    if_none_match: str | None
    if_modified_since: str | None


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], router: Router, clock: Callable[[], datetime], latency: float = 0.0):
        super().__init__(address, _Handler)
        self.router = router
        self.clock = clock
        self.latency = latency  # seconds every answer waits (a distant site), in its own thread: others go on
        self.stopping = threading.Event()
        self.wait: Callable[[float], bool] = self.stopping.wait  # how a request waits; True means stop now
        self.faults = FaultTable()
        self.requests: collections.deque[LoggedRequest] = collections.deque(maxlen=50_000)
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=f"demo-sites-{self.base_url}", daemon=True
        )
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.20.1"
    sys_version = ""

    def log_message(self, fmt, *args):  # keep test output quiet
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        self._serve(head_only=False)

    def do_HEAD(self):
        self._serve(head_only=True)

    def _serve(self, head_only: bool) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(parts.path, query, headers, srv.base_url, srv.clock())
        try:
            fault = srv.faults.match(parts.path)
            resp = fault_response(fault[0], req, fault[1]) if fault else srv.router(req)
        except Exception:  # a bug in a page must not kill the server thread
            log.exception("demo page failed: %s", self.path)
            resp = Response(500, "演示站点内部错误".encode(), "text/plain; charset=utf-8")
        srv.requests.append(
            LoggedRequest(
                req.now,
                self.client_address[0],
                self.command,
                self.path,
                resp.status,
                headers.get("user-agent", ""),
                headers.get("if-none-match"),
                headers.get("if-modified-since"),
            )
        )
        delay = resp.delay + srv.latency
        if delay and srv.wait(delay):
            self.close_connection = True
            return
        try:
            self._write(resp, head_only)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _write(self, resp: Response, head_only: bool) -> None:
        body = resp.body
        streamed = not isinstance(body, (bytes, bytearray))
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if resp.status != 304:
            length = resp.length if streamed else len(body)
            if length is not None:
                self.send_header("Content-Length", str(length))
            else:
                self.close_connection = True
        if resp.truncate_at is not None or (streamed and resp.length is None):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head_only or resp.status == 304:
            return
        if streamed:
            for chunk in body:
                if self.server.stopping.is_set():
                    break
                self.wfile.write(chunk)
        elif resp.truncate_at is not None:
            self.wfile.write(bytes(body[: resp.truncate_at]))
        else:
            self.wfile.write(body)
        self.wfile.flush()
