"""The monthly report charges each stage to whoever held it: an office that answered before the duty desk's 研判 has
its own response time, and a late 研判 is the duty desk's, never the office's."""

from __future__ import annotations

from month_seed import act, assess, detect, local, respond

from yuqing.reports.build import generate
from yuqing.reports.periods import parse_month
from yuqing.workflow.jobs import check_deadlines


def test_an_office_answering_before_a_late_assessment_is_not_charged_for_it(app, tmp_path):
    event = detect(app, "卫生院停诊", 3, "medical", "msfw", local(11, 10, 9), 2)  # 研判 2 h, 回应 48 h
    respond(app, event, "respond", local(11, 10, 9, 40), local(11, 10, 9, 45))  # the office answers at once
    check_deadlines(app, now=local(11, 10, 11, 1))  # the duty desk misses its 研判
    assess(app, event, "medical", 3, "msfw", local(11, 10, 15))
    act(app, "close_event", event, "duty", now=local(11, 11, 9))
    generated = generate(app, parse_month("2026-11"), tmp_path, now=local(12, 5))
    offices = {row[0]: row for row in generated.content.tables()[2].rows}
    duty, msfw = offices["舆情值班室"], offices["民生服务中心"]
    assert (duty[2], duty[3], duty[7]) == (1, 0.0, 1)  # one 研判, late: the duty desk's
    assert (msfw[4], msfw[5], msfw[7]) == (1, 1.0, 0)  # its 回应 on time, no breach
    assert round(msfw[9], 2) == 0.75  # responded 45 min after detection, not at the 研判 6 h later
    assert generated.content.summary["suggestions"] == []  # one level-3 breach meets no rule
