"""A sender killed mid-delivery (SIGKILL): the next delivery round on the same host takes its claims at once,
instead of waiting out the 300 s lease; live senders and other machines keep theirs until the lease ends."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from mail_support import smtp_config
from sqlalchemy import update
from workflow.factories import add_event, outbox

from yuqing.db.models import OutboxMessage
from yuqing.mail.delivery import LEASE_SECONDS, deliver_due
from yuqing.timeutil import utcnow

SCRIPT = Path(__file__).with_name("killable_delivery.py")


def _alerts(app, count: int) -> list[str]:
    with app.db.write() as session:
        for i in range(count):
            add_event(session, app.settings, level=1, title=f"事件{i}")
        return [row.message_id for row in outbox(session)]


def _hanging_sender(app, point: str) -> subprocess.Popen:
    """A delivery process (real clock) stopped at `point` with its claims taken."""
    config = app.settings.model_dump(mode="json", by_alias=True)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), json.dumps(config), app.settings.config_path, utcnow().isoformat(), point],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "HANGING"
    return process


def _statuses(app) -> Counter:
    with app.db.read() as session:
        return Counter(row.status for row in outbox(session))


def test_alerts_of_a_killed_sender_go_out_within_seconds(make_app, db_url, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port), db_url)
    ids = _alerts(app, 3)
    for point in ("mid-smtp", "after-accept"):
        sender = _hanging_sender(app, point)
        sender.kill()  # SIGKILL: no cleanup, no commit
        sender.wait()
        killed = time.monotonic()
        assert _statuses(app)["sending"] >= 1
        report = deliver_due(app)  # the restarted process's first delivery round, real clock
        assert report.sent >= 1 and time.monotonic() - killed < 5
        assert _statuses(app) == {"sent": 3}
        with app.db.write() as session:  # queue them again for the second kind of crash
            session.execute(update(OutboxMessage).values(status="pending", next_attempt_at=utcnow()))
    received = Counter(smtp_sink.message_ids())
    assert set(received) == set(ids)
    # Only a crash between the server's acceptance and our commit sends one twice, under the same Message-ID.
    assert sum(received.values()) <= 2 * len(ids) + 1


def test_a_live_sender_keeps_its_claim_until_it_dies(make_app, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port))
    _alerts(app, 2)
    sender = _hanging_sender(app, "mid-smtp")
    try:
        assert deliver_due(app).sent == 0  # still working on them (it may just be slow)
        assert _statuses(app)["sending"] == 2
    finally:
        sender.kill()
        sender.wait()
    assert deliver_due(app).sent == 2


def test_claims_held_on_another_machine_wait_for_the_lease(make_app, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port))
    _alerts(app, 1)
    now = utcnow()
    with app.db.write() as session:
        session.execute(
            update(OutboxMessage).values(status="sending", claimed_at=now, claimed_by="other-host:4242:123456")
        )
    assert deliver_due(app, now=now + timedelta(seconds=LEASE_SECONDS - 1)).sent == 0
    assert deliver_due(app, now=now + timedelta(seconds=LEASE_SECONDS)).sent == 1
