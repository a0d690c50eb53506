"""Officer actions: the lifecycle 发现 → 研判 → 回应 → 办结 → 评估, refusals in Chinese, an audit row per change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from workflow.factories import add_event, audit_rows, deadlines, minutes, outbox

from yuqing.db.models import Breach, Event, Response
from yuqing.workflow import actions
from yuqing.workflow.actions import WorkflowError


def _event(app, level=2, **kw):
    with app.db.write() as session:
        return add_event(session, app.settings, level=level, **kw).id


def _act(app, name, *args, **kw):
    with app.db.write() as session:
        return getattr(actions, name)(session, app.settings, *args, **kw)


def test_full_lifecycle_with_audit(any_app):
    event_id = _event(any_app, level=2, topic="work_safety")
    _act(any_app, "assess_event", event_id, "zhang", "work_safety", 2, "zzwb", comment="情况属实", now=minutes(20))
    _act(
        any_app,
        "record_response",
        event_id,
        "wang",
        "publish",
        "镇政府网站",
        "http://127.0.0.1/notice/1",
        "已组织救援,详情见通报",
        minutes(200),
        now=minutes(210),
    )
    _act(
        any_app,
        "record_response",
        event_id,
        "wang",
        "press",
        "新闻发布会",
        None,
        "召开发布会",
        minutes(600),
        now=minutes(610),
    )
    _act(any_app, "close_event", event_id, "zhang", comment="处置完毕", now=minutes(700))
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert (event.status, event.assessed_at, event.responded_at, event.closed_at) == (
            "closed",
            minutes(20),
            minutes(200),
            minutes(700),
        )
        done = deadlines(session, event_id, open_only=False)
        assert {s: r.done_at for s, r in done.items()} == {
            "assess": minutes(20),
            "publish": minutes(200),
            "press": minutes(600),
        }
        rows = [
            (r.actor, r.action, r.field, r.before, r.after)
            for r in audit_rows(session, event_id)
            if r.actor != "system"
        ]
    assert ("zhang", "assess", "status", "detected", "assessed") in rows
    assert ("zhang", "assess", "urgency", None, None) not in rows  # unchanged fields are not logged
    assert ("wang", "respond", "status", "assessed", "responded") in rows
    assert ("zhang", "close", "status", "responded", "closed") in rows
    assert [r[1] for r in rows if r[1] in ("deadline_done", "response_recorded")] == [
        "deadline_done",
        "response_recorded",
        "deadline_done",
        "response_recorded",
        "deadline_done",
    ]


def test_assessment_can_change_level_topic_and_office(any_app):
    event_id = _event(any_app, level=3, topic="other")
    _act(any_app, "assess_event", event_id, "zhang", "medical", 1, "msfw", comment="涉及伤亡", now=minutes(10))
    with any_app.db.read() as session:
        changes = {r.field: (r.before, r.after, r.comment) for r in audit_rows(session, event_id, "assess")}
        assert changes["urgency"] == ("3", "1", "涉及伤亡") and changes["topic"] == ("other", "medical", "涉及伤亡")
        assert changes["office_code"] == ("dzb", "msfw", "涉及伤亡")
        open_rows = deadlines(session, event_id)
        assert set(open_rows) == {"publish", "press"} and {r.office_code for r in open_rows.values()} == {"msfw"}
        alerts = outbox(session, kind="alert", status="pending")
        assert alerts and "等级上调" in alerts[-1].body_text
        assert alerts[-1].recipients == ["dzb@example.gov.cn", "msfw@example.gov.cn"]


@pytest.mark.parametrize(
    "call, message",
    [
        (("close_event", "zhang"), "不能办结。请先登记回应"),
        (("assess_event", "zhang", "no-such-topic", 2, "dzb"), "未知领域"),
        (("assess_event", "zhang", "other", 5, "dzb"), "预警等级应为 1–4"),
        (("assess_event", "zhang", "other", 2, "nobody"), "责任单位“nobody”不存在"),
        (("assess_event", "", "other", 2, "dzb"), "缺少操作人"),
        (("mark_false_alarm", "zhang", "  "), "请填写理由"),
        (("mark_false_alarm", "zhang", "理由", "maybe"), "类型应为"),
        (("reassign_office", "zhang", "zzwb"), "已由该单位办理"),  # work_safety → zzwb
        (("confirm_response", "zhang", 999), "没有编号为 999 的回应"),
    ],
)
def test_invalid_actions_are_refused_in_chinese(app, call, message):
    event_id = _event(app)
    name, *args = call
    args = [minutes(5) if a == "T" else a for a in args]
    with pytest.raises(WorkflowError, match=message):
        _act(app, name, event_id, *args, now=minutes(10))
    with pytest.raises(WorkflowError, match="不存在"):
        _act(app, "close_event", 12345, "zhang")


def test_response_input_is_checked(app):
    event_id = _event(app)
    _act(app, "assess_event", event_id, "zhang", "other", 2, "dzb", now=minutes(10))
    for args, message in [
        (("nonsense", "网站", None, "内容", minutes(20)), "回应环节应为"),
        (("publish", "", None, "内容", minutes(20)), "请填写发布渠道和回应内容"),
        (("publish", "网站", "javascript:alert(1)", "内容", minutes(20)), "网址应以"),
        (("publish", "网站", None, "内容", minutes(90)), "发布时间不能晚于当前时间"),
    ]:
        with pytest.raises(WorkflowError, match=message):
            _act(app, "record_response", event_id, "wang", *args, now=minutes(30))


def test_false_alarm_stops_the_clock_and_keeps_the_reason(any_app):
    event_id = _event(any_app)
    _act(any_app, "mark_false_alarm", event_id, "li", "外地事件,与本镇无关", kind="no_action", now=minutes(5))
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert (event.status, event.status_reason) == ("no_action", "外地事件,与本镇无关")
        assert deadlines(session, event_id) == {}
        assert {r.comment for r in audit_rows(session, event_id, "deadline_dropped")} == {
            "无需处置:外地事件,与本镇无关"
        }
    with pytest.raises(WorkflowError, match="当前状态为“无需处置”"):
        _act(any_app, "assess_event", event_id, "li", "other", 2, "dzb")


def test_reassign_moves_open_deadlines_and_tells_the_new_office(any_app):
    event_id = _event(any_app, level=2, topic="medical")
    from yuqing.workflow.jobs import check_deadlines

    check_deadlines(any_app, now=minutes(301))  # 研判 missed by the duty desk, 发布 by msfw
    _act(any_app, "reassign_office", event_id, "zhang", "zzwb", comment="属治安", now=minutes(305))
    with any_app.db.read() as session:
        open_rows = deadlines(session, event_id)
        assert {(s, r.holder, r.office_code) for s, r in open_rows.items()} == {
            ("assess", "duty", None),
            ("publish", "office", "zzwb"),
            ("press", "office", "zzwb"),
        }
        # zzwb could not act before 305: each of its stages gets the whole budget from then
        assert open_rows["publish"].due_at == minutes(305 + 300)
        assert open_rows["press"].due_at == minutes(305 + 24 * 60)
        assert session.execute(
            select(Breach.stage, Breach.holder, Breach.office_code).order_by(Breach.stage)
        ).all() == [("assess", "duty", None), ("publish", "office", "msfw")]  # each breach stays with whoever held it
        told = outbox(session, kind="alert")[-1]
        assert "转交贵单位" in told.body_text and "zzwb@example.gov.cn" in told.recipients
        (row,) = audit_rows(session, event_id, "reassign")
        assert (row.actor, row.before, row.after, row.comment) == ("zhang", "msfw", "zzwb", "属治安")


def test_proposed_response_is_confirmed_or_rejected_once(any_app):
    event_id = _event(any_app)
    _act(any_app, "assess_event", event_id, "zhang", "other", 2, "dzb", now=minutes(10))
    with any_app.db.write() as session:
        ids = []
        for hours in (1, 2):
            response = Response(
                event_id=event_id,
                stage="publish",
                status="proposed",
                channel="政务微博",
                content="情况通报",
                published_at=minutes(60 * hours),
            )
            session.add(response)
            session.flush()
            ids.append(response.id)
    _act(any_app, "reject_response", event_id, "zhang", ids[0], comment="与事件无关", now=minutes(200))
    _act(any_app, "confirm_response", event_id, "zhang", ids[1], now=minutes(200))
    with pytest.raises(WorkflowError, match="已处理"):
        _act(any_app, "confirm_response", event_id, "zhang", ids[1], now=minutes(201))
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert (event.status, event.responded_at) == ("responded", minutes(120))
        assert deadlines(session, event_id, open_only=False)["publish"].done_at == minutes(120)
        rows = [
            (r.entity, r.entity_id, r.before, r.after, r.comment)
            for r in audit_rows(session, event_id)
            if r.field == "response.status"
        ]
        assert rows == [
            ("response", str(ids[0]), "proposed", "rejected", "与事件无关"),
            ("response", str(ids[1]), "proposed", "confirmed", None),
        ]


def test_closing_before_the_effect_window_leaves_evaluation_to_the_job(any_app):
    from yuqing.workflow.jobs import evaluate_effects

    event_id = _event(any_app)
    _act(any_app, "assess_event", event_id, "zhang", "other", 2, "dzb", now=minutes(10))
    _act(any_app, "record_response", event_id, "wang", "publish", "网站", None, "通报", minutes(60), now=minutes(60))
    _act(any_app, "close_event", event_id, "zhang", now=minutes(120))
    with any_app.db.read() as session:
        assert session.get(Event, event_id).status == "closed"
    assert evaluate_effects(any_app, now=minutes(60) + timedelta(hours=23)) == 0
    assert evaluate_effects(any_app, now=minutes(60) + timedelta(hours=24)) == 1
    with any_app.db.read() as session:
        event = session.get(Event, event_id)
        assert event.status == "evaluated" and event.effect["after"]["mentions"] == 0
