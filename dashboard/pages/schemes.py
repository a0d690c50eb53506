"""监测方案 (administrators; office users for their own office's schemes): the schemes in force and where they come
from, a form to create or edit one (checked like config.toml, errors with the character), a preview on the last
7 days before saving, disable/enable, every version, and re-applying the schemes to the last N days."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, form_field, result_message, simple_table
from dashboard.queries.schemes import config_scheme_map, query_reapply_log, query_schemes, query_versions
from dashboard.scheme_actions import (
    form_values,
    preview_values,
    reapply_from_page,
    save_from_page,
    toggle_from_page,
    values_digest,
)
from yuqing.config import SCHEME_GROUPS
from yuqing.db.models import MonitoringScheme
from yuqing.labels import office_options
from yuqing.schemes.preview import PREVIEW_DAYS
from yuqing.schemes.reapply import MAX_DAYS
from yuqing.timeutil import format_local

dash.register_page(__name__, path="/schemes", name="监测方案", title="监测方案", order=6)

NEW = "new"
NEW_OPTION = {"label": "+ 新建方案", "value": NEW}
TOWN = "@town"  # the 维护单位 choice for the town's own schemes (kept by administrators)
COLUMNS = [
    ("name", "方案"),
    ("region", "地域词"),
    ("subject", "主体词"),
    ("event", "事件词"),
    ("exclude", "排除词"),
    ("state", "状态"),
    ("keeper", "维护单位"),
    ("origin", "来源"),
    ("version", "版本"),
    ("updated", "最近修改"),
]
VERSION_COLUMNS = [
    ("version", "版本"),
    ("at", "时间"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("before", "修改前"),
    ("after", "修改后"),
    ("comment", "说明"),
]
REAPPLY_COLUMNS = [("at", "时间"), ("actor", "操作人"), ("what", "结果")]
PREVIEW_COLUMNS = [
    ("seen", "发现时间"),
    ("source", "来源"),
    ("title", "标题"),
    ("terms", "命中词"),
    ("now", "当前判断"),
]
HELP = (
    "方案 = 地域词 且 主体词 且 事件词,且不含排除词;组内“|”、逗号、顿号或空格表示“或”,“+”表示“且”,可用括号,"
    "某组留空表示不限。config.toml 中的 [[schemes]] 是初始配置:数据库中没有的方案在启动时导入;未在页面修改过的方案"
    "随 config.toml 更新(从文件删除则停用);在页面修改过的方案以页面为准,不再受 config.toml 影响。"
    "保存后新采集的信息立即按新方案判断;已采集的信息可在下方“重新应用”。"
)


def layout(**_query):
    """The page frame; the list and the form are filled by callbacks."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("schemes"):
        return denied_page()
    with yuqing_app().db.read() as session:
        offices = [{"label": "全镇(管理员维护)", "value": TOWN}, *office_options(session)]
    groups = [
        form_field(label, dcc.Input(id=f"sc-{group}", type="text", className="input", debounce=False))
        for group, label in SCHEME_GROUPS.items()
    ]
    admin = viewer.role == "admin"
    return html.Div(
        [
            html.H2("监测方案"),
            html.Div(HELP, className="meta"),
            html.Section([html.H3("方案列表"), html.Div(id="sc-table")], className="panel"),
            html.Section(
                [
                    html.H3("新建或修改方案"),
                    form_field(
                        "选择方案", dcc.Dropdown(id="sc-pick", options=[NEW_OPTION], value=NEW, clearable=False)
                    ),
                    form_field("方案名称", dcc.Input(id="sc-name", type="text", className="input")),
                    *groups,
                    form_field(
                        "维护单位",
                        dcc.Dropdown(
                            id="sc-office",
                            options=offices,
                            value=TOWN if admin else viewer.office_code,
                            disabled=not admin,
                            clearable=False,
                        ),
                        "" if admin else "责任单位只能维护本单位的方案",
                    ),
                    form_field("修改说明", dcc.Input(id="sc-comment", type="text", className="input")),
                    html.Div(
                        [
                            html.Button(f"预览最近 {PREVIEW_DAYS} 天", id="sc-preview", className="btn"),
                            html.Button("保存", id="sc-save", className="btn btn-primary", disabled=True),
                            html.Button("停用", id="sc-toggle", className="btn", disabled=True),
                        ],
                        className="actions-inline",
                    ),
                    html.Div(id="sc-errors"),
                    dcc.Loading(html.Div(id="sc-preview-result")),
                    html.Div(id="sc-save-msg"),
                    html.Div(id="sc-toggle-msg"),
                    html.H4("修改记录"),
                    html.Div(id="sc-history"),
                ],
                className="panel",
            ),
        ]
        + ([_reapply_panel(reapply_log())] if viewer.can_reapply_schemes else [])
        + [dcc.Store(id="sc-previewed", data=None), dcc.Store(id="sc-changed", data=0)]
    )


