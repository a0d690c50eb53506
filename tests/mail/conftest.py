"""Mail fixtures: a real SMTP server and a webhook endpoint on 127.0.0.1, and apps configured to use them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from yuqing.app import open_app
from yuqing.mail.sink import SmtpSink


@pytest.fixture
def smtp_sink():
    """An SMTP server on a free loopback port that keeps every message it accepts."""
    with SmtpSink() as sink:
        yield sink


class HookServer(ThreadingHTTPServer):
    """Records JSON POSTs; answers with the queued (status, body) replies, then 200 {"errcode": 0}."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        status, reply = self.server.replies.pop(0) if self.server.replies else (200, {"errcode": 0, "errmsg": "ok"})
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    server = HookServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_app(settings_factory):
    """open_app(settings_factory(extra, db_url)); every app is closed at the end."""
    opened = []

    def make(extra: dict | None = None, db_url: str | None = None):
        application = open_app(settings_factory(extra, db_url=db_url))
        opened.append(application)
        return application

    yield make
    for application in opened:
        application.close()
