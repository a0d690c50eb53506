"""SMTP options against a real local server: AUTH, STARTTLS and implicit TLS (certificate made for 127.0.0.1)."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from mail_support import smtp_config
from workflow.factories import T0, add_event

from yuqing.mail.delivery import deliver_due
from yuqing.mail.sink import SmtpSink


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for IP 127.0.0.1, trusted by the client through SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _alert(app):
    with app.db.write() as session:
        add_event(session, app.settings, level=1)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("password, sent", [("s3cret", 1), ("wrong", 0)])
def test_login(make_app, password, sent):
    with SmtpSink(credentials=("yuqing", "s3cret")) as sink:
        app = make_app(smtp_config(sink.port, smtp_user="yuqing", smtp_password=password))
        _alert(app)
        report = deliver_due(app, now=T0)
        assert (report.sent, report.retried) == (sent, 1 - sent)
        assert len(sink.received) == sent
    if not sent:
        from workflow.factories import outbox

        with app.db.read() as session:
            assert "SMTP 登录失败" in outbox(session)[0].last_error


def test_starttls_with_login(make_app, certificate):
    with SmtpSink(credentials=("yuqing", "s3cret"), tls_context=certificate) as sink:
        app = make_app(smtp_config(sink.port, smtp_user="yuqing", smtp_password="s3cret", smtp_starttls=True))
        _alert(app)
        assert deliver_due(app, now=T0).sent == 1
        assert len(sink.received) == 1


def test_implicit_tls(make_app, certificate):
    with SmtpSink(tls_context=certificate, implicit_tls=True) as sink:
        app = make_app(smtp_config(sink.port, smtp_ssl=True))
        _alert(app)
        assert deliver_due(app, now=T0).sent == 1
        assert len(sink.received) == 1
