"""The dashboard's server stops cleanly. Its socket used to be closed from the stopping thread while the serving
thread waited in select(): when that thread had just been woken (a signal such as the SIGTERM that stops `yuqing
run`, or a select() round starting), it died with OSError EBADF and printed a traceback (waitress issue 468)."""

from __future__ import annotations

import signal
import socket
import threading
import time

from yuqing.service import DashboardServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_dashboard_server_stops_without_an_error_even_when_a_signal_wakes_it(app, monkeypatch):
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: errors.append(hook.exc_value))
    previous = signal.signal(signal.SIGUSR1, lambda *_: None)
    try:
        for _ in range(20):
            port = free_port()
            server = DashboardServer(app, port)
            server.start()
            time.sleep(0.02)
            signal.pthread_kill(server.ident, signal.SIGUSR1)  # as SIGTERM may land on the serving thread
            server.stop()
            server.join(5)
            assert not server.is_alive()
            with socket.socket() as sock:  # the port is free again: the listening socket was closed
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", port))
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert errors == []


def test_stopping_twice_or_before_start_is_harmless(app):
    unstarted = DashboardServer(app, free_port())
    unstarted.stop()
    server = DashboardServer(app, free_port())
    server.start()
    server.stop()
    server.stop()
    server.join(5)
    assert not server.is_alive()
