"""Helpers for crawler tests: config files, `yuqing crawl` in a subprocess, a small server for edge cases.

Crawls run in a child process because a Twisted reactor cannot be restarted within one process; each
`yuqing crawl --once` is one real run of the command, writing to a SQLite database the test then reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from yuqing.app import open_app
from yuqing.config import load_settings
from yuqing.demo.sites import sources_toml

ROOT = Path(__file__).resolve().parents[2]


def write_config(path: Path, sources: list[dict], crawl: dict | None = None) -> Path:
    """A config.toml with these sources, a SQLite database and log file beside it, and quick crawl settings."""
    crawl = {"download_timeout": 2, "retry_times": 1, "max_response_mb": 1, "autothrottle": False, **(crawl or {})}
    lines = [
        "[database]",
        f'url = "sqlite:///{path.parent / "yuqing.db"}"',
        "[logging]",
        f'file = "{path.parent / "yuqing.log"}"',
        "[mail]",
        'admin_emails = ["admin@example.gov.cn"]',
        "[[offices]]",
        'code = "dzb"',
        'name = "镇党政办"',
        'email = "dzb@example.gov.cn"',
        "lead = true",
        "[[schemes]]",
        'name = "东园镇"',
        'region = "东园|沙坡头|中卫|郭滩|金沙|柔新|新星|八里|新园|瑞丰|黄湾|丰台"',
        "[crawl]",
        *(f"{k} = {json.dumps(v)}" for k, v in crawl.items()),
        "",
    ]
    path.write_text("\n".join(lines) + sources_toml(sources), encoding="utf-8")
    return path


def yuqing_command(config: Path, *args: str) -> list[str]:
    """The `yuqing --config CONFIG ARGS...` command line, run with this interpreter (as the console script does)."""
    return [
        sys.executable,
        "-c",
        "import sys; from yuqing.cli import main; sys.exit(main())",
        "--config",
        str(config),
        *args,
    ]


def run_yuqing(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`yuqing --config CONFIG ARGS...` in a child process, output captured as text."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        yuqing_command(config, *args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def open_config_app(config: Path):
    """The application on the config's database (for assertions after a crawl)."""
    return open_app(load_settings(config))


class EdgeServer(ThreadingHTTPServer):
    """Pages for edge cases on 127.0.0.1: routes map a path to (status, headers, body); requests are logged."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _EdgeHandler)
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.prefixes: dict[str, Callable[[str], tuple[int, dict, bytes]]] = {}  # path prefix → page maker
        self.log: list[tuple[str, dict, float]] = []  # path, headers, time.monotonic()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def route(
        self, path: str, body: bytes, content_type: str | None = "text/html", status: int = 200, **headers: str
    ) -> str:
        """Serve body at path; returns the absolute URL."""
        if content_type:
            headers["Content-Type"] = content_type
        self.routes[path] = (status, headers, body)
        return self.base_url + path

    def route_prefix(self, prefix: str, make: Callable[[str], tuple[int, dict, bytes]]) -> str:
        """Answer every path starting with prefix with make(path); returns the prefix's absolute URL."""
        self.prefixes[prefix] = make
        return self.base_url + prefix

    def requested(self, path: str) -> list[dict]:
        """Headers of every request made for path."""
        return [headers for logged, headers, _ in self.log if logged == path]

    def request_times(self, path: str) -> list[float]:
        """When each request for path arrived (time.monotonic)."""
        return [at for logged, _, at in self.log if logged == path]

    def handle_error(self, request, client_address) -> None:
        """A crawler that hangs up mid-page (a capped or stopped crawl) is expected here, not worth a traceback."""

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _EdgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server: EdgeServer = self.server
        server.log.append((self.path, dict(self.headers), time.monotonic()))
        status, headers, body = server.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        if self.path not in server.routes:
            make = next((m for prefix, m in server.prefixes.items() if self.path.startswith(prefix)), None)
            if make is not None:
                status, headers, body = make(self.path)
        etag = headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
