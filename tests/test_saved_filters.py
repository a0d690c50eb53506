"""Per-user saved filters of the event list: save, replace by name, default, delete; each user only their own
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yuqing.db.models import SavedFilter
from yuqing.saved_filters import (
    MAX_PER_USER,
    SavedFilterError,
    clean_values,
    default_filter,
    delete_filter,
    list_filters,
    save_filter,
    set_default,
)
from yuqing.users import add_user

MEDICAL = {"topics": ["medical"], "levels": [1, 2], "statuses": ["open"], "text": " 卫生院 "}


@pytest.fixture
def users(any_app):
    with any_app.db.write() as session:
        add_user(session, "clerk", "password-123", "duty")
        add_user(session, "leader", "password-123", "leader")
    return any_app


def test_a_user_saves_picks_defaults_and_deletes_their_filters(users):
    with users.db.write() as session:
        first, replaced = save_filter(session, "clerk", "  就医 紧急 ", MEDICAL)
        assert not replaced and first.name == "就医 紧急"
        second, _ = save_filter(session, "clerk", "本周", {"period": "7"})
    with users.db.read() as session:
        assert [f.name for f in list_filters(session, "clerk")] == sorted(["就医 紧急", "本周"])
        assert default_filter(session, "clerk") is None
        assert list_filters(session, "leader") == []
    saved = next(f for f in list_filters_of(users, "clerk") if f.id == first.id)
    assert saved.values["topics"] == ["medical"] and saved.values["levels"] == [1, 2]
    assert saved.values["text"] == "卫生院" and saved.values["source"] is None
    with users.db.write() as session:
        set_default(session, "clerk", second.id)
    with users.db.write() as session:
        set_default(session, "clerk", first.id)  # the one before stops being the default
    with users.db.read() as session:
        default = default_filter(session, "clerk")
        assert default is not None and default.id == first.id
        assert list_filters(session, "clerk")[0].id == first.id  # the default first
        assert session.scalar(select(SavedFilter).where(SavedFilter.is_default.is_(True))).id == first.id
    with users.db.write() as session:
        again, replaced = save_filter(session, "clerk", "就医 紧急", {"topics": ["education"]})
        assert replaced and again.id == first.id and again.is_default
    with users.db.write() as session:
        assert delete_filter(session, "clerk", first.id) == "就医 紧急"
    with users.db.read() as session:
        assert default_filter(session, "clerk") is None
        assert [f.name for f in list_filters(session, "clerk")] == ["本周"]


def list_filters_of(app, username):
    with app.db.read() as session:
        return list_filters(session, username)


def test_nobody_touches_another_users_filter(users):
    with users.db.write() as session:
        mine, _ = save_filter(session, "clerk", "我的", MEDICAL)
    for change in (set_default, delete_filter):
        with pytest.raises(SavedFilterError, match="请先选择"):
            with users.db.write() as session:
                change(session, "leader", mine.id)
    assert [f.id for f in list_filters_of(users, "clerk")] == [mine.id]
    assert not list_filters_of(users, "clerk")[0].is_default


def test_names_are_checked_and_the_number_is_capped(users):
    with users.db.write() as session:
        with pytest.raises(SavedFilterError, match="请填写筛选名称"):
            save_filter(session, "clerk", "  ", MEDICAL)
        with pytest.raises(SavedFilterError, match="最多 40 个字"):
            save_filter(session, "clerk", "长" * 41, MEDICAL)
        with pytest.raises(SavedFilterError, match="用户不存在"):
            save_filter(session, "ghost", "x", MEDICAL)
        for number in range(MAX_PER_USER):
            save_filter(session, "clerk", f"筛选{number}", MEDICAL)
        with pytest.raises(SavedFilterError, match=f"最多保存 {MAX_PER_USER} 个"):
            save_filter(session, "clerk", "再来一个", MEDICAL)
        save_filter(session, "clerk", "筛选0", {})  # replacing one is still possible


def test_only_known_fields_of_the_right_type_are_kept():
    clean = clean_values(
        {"topics": ["medical", 3, None], "levels": ["2", 9, "x", 1], "source": ["a"], "period": 7, "evil": "x"}
    )
    assert clean == {
        "topics": ["medical", "3"],
        "levels": [1, 2],
        "offices": [],
        "statuses": [],
        "source": None,
        "village": None,
        "period": "7",
        "text": "",
    }
