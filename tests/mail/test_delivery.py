"""Delivery: real SMTP on 127.0.0.1, retries with backoff while it is down, no loss and no duplicate after a kill."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from mail_support import free_port, smtp_config
from workflow.factories import T0, add_event, minutes, outbox

from yuqing.mail.delivery import LEASE_SECONDS, backoff, deliver_due
from yuqing.mail.sink import SmtpSink
from yuqing.mail.transports import eml_name

SCRIPT = Path(__file__).with_name("killable_delivery.py")


def _alerts(app, count=1, level=1):
    with app.db.write() as session:
        for i in range(count):
            add_event(session, app.settings, level=level, title=f"事件{i}")
        return [row.message_id for row in outbox(session)]


def test_alert_arrives_by_smtp_with_text_html_and_stable_message_id(make_app, db_url, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port), db_url)
    (message_id,) = _alerts(app)
    report = deliver_due(app, now=T0)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (received,) = smtp_sink.received
    email = received.message
    assert email["Message-ID"] == message_id
    assert email["Subject"].startswith("【舆情提醒·特别重大(红)】事件0")
    assert sorted(received.recipients) == ["dzb@example.gov.cn", "zzwb@example.gov.cn"]
    assert email.get_content_type() == "multipart/alternative"
    assert "研判(舆情值班室):2026-11-25 10:30" in email.get_body(("plain",)).get_content()
    assert "<h2>发现舆情事件</h2>" in email.get_body(("html",)).get_content()
    assert deliver_due(app, now=T0 + timedelta(hours=1)).sent == 0
    with app.db.read() as session:
        (row,) = outbox(session)
        assert (row.status, row.attempts, row.sent_at) == ("sent", 1, T0)


def test_backoff_doubles_up_to_the_maximum(settings_factory):
    conf = settings_factory({"mail": {"retry_base_seconds": 10, "retry_max_seconds": 600}}).mail
    assert [backoff(conf, n).total_seconds() for n in range(1, 9)] == [10, 20, 40, 80, 160, 320, 600, 600]


def test_smtp_down_for_ten_minutes_then_every_alert_arrives_once(make_app, db_url):
    port = free_port()
    app = make_app(smtp_config(port), db_url)
    ids = _alerts(app, count=5)
    clock = T0
    while clock <= minutes(10):  # the delivery job every 30 s while the server is down
        assert deliver_due(app, now=clock).sent == 0
        clock += timedelta(seconds=30)
    with app.db.read() as session:
        rows = outbox(session)
        assert {r.status for r in rows} == {"pending"} and {r.attempts for r in rows} == {
            6
        }  # at 0, 30, 60, 120, 210, 390 s
        assert "无法连接 SMTP 服务器" in rows[0].last_error
    with SmtpSink(port=port) as sink:
        # The next run finds the server back and sends everything, though the backoff had another 5 minutes.
        assert deliver_due(app, now=clock).sent == 5
        for _ in range(30):
            clock += timedelta(seconds=30)
            deliver_due(app, now=clock)
        assert sorted(sink.message_ids()) == sorted(ids)  # every one, each once
    with app.db.read() as session:
        assert {r.status for r in outbox(session)} == {"sent"}


def _run_and_kill(app, point: str) -> None:
    config = app.settings.model_dump(mode="json", by_alias=True)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), json.dumps(config), app.settings.config_path, T0.isoformat(), point],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "HANGING"
    finally:
        process.kill()  # SIGKILL: no cleanup, no commit
        process.wait()


def test_kill_after_writing_an_eml_file_does_not_duplicate_it(make_app, db_url):
    app = make_app({}, db_url)
    ids = _alerts(app, count=3)
    _run_and_kill(app, "after-accept")
    folder = Path(app.settings.mail.outbox_dir)
    assert [p.name for p in folder.glob("*.eml")] == [eml_name(ids[0])]
    assert deliver_due(app, now=T0 + timedelta(seconds=1)).sent == 3  # the sender is gone: no lease to wait out
    assert sorted(p.name for p in folder.glob("*")) == sorted(eml_name(i) for i in ids)  # no temp files either


def test_kill_mid_smtp_conversation_delivers_each_alert_once(make_app, db_url, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port), db_url)
    ids = _alerts(app, count=3)
    _run_and_kill(app, "mid-smtp")
    assert smtp_sink.received == []
    deliver_due(app, now=T0 + timedelta(seconds=LEASE_SECONDS))
    assert sorted(smtp_sink.message_ids()) == sorted(ids)


def test_kill_after_smtp_accepted_resends_under_the_same_message_id(make_app, smtp_sink):
    """The documented at-least-once edge: the copy carries the same Message-ID, so receivers drop it."""
    app = make_app(smtp_config(smtp_sink.port))
    ids = _alerts(app, count=3)
    _run_and_kill(app, "after-accept")
    deliver_due(app, now=T0 + timedelta(seconds=LEASE_SECONDS))
    assert Counter(smtp_sink.message_ids()) == {ids[0]: 2, ids[1]: 1, ids[2]: 1}


def test_eml_folder_writes_one_file_per_message_even_if_delivered_twice(make_app):
    app = make_app()
    (message_id,) = _alerts(app)
    deliver_due(app, now=T0)
    with app.db.write() as session:
        (row,) = outbox(session)
        row.status = "pending"  # as if the mark had been lost
    assert deliver_due(app, now=T0).sent == 1
    files = list(Path(app.settings.mail.outbox_dir).iterdir())
    assert [f.name for f in files] == [eml_name(message_id)]
    assert f"Message-ID: {message_id}" in files[0].read_text()


def test_permanent_refusal_is_not_retried(make_app, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port))
    with app.db.write() as session:
        from yuqing.mail.outbox import enqueue

        enqueue(session, kind="alert", recipients=["nobody@example.gov.cn"], subject="测试", body_text="正文", now=T0)

    async def refuse(server, session, envelope, address, options):
        return "550 no such user"

    smtp_sink._controller.handler.handle_RCPT = refuse
    assert deliver_due(app, now=T0).failed == 1
    with app.db.read() as session:
        (row,) = outbox(session)
        assert row.status == "failed" and "收件人全部被拒绝" in row.last_error
    assert deliver_due(app, now=T0 + timedelta(hours=1)).failed == 0


@pytest.mark.parametrize("attempts", [3])
def test_gives_up_after_max_attempts(make_app, attempts):
    app = make_app(smtp_config(free_port(), max_attempts=attempts))
    _alerts(app)
    clock = T0
    for _ in range(attempts + 2):
        deliver_due(app, now=clock)
        clock += timedelta(hours=1)
    with app.db.read() as session:
        (row,) = outbox(session)
        assert (row.status, row.attempts) == ("failed", attempts)
