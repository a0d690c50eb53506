"""The event list's saved filters (我的筛选): pick one of mine, save the current filters under a name, make one my
default (applied when I open 事件), delete one. Stored per user (yuqing.saved_filters). The callbacks are declared
in pages/events.py: Dash runs page modules again for every app it builds, and only their callbacks follow."""

from __future__ import annotations

from dash import dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.actions import ActionResult
from dashboard.auth import yuqing_app
from dashboard.components import result_message
from yuqing.saved_filters import (
    FIELDS,
    Saved,
    SavedFilterError,
    clean_values,
    default_filter,
    delete_filter,
    list_filters,
    save_filter,
    set_default,
)

# The event list's filter components, in yuqing.saved_filters.FIELDS order.
FILTER_IDS = ["ev-topics", "ev-levels", "ev-offices", "ev-statuses", "ev-source", "ev-village", "ev-period", "ev-text"]
NO_FILTER = {"statuses": ["open"]}  # what the list shows for a user without a default filter


def options(filters: list[Saved]) -> list[dict]:
    """Dropdown options: each filter by name, the default marked."""
    return [{"label": f.name + ("(默认)" if f.is_default else ""), "value": f.id} for f in filters]


def initial(username: str) -> tuple[list[Saved], Saved | None, dict]:
    """The user's filters, their default and the filter values the list opens with."""
    app = yuqing_app()
    with app.db.read() as session:
        filters = list_filters(session, username)
        default = default_filter(session, username)
    return filters, default, dict(default.values) if default else dict(NO_FILTER)


def bar(filters: list[Saved], default: Saved | None) -> html.Div:
    """The toolbar row under the filters."""
    return html.Div(
        [
            dcc.Dropdown(
                id="ev-saved",
                options=options(filters),
                value=default.id if default else None,
                placeholder="我的筛选",
                className="f-wide",
                clearable=True,
            ),
            dcc.Input(id="ev-save-name", type="text", placeholder="筛选名称", maxLength=40, className="f-text"),
            html.Button("保存当前筛选", id="ev-save", className="btn"),
            html.Button("设为默认", id="ev-default", className="btn"),
            html.Button("删除", id="ev-delete", className="btn"),
            html.Div(id="ev-saved-msg"),
        ],
        className="toolbar wrap",
    )


def follow(username: str, triggered: str | None, filter_id, values: list) -> list:
    """Picking a saved filter sets the list's filters to it; changing a filter by hand leaves the saved one
    (picking it again brings it back). Returns the filter values and the saved filter picked (no_update where
    nothing changes)."""
    if not filter_id:
        raise PreventUpdate
    with yuqing_app().db.read() as session:
        chosen = next((f for f in list_filters(session, username) if f.id == filter_id), None)
    if chosen is None:
        raise PreventUpdate
    if triggered == "ev-saved":
        return [chosen.values.get(name) for name in FIELDS] + [no_update]
    if clean_values(dict(zip(FIELDS, values, strict=True))) == chosen.values:
        raise PreventUpdate
    return [no_update] * len(FILTER_IDS) + [None]


def manage(username: str, triggered: str | None, name: str | None, filter_id, values: list) -> tuple:
    """Save the current filters under a name, make the picked one the default, or delete it. Returns the picker's
    options and value and the message."""
    app = yuqing_app()
    value = no_update
    try:
        with app.db.write() as session:
            if triggered == "ev-save":
                saved, replaced = save_filter(session, username, name or "", dict(zip(FIELDS, values, strict=True)))
                value = saved.id
                message = f"已{'更新' if replaced else '保存'}筛选“{saved.name}”"
            elif triggered == "ev-default":
                saved = set_default(session, username, filter_id)
                message = f"已将“{saved.name}”设为默认筛选,打开事件页时自动应用"
            elif triggered == "ev-delete":
                message = f"已删除筛选“{delete_filter(session, username, filter_id)}”"
                value = None
            else:
                raise PreventUpdate
        result = ActionResult(True, message)
    except SavedFilterError as exc:
        result = ActionResult(False, str(exc))
    with app.db.read() as session:
        filters = list_filters(session, username)
    return options(filters), value, result_message(result)
