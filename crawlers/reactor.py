"""Installs the one Twisted reactor every crawl in this process runs on (asyncio-based, as Scrapy expects)."""

from __future__ import annotations

import sys

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


class ReactorMismatch(RuntimeError):
    """Another reactor was installed first (for example by importing apscheduler.schedulers.twisted)."""


def install() -> None:
    """Install the asyncio reactor; call before anything imports twisted.internet.reactor. Idempotent."""
    from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed

    if "twisted.internet.reactor" in sys.modules:
        if is_asyncio_reactor_installed():
            return
        installed = type(sys.modules["twisted.internet.reactor"]).__name__
        raise ReactorMismatch(
            f"已安装了 {installed},采集需要 AsyncioSelectorReactor:请在导入 twisted.internet.reactor 之前调用 "
            "crawlers.reactor.install()"
        )
    install_reactor(REACTOR)


def stop_on_signals(reactor) -> None:
    """SIGINT (Ctrl-C) and SIGTERM stop the reactor, set explicitly: a process started as a background job inherits
    SIGINT ignored, and Twisted then installs no handler of its own, so the process could not be stopped.

    Registered with the asyncio loop under the reactor (call on the main thread), not with signal.signal: the kernel
    may deliver a signal to any thread, and a Python handler only runs once the main thread wakes, which an idle
    reactor (blocked in select() with nothing scheduled) never did, so a SIGTERM at start-up was lost. The loop's
    handler wakes select() through its wakeup pipe; a signal before reactor.run() is handled once the loop runs."""
    import signal

    from twisted.internet.error import ReactorNotRunning

    def stop() -> None:
        try:
            reactor.stop()
        except ReactorNotRunning:
            pass  # a second Ctrl-C while shutting down

    for sig in (signal.SIGINT, signal.SIGTERM):
        reactor._asyncioEventloop.add_signal_handler(sig, stop)


def in_reactor_thread() -> bool:
    """True when called on the thread the reactor runs on (or would run on)."""
    from twisted.python import threadable

    return threadable.isInIOThread()
