"""Form actions: validation messages in Chinese, rights checked on the server, audit rows carrying the user."""

from __future__ import annotations

from datetime import timedelta

from dash_support import viewer
from sqlalchemy import select

from dashboard.access import DENIED, NOT_VISIBLE
from dashboard.actions import run_event_action
from dashboard.event_form_checks import parse_local_time
from dashboard.user_actions import add_dashboard_user, set_user_active
from yuqing.db.models import AuditLog, Event, Response, User
from yuqing.timeutil import format_local, utcnow

ASSESS = {"topic": "medical", "urgency": 2, "office_code": "msfw", "comment": "已核实"}


def _audit(app, event_id: int, action: str) -> list[tuple[str, str | None]]:
    """(actor, comment) of the event's audit rows with this action."""
    with app.db.read() as session:
        return list(
            session.execute(
                select(AuditLog.actor, AuditLog.comment).where(AuditLog.event_id == event_id, AuditLog.action == action)
            )
        )


def test_duty_assesses_and_the_audit_row_names_the_user(seeded_app):
    app, data = seeded_app
    result = run_event_action(app, viewer("duty"), "assess", data.medical, ASSESS)
    assert result.ok and result.message == "已完成研判"
    with app.db.read() as session:
        event = session.get(Event, data.medical)
        assert (event.status, event.urgency, event.office_code) == ("assessed", 2, "msfw")
    rows = _audit(app, data.medical, "assess")
    assert rows and {actor for actor, _ in rows} == {"duty"} and rows[0][1] == "已核实"


def test_validation_messages_list_every_problem(seeded_app):
    app, data = seeded_app
    result = run_event_action(app, viewer("duty"), "assess", data.medical, {"topic": "nope", "office_code": "x"})
    assert not result.ok
    assert "请选择领域" in result.message and "请选择预警等级" in result.message and "请选择责任单位" in result.message
    respond = run_event_action(
        app,
        viewer("duty"),
        "respond",
        data.safety,
        {"stage": "respond", "channel": "", "url": "javascript:alert(1)", "content": "", "published_at": "明天"},
    )
    for text in ("请填写发布渠道", "链接应为以 http:// 或 https:// 开头的网址", "请填写发布内容", "发布时间格式应为"):
        assert text in respond.message
    future = format_local(utcnow() + timedelta(hours=2))
    late = run_event_action(
        app,
        viewer("duty"),
        "respond",
        data.safety,
        {"stage": "publish", "channel": "网站", "content": "通报", "published_at": future},
    )
    assert late.message == "发布时间不能晚于当前时间"
    assert (
        run_event_action(app, viewer("duty"), "false_alarm", data.xss, {"kind": "false_alarm"}).message == "请填写原因"
    )


def test_workflow_errors_are_shown(seeded_app):
    app, data = seeded_app
    result = run_event_action(app, viewer("duty"), "close", data.medical, {"comment": ""})
    assert not result.ok and "不能办结" in result.message


def test_office_user_acts_only_on_its_own_events_and_only_as_allowed(seeded_app):
    app, data = seeded_app
    published = format_local(utcnow() - timedelta(minutes=30))
    response = {
        "stage": "publish",
        "channel": "镇政府网站",
        "url": "https://example.gov.cn/n/1",
        "content": "情况通报",
        "published_at": published,
    }
    assert run_event_action(app, viewer("msfw"), "respond", data.safety, response).message == NOT_VISIBLE
    assert run_event_action(app, viewer("msfw"), "assess", data.medical, ASSESS).message == DENIED
    assert run_event_action(app, viewer("leader"), "assess", data.medical, ASSESS).message == DENIED
    assert run_event_action(app, viewer("admin"), "close", data.safety, {}).message == DENIED
    done = run_event_action(app, viewer("zzwb"), "respond", data.safety, response)
    assert done.ok, done.message
    with app.db.read() as session:
        recorded = session.scalar(
            select(Response).where(Response.event_id == data.safety, Response.recorded_by == "zzwb")
        )
        assert recorded.url == "https://example.gov.cn/n/1" and session.get(Event, data.safety).status == "responded"
    assert {actor for actor, _ in _audit(app, data.safety, "response_recorded")} == {"zzwb"}


def test_confirm_and_reject_proposed_responses(seeded_app):
    app, data = seeded_app
    with app.db.read() as session:
        proposed = session.scalar(select(Response.id).where(Response.status == "proposed"))
    rejected = run_event_action(app, viewer("zzwb"), "reject", data.safety, {"response_id": proposed, "comment": ""})
    assert rejected.message == "驳回时请填写原因"
    wrong_event = run_event_action(app, viewer("duty"), "confirm", data.xss, {"response_id": proposed})
    assert wrong_event.message == "该回应不属于本事件或已不存在"
    confirmed = run_event_action(app, viewer("zzwb"), "confirm", data.safety, {"response_id": proposed})
    assert confirmed.ok, confirmed.message
    again = run_event_action(app, viewer("zzwb"), "confirm", data.safety, {"response_id": proposed})
    assert not again.ok and "已处理" in again.message


def test_false_alarm_and_close(seeded_app):
    app, data = seeded_app
    result = run_event_action(
        app, viewer("duty"), "false_alarm", data.xss, {"kind": "no_action", "reason": "已核实无需处置"}
    )
    assert result.ok
    with app.db.read() as session:
        assert session.get(Event, data.xss).status == "no_action"
    assert run_event_action(app, viewer("duty"), "reassign", data.medical, {"office_code": "dzb"}).ok