def reapply_log() -> html.Table:
    """The latest re-applications (who, when, what changed)."""
    with yuqing_app().db.read() as session:
        return simple_table(REAPPLY_COLUMNS, query_reapply_log(session), empty="尚未重新应用过")


def _reapply_panel(log: html.Table) -> html.Section:
    return html.Section(
        [
            html.H3("重新应用到已采集的信息"),
            html.Div(
                "按当前启用的方案重新判断最近 N 天采集的信息:新命中的信息重新分析后按正常流程归入事件(或新建事件并分派、计时);"
                "不再命中且未归入事件的改为不相关;已在事件中的保持不变(如需移出请在事件页纠正);人工纠正过的保持人工结论。",
                className="meta",
            ),
            form_field("天数", dcc.Input(id="sc-days", type="number", min=1, max=MAX_DAYS, step=1, value=7)),
            html.Button("重新应用", id="sc-reapply", className="btn"),
            html.Div(id="sc-reapply-msg"),
            html.Div(id="sc-reapply-status"),
            html.H4("最近的重新应用"),
            html.Div(log, id="sc-reapply-log"),
            dcc.Store(id="sc-reapply-started", data=0),
        ],
        className="panel",
    )


def problem_view(problems, values: dict[str, str]) -> list:
    """Each problem in words; for an expression, the expression with the character where it goes wrong marked."""
    shown = []
    for problem in problems:
        parts: list = [html.Div(problem.message)]
        expression = values.get(problem.field, "")
        if problem.position is not None and expression is not None:
            at = problem.position - 1
            parts.append(
                html.Div(
                    [
                        html.Span(expression[:at]),
                        html.Mark(expression[at : at + 1] or "␣", className="sc-error-at"),
                        html.Span(expression[at + 1 :]),
                    ],
                    className="sc-expression",
                )
            )
        shown.append(html.Div(parts, className="msg msg-error", **{"data-field": problem.field}))
    return shown


def preview_view(preview) -> list:
    """The count and the newest titles (plain text: Dash escapes them)."""
    head = (
        f"最近 {preview.days} 天共 {preview.checked} 条信息,该方案命中 {preview.matched} 条,"
        f"其中 {preview.newly_relevant} 条目前未被任何方案命中(保存并重新应用后将成为相关信息)。"
    )
    if preview.matches_everything:
        head += "注意:地域词、主体词、事件词均为空,该方案会命中所有信息。"
    rows = [
        {
            **row,
            "seen": format_local(row["seen"]),
            "now": "相关" if row["relevant"] else "不相关",
        }
        for row in preview.rows
    ]
    more = f"(仅列出最新 {len(rows)} 条)" if preview.matched - preview.hidden > len(rows) else ""
    if preview.hidden:
        more += f"其中 {preview.hidden} 条属于其他单位承办的事件,不列出标题。"
    return [
        html.Div(head + more, className="msg msg-ok", id="sc-preview-count"),
        simple_table(PREVIEW_COLUMNS, rows, empty="没有命中的信息"),
    ]


@callback(Output("sc-table", "children"), Output("sc-pick", "options"), Input("sc-changed", "data"))
def refresh(_changed):
    """The schemes, and the ones this viewer may edit in the chooser."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("schemes"):
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        rows = query_schemes(session, viewer, config_scheme_map(app.config_schemes))
    options = [NEW_OPTION] + [
        {"label": f"{row['name']}({row['state']})", "value": str(row["id"])} for row in rows if row["editable"]
    ]
    return simple_table(COLUMNS, rows, empty="尚无监测方案(所有信息均视为相关)"), options


@callback(
    Output("sc-name", "value"),
    Output("sc-region", "value"),
    Output("sc-subject", "value"),
    Output("sc-event", "value"),
    Output("sc-exclude", "value"),
    Output("sc-office", "value"),
    Output("sc-toggle", "children"),
    Output("sc-toggle", "disabled"),
    Output("sc-history", "children"),
    Input("sc-pick", "value"),
    Input("sc-changed", "data"),
)
def load(pick, _changed):
    """Fill the form with the chosen scheme (empty for a new one) and show its versions."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("schemes"):
        raise PreventUpdate
    own = viewer.office_code if viewer.role != "admin" else TOWN
    if not pick or pick == NEW or not str(pick).isdigit():
        return "", "", "", "", "", own, "停用", True, ""
    with yuqing_app().db.read() as session:
        row = session.get(MonitoringScheme, int(pick))
        if row is None or not viewer.can_edit_scheme(row.office_code):
            raise PreventUpdate
        history = simple_table(VERSION_COLUMNS, query_versions(session, row.id))
        return (
            row.name,
            row.region,
            row.subject,
            row.event,
            row.exclude,
            row.office_code or TOWN,
            "停用" if row.enabled else "启用",
            False,
            history,
        )


