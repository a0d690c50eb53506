"""A local SMTP server that keeps what it receives (aiosmtpd on loopback, any free port), for tests, benchmarks and demos."""

from __future__ import annotations

import email
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


@dataclass
class Received:
    """One accepted message, with when it was accepted (time.perf_counter)."""

    message: EmailMessage
    recipients: list[str]
    accepted_at: float

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.sink._accept(Received(message, list(envelope.rcpt_tos), time.perf_counter()))
        return "250 OK"


class SmtpSink:
    """Start with `with SmtpSink() as sink:`; `sink.port` is the bound port, `sink.received` what arrived."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        credentials: tuple[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ):
        """credentials: require AUTH with this user and password; tls_context: offer STARTTLS (or, with
        implicit_tls, speak TLS from the first byte, as smtp_ssl expects)."""
        self.host, self.port = host, port
        self.credentials, self.tls_context, self.implicit_tls = credentials, tls_context, implicit_tls
        self.received: list[Received] = []
        self._changed = threading.Condition()
        self._controller: Any = None

    def _accept(self, item: Received) -> None:
        with self._changed:
            self.received.append(item)
            self._changed.notify_all()

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class _Controller(Controller):
            def _trigger_server(self):
                # Port 0 lets the OS choose; learn the real port before aiosmtpd's readiness probe connects.
                server: Any = self.server  # an asyncio Server, created just before this hook runs
                self.port = sink.port = server.sockets[0].getsockname()[1]
                super()._trigger_server()

        options: dict = {}
        if self.credentials:
            options.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=self.tls_context is not None
            )
        if self.tls_context and self.implicit_tls:
            options["ssl_context"] = self.tls_context
        elif self.tls_context:
            options.update(tls_context=self.tls_context, require_starttls=True)
        self._controller = _Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        return AuthResult(success=ok, handled=False)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def message_ids(self) -> list[str]:
        """Message-IDs of everything received, in order (duplicates included)."""
        return [item.message_id for item in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least `count` messages have arrived."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.received) >= count, timeout)
