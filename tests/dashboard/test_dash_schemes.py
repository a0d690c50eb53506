"""监测方案 page: who may do what (checked on the server), save only through the same checks, in force at once."""

from __future__ import annotations

from datetime import timedelta

from dash_support import XSS_TITLE, dash_call, login, viewer
from sqlalchemy import func, select

from dashboard.access import DENIED
from dashboard.scheme_actions import preview_values, reapply_from_page, save_from_page, toggle_from_page
from yuqing.db.models import AuditLog, MonitoringScheme
from yuqing.schemes.reapply_runs import STALE, claim, run_state, wait_reapply
from yuqing.timeutil import utcnow

WATER = {"name": "供水", "region": "", "subject": "", "event": "自来水|停水", "exclude": ""}


def _id(app, name):
    with app.db.read() as session:
        return session.scalar(select(MonitoringScheme.id).where(MonitoringScheme.name == name))


def test_offices_keep_their_own_schemes_admins_every_scheme(seeded_app):
    app, _ = seeded_app
    for name in ("duty", "leader"):
        assert save_from_page(app, viewer(name), None, WATER, None, "")[0].message == DENIED
        assert preview_values(app, viewer(name), WATER)[1] is None
    # An office user previews over every mention, but sees titles only outside other offices' events.
    _, office_preview = preview_values(app, viewer("msfw"), WATER)
    _, admin_preview = preview_values(app, viewer("admin"), WATER)
    assert office_preview.matched == admin_preview.matched == 2  # the 郭滩村 office's event
    assert (office_preview.hidden, office_preview.rows) == (2, [])
    assert admin_preview.hidden == 0 and len(admin_preview.rows) == 2
    # An office user creates a scheme: it is kept by their office, whatever the form says.
    result, _, saved = save_from_page(app, viewer("msfw"), None, WATER, None, "民生关注")
    assert result.ok, result.message
    with app.db.read() as session:
        assert session.get(MonitoringScheme, saved).office_code == "msfw"
    # Another office may not change it, nor the town's scheme seeded from config.toml; an admin may.
    town = _id(app, "东园镇")
    assert save_from_page(app, viewer("zzwb"), saved, {**WATER, "event": "停水"}, None, "")[0].message == DENIED
    assert toggle_from_page(app, viewer("msfw"), town, "").message == DENIED
    assert save_from_page(app, viewer("admin"), saved, {**WATER, "event": "停水"}, "msfw", "")[0].ok
    assert toggle_from_page(app, viewer("msfw"), saved, "暂停").ok
    assert reapply_from_page(app, viewer("msfw"), 7).message == DENIED
    assert not reapply_from_page(app, viewer("admin"), 0).ok


def test_save_checks_like_config_and_applies_at_once(seeded_app):
    app, _ = seeded_app
    result, problems, _ = save_from_page(app, viewer("admin"), None, {**WATER, "event": "自来水+(停水"}, None, "")
    assert not result.ok and problems[0].field == "event" and problems[0].position == 5
    assert "事件词" in result.message and "第 5 个字符" in result.message
    assert [s.name for s in app.settings.schemes] == ["东园镇"]
    assert save_from_page(app, viewer("admin"), None, WATER, None, "")[0].ok
    assert [s.name for s in app.settings.schemes] == ["东园镇", "供水"]  # this process uses it now


def _texts(node) -> list[str]:
    """Every text in a callback's JSON answer."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    return []


def test_preview_through_the_page_counts_and_lists_titles_as_text(dash_app, seeded_app):
    client = dash_app.server.test_client()
    assert login(client, "admin").status_code == 302
    values = {f"sc-{key}.value": value for key, value in WATER.items()}
    response = dash_call(client, "sc-preview-result.children", {"sc-preview.n_clicks": 1, **values})
    assert response.status_code == 200
    answer = response.get_json()["response"]
    texts = _texts(answer["sc-preview-result"])
    assert any("该方案命中 2 条" in text for text in texts)
    assert XSS_TITLE in texts  # a plain string child: React renders it as text, never as markup
    assert answer["sc-previewed"]["data"]
    bad = {**values, "sc-event.value": "自来水|"}
    answer = dash_call(client, "sc-preview-result.children", {"sc-preview.n_clicks": 2, **bad}).get_json()["response"]
    assert any("第 5 个字符" in text for text in _texts(answer["sc-errors"]))
    assert answer["sc-previewed"]["data"] is None


def _status(client) -> dict:
    answer = dash_call(client, "sc-reapply-status.children", {"sc-reapply-started.data": 1, "tick.n_intervals": 1})
    assert answer.status_code == 200
    return answer.get_json()["response"]


def test_reapply_runs_in_the_background_and_the_page_shows_its_result(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    assert login(client, "admin").status_code == 302
    assert _status(client)["sc-reapply"]["disabled"] is False  # never run: nothing to show, the button free
    answer = dash_call(client, "sc-reapply-msg.children", {"sc-reapply.n_clicks": 1, "sc-days.value": 7})
    assert any("已在后台开始" in text for text in _texts(answer.get_json()["response"]))
    wait_reapply(app)
    shown = _status(client)
    state = _texts(shown["sc-reapply-status"])
    assert any(t.startswith("上次重新应用(admin,") and "已按当前监测方案重新判断最近 7 天" in t for t in state)
    assert "admin" in _texts(shown["sc-reapply-log"])  # the log row: who re-applied
    assert shown["sc-reapply"]["disabled"] is False
    office = dash_app.server.test_client()
    assert login(office, "msfw").status_code == 302
    answer = dash_call(office, "sc-reapply-msg.children", {"sc-reapply.n_clicks": 1, "sc-days.value": 7})
    assert DENIED in _texts(answer.get_json()["response"])
    assert dash_call(office, "sc-reapply-status.children", {"tick.n_intervals": 1}).status_code == 204


def test_a_second_run_is_refused_while_one_runs_anywhere(dash_app, seeded_app):
    app, _ = seeded_app
    client = dash_app.server.test_client()
    assert login(client, "admin").status_code == 302
    # Another process (here: a command line elsewhere) holds the run record.
    claim(app, "张管理", 30, "cli@elsewhere:4242")
    answer = dash_call(client, "sc-reapply-msg.children", {"sc-reapply.n_clicks": 1, "sc-days.value": 7})
    (refusal,) = [t for t in _texts(answer.get_json()["response"]) if "正在进行" in t]
    assert refusal.startswith("已有一次重新应用正在进行(张管理,") and refusal.endswith("请等它完成后再试")
    assert "正在重新判断最近 30 天的信息" in refusal
    shown = _status(client)
    assert any(t.startswith("正在后台重新应用(张管理,") for t in _texts(shown["sc-reapply-status"]))
    assert shown["sc-reapply"]["disabled"] is True
    with app.db.read() as session:
        assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "scheme_reapply")) == 0


def test_a_run_that_died_with_its_process_does_not_block_for_ever(seeded_app):
    app, _ = seeded_app
    claim(app, "张管理", 30, "web@gone:1", now=utcnow() - STALE - timedelta(minutes=1))
    state = run_state(app)
    assert state is not None and not state.running and "未完成即中断" in state.text()
    assert reapply_from_page(app, viewer("admin"), 3).ok
    wait_reapply(app)
    state = run_state(app)
    assert state is not None and state.ok and state.started_by == "admin" and "最近 3 天" in state.progress
