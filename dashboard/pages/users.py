"""用户 (administrators only): the user list, adding a user, disabling and re-enabling accounts, lifting a login
lockout and setting a new password."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, form_field, make_grid, result_message
from dashboard.queries.admin import query_users
from dashboard.user_actions import add_dashboard_user, reset_user_password, set_user_active
from yuqing.db.models import ROLES
from yuqing.labels import office_options
from yuqing.users import MIN_PASSWORD_LENGTH

dash.register_page(__name__, path="/users", name="用户", title="用户", order=6)

COLUMNS = [
    {"field": "username", "headerName": "用户名", "width": 130},
    {"field": "display_name", "headerName": "姓名", "width": 120},
    {"field": "role", "headerName": "角色", "width": 100},
    {"field": "office", "headerName": "所属单位", "width": 170},
    {"field": "state", "headerName": "状态", "width": 130, "cellClassRules": {"cell-bad": "params.value != '正常'"}},
    {"field": "last_login", "headerName": "最近登录", "width": 140},
    {"field": "created", "headerName": "创建时间", "width": 140},
]


def layout(**_query):
    """The user grid with enable/disable buttons, and the add-user form."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("users"):
        return denied_page()
    with yuqing_app().db.read() as session:
        offices = office_options(session)
    return html.Div(
        [
            html.Div(
                [
                    html.H2("用户"),
                    html.Button("停用所选", id="us-disable", className="btn btn-danger"),
                    html.Button("启用所选", id="us-enable", className="btn"),
                    html.Div(id="us-state-msg"),
                ],
                className="toolbar",
            ),
            html.Div(
                [
                    html.Div(
                        make_grid(
                            "us-grid",
                            COLUMNS,
                            [],
                            height="calc(100vh - 190px)",
                            row_id="params.data.username",
                            grid_options={"rowSelection": {"mode": "singleRow", "enableClickSelection": True}},
                        ),
                        className="col-main",
                    ),
                    html.Section(
                        [
                            html.H3("新增用户"),
                            form_field("用户名", dcc.Input(id="us-username", type="text", className="input")),
                            form_field("姓名", dcc.Input(id="us-display", type="text", className="input")),
                            form_field(
                                f"初始密码(至少 {MIN_PASSWORD_LENGTH} 位)",
                                dcc.Input(id="us-password", type="password", className="input"),
                            ),
                            form_field(
                                "角色",
                                dcc.Dropdown(
                                    id="us-role", options=[{"label": v, "value": k} for k, v in ROLES.items()]
                                ),
                            ),
                            form_field("所属单位(责任单位用户必填)", dcc.Dropdown(id="us-office", options=offices)),
                            html.Button("添加", id="us-add", className="btn btn-primary"),
                            html.Div(id="us-add-msg"),
                            html.H3("重设所选用户的密码"),
                            form_field(
                                f"新密码(至少 {MIN_PASSWORD_LENGTH} 位)",
                                dcc.Input(id="us-new-password", type="password", className="input"),
                            ),
                            html.Button("重设密码", id="us-reset", className="btn"),
                            html.Div(id="us-reset-msg"),
                        ],
                        className="panel col-side",
                    ),
                ],
                className="ed-columns",
            ),
            dcc.Store(id="us-changed", data=0),
        ]
    )


@callback(Output("us-grid", "rowData"), Input("us-changed", "data"))
def refresh(_changed):
    """The user list, re-read after every change."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("users"):
        raise PreventUpdate
    with yuqing_app().db.read() as session:
        return query_users(session)


@callback(
    Output("us-add-msg", "children"),
    Output("us-changed", "data", allow_duplicate=True),
    Output("us-password", "value"),
    Input("us-add", "n_clicks"),
    State("us-username", "value"),
    State("us-display", "value"),
    State("us-password", "value"),
    State("us-role", "value"),
    State("us-office", "value"),
    State("us-changed", "data"),
    prevent_initial_call=True,
)
def add(clicks, username, display_name, password, role, office, changed):
    """Create the user (the server checks the role again); the password field is cleared either way."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = add_dashboard_user(
        yuqing_app(),
        viewer,
        {"username": username, "display_name": display_name, "password": password, "role": role, "office_code": office},
    )
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update, ""


@callback(
    Output("us-state-msg", "children"),
    Output("us-changed", "data", allow_duplicate=True),
    Input("us-disable", "n_clicks"),
    Input("us-enable", "n_clicks"),
    State("us-grid", "selectedRows"),
    State("us-changed", "data"),
    prevent_initial_call=True,
)
def change_state(_disable, _enable, selected, changed):
    """Disable or enable the selected user."""
    viewer = current_viewer()
    if viewer is None or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    username = selected[0]["username"] if selected else None
    result = set_user_active(yuqing_app(), viewer, username, active=ctx.triggered_id == "us-enable")
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update


@callback(
    Output("us-reset-msg", "children"),
    Output("us-changed", "data", allow_duplicate=True),
    Output("us-new-password", "value"),
    Input("us-reset", "n_clicks"),
    State("us-grid", "selectedRows"),
    State("us-new-password", "value"),
    State("us-changed", "data"),
    prevent_initial_call=True,
)
def reset(clicks, selected, password, changed):
    """Set a new password for the selected user; the field is cleared either way."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = reset_user_password(yuqing_app(), viewer, selected[0]["username"] if selected else None, password)
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update, ""