def test_unknown_event_ids_are_not_visible(seeded_app):
    app, _ = seeded_app
    for event_id in (999999, "abc", None):
        assert run_event_action(app, viewer("duty"), "close", event_id, {}).message == NOT_VISIBLE


def test_parse_local_time():
    parsed = parse_local_time("2026-11-25 14:30")
    assert parsed.isoformat() == "2026-11-25T06:30:00+00:00"
    assert parse_local_time("2026-11-25T14:30") == parsed
    assert parse_local_time("25/11/2026") is None and parse_local_time(None) is None


def test_admin_adds_disables_and_enables_users(seeded_app):
    app, _ = seeded_app
    admin = viewer("admin")
    assert add_dashboard_user(app, viewer("duty"), {"username": "x1"}).message == DENIED
    assert "用户名" in add_dashboard_user(app, admin, {"username": "<b>"}).message
    assert (
        "密码至少" in add_dashboard_user(app, admin, {"username": "new1", "password": "short", "role": "duty"}).message
    )
    assert (
        "必须"
        in add_dashboard_user(app, admin, {"username": "new1", "password": "long-enough-1", "role": "office"}).message
    )
    created = add_dashboard_user(
        app,
        admin,
        {
            "username": "new1",
            "password": "long-enough-1",
            "role": "office",
            "office_code": "msfw",
            "display_name": "王五",
        },
    )
    assert created.ok
    assert (
        "已存在"
        in add_dashboard_user(app, admin, {"username": "new1", "password": "long-enough-1", "role": "duty"}).message
    )
    assert set_user_active(app, admin, "admin", active=False).message == "不能停用自己的账户"
    assert set_user_active(app, viewer("duty"), "new1", active=False).message == DENIED
    assert set_user_active(app, admin, "new1", active=False).ok
    with app.db.read() as session:
        active, office = session.execute(select(User.active, User.office_code).where(User.username == "new1")).one()
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.entity_id == "new1", AuditLog.actor == "admin")
        ).all()
    assert not active and office == "msfw" and {"user_add", "user_disable"} <= set(actions)
    assert set_user_active(app, admin, "new1", active=True).ok


def test_duty_merges_an_event_into_another_and_offices_may_not(seeded_app):
    app, data = seeded_app
    assert (
        run_event_action(app, viewer("msfw"), "merge", data.medical, {"target_id": str(data.safety)}).message == DENIED
    )
    assert (
        run_event_action(app, viewer("duty"), "merge", data.medical, {"target_id": "明天"}).message
        == "请填写要并入的事件编号,如 #128"
    )
    assert "不存在" in run_event_action(app, viewer("duty"), "merge", data.medical, {"target_id": "#99999"}).message
    result = run_event_action(
        app, viewer("duty"), "merge", data.xss, {"target_id": f"#{data.medical}", "comment": "同一事项"}
    )
    assert result.ok, result.message
    with app.db.read() as session:
        merged = session.get(Event, data.xss)
        assert (merged.status, merged.merged_into_id) == ("merged", data.medical)
    assert ("duty", "值班员判定为同一事项:同一事项") in _audit(app, data.xss, "merge")


def test_duty_splits_mentions_out_and_undoes_a_merge(seeded_app):
    from sqlalchemy import func

    from yuqing.db.models import Mention

    app, data = seeded_app
    with app.db.read() as session:
        ids = list(session.scalars(select(Mention.id).where(Mention.event_id == data.medical).order_by(Mention.id)))
    assert len(ids) >= 2
    assert (
        run_event_action(app, viewer("msfw"), "split", data.medical, {"mention_ids": f"#{ids[-1]}"}).message == DENIED
    )
    assert (
        "请填写要拆出的信息编号"
        in run_event_action(app, viewer("duty"), "split", data.medical, {"mention_ids": "最后一条"}).message
    )
    assert (
        "至少要留一条"
        in run_event_action(
            app, viewer("duty"), "split", data.medical, {"mention_ids": ", ".join(f"#{i}" for i in ids)}
        ).message
    )
    result = run_event_action(
        app, viewer("duty"), "split", data.medical, {"mention_ids": f"#{ids[-1]}", "comment": "另一件事"}
    )
    assert result.ok, result.message
    with app.db.read() as session:
        new_id = session.scalar(select(Mention.event_id).where(Mention.id == ids[-1]))
        assert new_id != data.medical
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.event_id == new_id, AuditLog.action == "split", AuditLog.actor == "duty")
            )
            == 1
        )
    assert run_event_action(app, viewer("duty"), "merge", new_id, {"target_id": f"#{data.medical}"}).ok
    assert run_event_action(app, viewer("duty"), "unmerge", data.medical, {}).message.startswith("事件 #")
    undone = run_event_action(app, viewer("duty"), "unmerge", new_id, {"comment": "确非同一事项"})
    assert undone.ok, undone.message
    with app.db.read() as session:
        restored = session.get(Event, new_id)
        assert (restored.status, restored.merged_into_id) == ("detected", None)
        assert session.scalar(select(Mention.event_id).where(Mention.id == ids[-1])) == new_id