@callback(
    Output("sc-errors", "children"),
    Output("sc-preview-result", "children"),
    Output("sc-previewed", "data"),
    Input("sc-preview", "n_clicks"),
    *(State(f"sc-{field}", "value") for field in ("name", *SCHEME_GROUPS)),
    prevent_initial_call=True,
)
def preview(_clicks, *inputs):
    """预览: check the scheme like config.toml; if valid, what it would have matched in the last 7 days."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    values = form_values(*inputs)
    problems, result = preview_values(yuqing_app(), viewer, values)
    if result is None:
        return problem_view(problems, values), "", None
    return "", preview_view(result), values_digest(values)


@callback(
    Output("sc-save", "disabled"),
    Input("sc-previewed", "data"),
    *(Input(f"sc-{group}", "value") for group in SCHEME_GROUPS),
)
def allow_save(previewed, *groups):
    """保存 only for the expressions that were previewed (an edit needs a new preview)."""
    return not previewed or previewed != values_digest(form_values("", *groups))


@callback(
    Output("sc-save-msg", "children"),
    Output("sc-errors", "children", allow_duplicate=True),
    Output("sc-changed", "data"),
    Output("sc-pick", "value"),
    Input("sc-save", "n_clicks"),
    State("sc-pick", "value"),
    *(State(f"sc-{field}", "value") for field in ("name", *SCHEME_GROUPS)),
    State("sc-office", "value"),
    State("sc-comment", "value"),
    State("sc-previewed", "data"),
    State("sc-changed", "data"),
    prevent_initial_call=True,
)
def save(_clicks, pick, *rest):
    """保存: store a new version (audited) and put it in force at once."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    *inputs, office, comment, previewed, changed = rest
    values = form_values(*inputs)
    if not previewed or previewed != values_digest(values):
        return html.Div("请先预览当前内容", className="msg msg-error"), "", dash.no_update, dash.no_update
    scheme_id = int(pick) if pick and str(pick).isdigit() else None
    keeper = None if office == TOWN else office
    result, problems, saved = save_from_page(yuqing_app(), viewer, scheme_id, values, keeper, comment)
    if not result.ok:
        return result_message(result), problem_view(problems, values), dash.no_update, dash.no_update
    return result_message(result), "", (changed or 0) + 1, str(saved)


@callback(
    Output("sc-toggle-msg", "children"),
    Output("sc-changed", "data", allow_duplicate=True),
    Input("sc-toggle", "n_clicks"),
    State("sc-pick", "value"),
    State("sc-comment", "value"),
    State("sc-changed", "data"),
    prevent_initial_call=True,
)
def toggle(_clicks, pick, comment, changed):
    """停用 / 启用 the chosen scheme."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    scheme_id = int(pick) if pick and str(pick).isdigit() else None
    result = toggle_from_page(yuqing_app(), viewer, scheme_id, comment)
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update


@callback(
    Output("sc-reapply-msg", "children"),
    Output("sc-reapply-started", "data"),
    Input("sc-reapply", "n_clicks"),
    State("sc-days", "value"),
    State("sc-reapply-started", "data"),
    prevent_initial_call=True,
)
def reapply(_clicks, days, started):
    """重新应用 to the last N days (administrators): started in the background, its progress shown by `reapply_status`."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    result = reapply_from_page(yuqing_app(), viewer, days)
    return result_message(result), (started or 0) + 1 if result.ok else dash.no_update


@callback(
    Output("sc-reapply-status", "children"),
    Output("sc-reapply-log", "children"),
    Output("sc-reapply", "disabled"),
    Input("sc-reapply-started", "data"),
    Input("tick", "n_intervals"),
)
def reapply_status(_started, _tick):
    """The running or latest re-application (from its run record, whichever process runs it) and the log."""
    from yuqing.schemes.reapply_runs import run_state

    viewer = current_viewer()
    if viewer is None or not viewer.can_reapply_schemes:
        raise PreventUpdate
    state = run_state(yuqing_app())
    if state is None:
        return "", reapply_log(), False
    style = "meta" if state.running else "msg msg-ok" if state.ok else "msg msg-error"
    return html.Div(state.text(), className=style, id="sc-reapply-state"), reapply_log(), state.running
