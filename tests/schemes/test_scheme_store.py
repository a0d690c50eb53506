"""Monitoring schemes in the database: seeded from config.toml, checked like it, every change versioned and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.config import ConfigError
from yuqing.db.models import AuditLog, MonitoringScheme, SchemeVersion
from yuqing.schemes.store import SchemeError, check_scheme, save_scheme, set_enabled, versions

TOWN = {"name": "东园镇", "region": "东园|沙坡头|中卫|郭滩村|金沙村|柔新村|东园村"}
WATER = {"name": "供水", "region": "东园", "event": "停水|自来水"}


def _open(settings_factory, db_url, schemes):
    return open_app(settings_factory({"schemes": schemes}, db_url=db_url))


def _row(app, name) -> MonitoringScheme:
    with app.db.read() as session:
        row = session.scalars(select(MonitoringScheme).where(MonitoringScheme.name == name)).one()
        session.expunge(row)
        return row


def test_config_seeds_schemes_and_a_page_edit_wins_over_config(settings_factory, db_url):
    app = _open(settings_factory, db_url, [TOWN, WATER])
    water = _row(app, "供水")
    assert (water.origin, water.managed_by, water.version, water.created_by) == ("config", "config", 1, "config")
    assert [s.name for s in app.settings.schemes] == ["东园镇", "供水"]
    app.close()

    # Still governed by config: an edited config.toml is followed when the application opens again.
    app = _open(settings_factory, db_url, [TOWN, {**WATER, "event": "停水|断水"}])
    assert _row(app, "供水").event == "停水|断水" and _row(app, "供水").version == 2
    with app.db.write() as session:
        save_scheme(session, {**WATER, "event": "停水|断水|水压低"}, "admin", scheme_id=water.id, comment="加词")
    app.close()

    # Edited on the page: config no longer touches it; a scheme config dropped (still config's) is disabled.
    app = _open(settings_factory, db_url, [{**WATER, "event": "停水"}])
    assert _row(app, "供水").event == "停水|断水|水压低" and _row(app, "供水").managed_by == "dashboard"
    assert _row(app, "东园镇").enabled is False
    assert {s.name: s.enabled for s in app.settings.schemes} == {"东园镇": False, "供水": True}
    assert app.settings.schemes[1].event == "停水|断水|水压低"
    with app.db.read() as session:
        history = [(v.version, v.action, v.actor) for v in versions(session, water.id)]
        dropped = session.scalars(
            select(AuditLog.comment).where(AuditLog.entity_id == "东园镇", AuditLog.action == "scheme_config")
        ).all()
    assert history == [(3, "edit", "admin"), (2, "config", "config"), (1, "seed", "config")]
    assert any("config.toml 中已没有此方案" in comment for comment in dropped)
    app.close()


def test_a_bad_expression_is_refused_with_its_position_as_config_refuses_it(settings_factory):
    with pytest.raises(SchemeError) as caught:
        check_scheme({"name": "医疗", "region": "东园", "subject": "卫生院|(医院+", "exclude": "(广告"})
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"subject", "exclude"}
    assert problems["subject"].position == 9 and "第 9 个字符" in problems["subject"].message
    assert problems["subject"].message.startswith("主体词")
    assert problems["exclude"].position == 1 and "缺少对应的“)”" in problems["exclude"].message
    # The same parser and message as config.toml's loader
    with pytest.raises(ConfigError) as config_error:
        settings_factory({"schemes": [{"name": "医疗", "subject": "卫生院|(医院+"}]})
    assert problems["subject"].message.split(":", 1)[1] in str(config_error.value)
    with pytest.raises(SchemeError, match="请填写方案名称"):
        check_scheme({"name": "  ", "region": "东园"})
    assert check_scheme({"name": "全部", "region": ""}).region == ""  # empty groups match every text, as in config


def test_every_change_is_a_version_with_before_and_after_and_a_chinese_audit_row(app):
    with app.db.write() as session:
        row = save_scheme(session, {"name": "养老", "region": "东园", "subject": "养老院"}, "admin")
        scheme_id = row.id
    with app.db.write() as session:
        save_scheme(
            session, {"name": "养老", "region": "东园", "subject": "养老院|敬老院"}, "msfw", scheme_id=scheme_id
        )
    with app.db.write() as session:
        with pytest.raises(SchemeError, match="没有变化"):
            save_scheme(
                session, {"name": "养老", "region": "东园", "subject": "养老院|敬老院"}, "x", scheme_id=scheme_id
            )
    with app.db.write() as session:
        with pytest.raises(SchemeError, match="已被使用"):
            save_scheme(session, {"name": "东园镇", "region": "东园"}, "admin", scheme_id=scheme_id)
    with app.db.write() as session:
        set_enabled(session, scheme_id, False, "admin", "暂停")
    with app.db.write() as session:
        set_enabled(session, scheme_id, True, "admin")
    with app.db.read() as session:
        rows = session.scalars(
            select(SchemeVersion).where(SchemeVersion.scheme_id == scheme_id).order_by(SchemeVersion.version)
        ).all()
        audit = session.scalars(
            select(AuditLog).where(AuditLog.entity == "scheme", AuditLog.entity_id == "养老").order_by(AuditLog.id)
        ).all()
        assert [(r.version, r.action, r.actor) for r in rows] == [
            (1, "create", "admin"),
            (2, "edit", "msfw"),
            (3, "disable", "admin"),
            (4, "enable", "admin"),
        ]
        assert rows[0].before is None
        assert rows[1].before["subject"] == "养老院" and rows[1].after["subject"] == "养老院|敬老院"
        assert rows[2].after["enabled"] is False and rows[2].comment == "暂停"
        assert [a.action for a in audit] == ["scheme_create", "scheme_edit", "scheme_disable", "scheme_enable"]
        assert "主体词 养老院;" in audit[1].before and "主体词 养老院|敬老院" in audit[1].after
        assert audit[2].comment.startswith("监测方案“养老”第 3 版:停用")


def test_config_refuses_two_schemes_with_one_name_naming_the_line(tmp_path):
    from yuqing.config import settings_from_text

    text = '[[schemes]]\nname = "东园"\nregion = "东园"\n\n[[schemes]]\nname = "东园"\nregion = "中卫"\n'
    with pytest.raises(ConfigError, match=r"config.toml:6: .*监测方案名称重复:东园"):
        settings_from_text(text, tmp_path / "config.toml")
