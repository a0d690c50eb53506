"""The outbox: dedupe keys within and across transactions, and report attachments carried to the e-mail."""

from __future__ import annotations

import pytest
from mail_support import smtp_config
from workflow.factories import T0, outbox

from yuqing.mail.delivery import deliver_due
from yuqing.mail.outbox import enqueue


def _queue(session, key="k1", **kw):
    return enqueue(
        session,
        kind="report",
        recipients=["leader@example.gov.cn"],
        subject="月报",
        body_text="见附件",
        dedupe_key=key,
        now=T0,
        **kw,
    )


def test_a_dedupe_key_is_queued_once_within_and_across_transactions(any_app):
    with any_app.db.write() as session:
        assert _queue(session) is not None
        assert _queue(session) is None
    with any_app.db.write() as session:
        assert _queue(session) is None
        assert len(outbox(session)) == 1


def test_a_rolled_back_key_can_be_queued_again(app):
    with app.db.write() as session:
        _queue(session, "outer")
        with pytest.raises(RuntimeError), session.begin_nested():
            _queue(session, "k2")
            raise RuntimeError("cause failed")
        assert _queue(session, "k2") is not None
        assert _queue(session, "outer") is None  # still pending from before the savepoint
    with app.db.read() as session:
        assert [row.dedupe_key for row in outbox(session)] == ["outer", "k2"]


def test_attachments_are_sent_and_a_missing_one_fails_for_good(make_app, smtp_sink, tmp_path):
    app = make_app(smtp_config(smtp_sink.port))
    report = tmp_path / "2026年11月问责报告.docx"
    report.write_bytes(b"PK\x03\x04 docx bytes")
    with app.db.write() as session:
        _queue(session, "with-file", payload={"attachments": [str(report)]})
        _queue(session, "missing", payload={"attachments": [str(tmp_path / "gone.xlsx")]})
    result = deliver_due(app, now=T0)
    assert (result.sent, result.failed) == (1, 1)
    (received,) = smtp_sink.received
    (attachment,) = list(received.message.iter_attachments())
    assert attachment.get_filename() == "2026年11月问责报告.docx"
    assert attachment.get_content() == b"PK\x03\x04 docx bytes"
    with app.db.read() as session:
        assert "附件无法读取" in outbox(session, dedupe_key="missing")[0].last_error
