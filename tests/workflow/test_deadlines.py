"""Deadlines per level and stage, recomputed on a level change, done when their stage is done."""

from __future__ import annotations

from datetime import timedelta

from workflow.factories import T0, add_event, audit_rows, deadlines, minutes

from yuqing.workflow.hooks import on_event_changed


def _due(rows):
    return {stage: row.due_at - T0 for stage, row in rows.items()}


def test_level_1_and_2_get_assess_publish_and_press(any_app):
    with any_app.db.write() as session:
        one = add_event(session, any_app.settings, level=1)
        two = add_event(session, any_app.settings, level=2)
        assert _due(deadlines(session, one.id)) == {
            "assess": timedelta(minutes=30),
            "publish": timedelta(hours=5),
            "press": timedelta(hours=24),
        }
        assert _due(deadlines(session, two.id)) == {
            "assess": timedelta(hours=1),
            "publish": timedelta(hours=5),
            "press": timedelta(hours=24),
        }
        row = deadlines(session, one.id)["publish"]
        assert (row.level, row.office_code, row.starts_at) == (1, one.office_code, T0)


def test_level_3_and_4_get_assess_and_respond(any_app):
    with any_app.db.write() as session:
        three = add_event(session, any_app.settings, level=3)
        four = add_event(session, any_app.settings, level=4)
        assert _due(deadlines(session, three.id)) == {"assess": timedelta(hours=2), "respond": timedelta(hours=48)}
        assert _due(deadlines(session, four.id)) == {"assess": timedelta(hours=4), "respond": timedelta(hours=48)}


def test_budgets_come_from_config(settings_factory):
    from yuqing.app import open_app

    app = open_app(settings_factory({"deadlines": {"level_3": {"assess_hours": 1.5, "respond_hours": 12}}}))
    try:
        with app.db.write() as session:
            event = add_event(session, app.settings, level=3)
            assert _due(deadlines(session, event.id)) == {
                "assess": timedelta(hours=1.5),
                "respond": timedelta(hours=12),
            }
    finally:
        app.close()


def test_raising_the_level_supersedes_and_recomputes(any_app):
    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=4)
        old = deadlines(session, event.id)
        event.urgency = 1
        on_event_changed(session, any_app.settings, event, 4, now=minutes(120))
        new = deadlines(session, event.id)
        # assess had 4 h, now 0.5 h: counted from detection that is past, so it gets 0.5 h from now.
        assert new["assess"].due_at == minutes(150) and new["assess"].starts_at == minutes(120)
        # publish and press are new at level 1: counted from the change.
        assert new["publish"].due_at == minutes(120 + 300) and new["press"].due_at == minutes(120 + 24 * 60)
        assert "respond" not in new
        assert all(row.superseded_at == minutes(120) for row in old.values())
        assert {row.level for row in new.values()} == {1}
        changed = audit_rows(session, event.id, "level_changed")
        assert [(r.field, r.before, r.after) for r in changed] == [("urgency", "4", "1")]
        reset = {r.field: (r.before, r.after) for r in audit_rows(session, event.id, "deadline_set") if r.before}
        assert reset == {"deadline.assess": (old["assess"].due_at.isoformat(), minutes(150).isoformat())}
        dropped = audit_rows(session, event.id, "deadline_dropped")
        assert [r.field for r in dropped] == ["deadline.respond"]


def test_lowering_the_level_never_shortens_a_deadline(any_app):
    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=1)
        event.urgency = 3
        on_event_changed(session, any_app.settings, event, 1, now=minutes(10))
        new = deadlines(session, event.id)
        assert new["assess"].due_at == minutes(120)  # the level-3 budget, counted from detection
        assert new["respond"].due_at == minutes(10 + 48 * 60)
        assert set(new) == {"assess", "respond"}


def test_a_tighter_budget_counts_from_the_change_but_never_beyond_the_old_due_time(any_app):
    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=3)  # assess due at +2 h
        event.urgency = 2
        on_event_changed(session, any_app.settings, event, 3, now=minutes(15))
        assert deadlines(session, event.id)["assess"].due_at == minutes(75)  # level 2: 1 h from the change
        event.urgency = 1
        on_event_changed(session, any_app.settings, event, 2, now=minutes(70))
        assert deadlines(session, event.id)["assess"].due_at == minutes(75)  # 70 + 30 min would be later


def test_a_breached_deadline_is_not_wiped_by_a_level_change(any_app):
    from yuqing.workflow.jobs import check_deadlines

    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=2)
        event_id = event.id
    check_deadlines(any_app, now=minutes(61))
    with any_app.db.write() as session:
        from yuqing.db.models import Event

        event = session.get(Event, event_id)
        breached = deadlines(session, event_id)["assess"]
        event.urgency = 1
        on_event_changed(session, any_app.settings, event, 2, now=minutes(70))
        assert deadlines(session, event_id)["assess"].id == breached.id


def test_unchanged_level_or_closed_event_changes_nothing(any_app):
    with any_app.db.write() as session:
        event = add_event(session, any_app.settings, level=2)
        before = {stage: row.id for stage, row in deadlines(session, event.id).items()}
        on_event_changed(session, any_app.settings, event, 2, now=minutes(5))
        event.status, event.urgency = "false_alarm", 1
        on_event_changed(session, any_app.settings, event, 2, now=minutes(6))
        assert {stage: row.id for stage, row in deadlines(session, event.id).items()} == before
