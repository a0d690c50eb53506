"""The duty desk hears by mail, over real SMTP, when its 研判 deadline reaches 80 % and when it is missed."""

from __future__ import annotations

from mail_support import smtp_config
from workflow.factories import add_event, minutes

from yuqing.mail.delivery import deliver_due
from yuqing.workflow.jobs import check_deadlines


def test_the_duty_desk_is_mailed_at_80_percent_and_on_breach(make_app, db_url, smtp_sink):
    app = make_app(smtp_config(smtp_sink.port), db_url)
    with app.db.write() as session:
        add_event(session, app.settings, level=3, topic="medical", title="卫生院排长队")  # 研判 2 h; msfw responds
    deliver_due(app, now=minutes(1))  # the office's own alert of a level-3 event waits for the digest
    assert smtp_sink.received == []
    check_deadlines(app, now=minutes(97))  # 80 % of 2 h is 96 min
    check_deadlines(app, now=minutes(121))
    report = deliver_due(app, now=minutes(122))
    assert report.failed == 0
    received = {message.message["Subject"].split("】")[0]: sorted(message.recipients) for message in smtp_sink.received}
    assert received == {
        "【时限预警·研判已用去80%": ["zhiban@example.gov.cn"],
        "【超时·研判": ["zhiban@example.gov.cn"],
        "【超时升级·第1级·研判": ["zhiban-head@example.gov.cn"],
    }
    body = next(m.message for m in smtp_sink.received if "80%" in m.message["Subject"]).get_body(("plain",))
    assert "舆情值班室:“研判”时限已用去 80%" in body.get_content()
