"""模型 (administrators only): the topic classifier in use, the corrections collected, retraining on them (in the
background, switched in only when better on held-back corrections) and every version with both figures; rollback."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.actions import start_model_training, use_model_version
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, form_field, result_message, simple_table
from dashboard.queries.admin import query_models

dash.register_page(__name__, path="/models", name="模型", title="模型", order=7)

COLUMNS = [
    ("version", "版本"),
    ("status", "状态"),
    ("created", "训练时间"),
    ("by", "操作人"),
    ("rows", "纠正/导入条数"),
    ("held_back", "检验条数"),
    ("accuracy", "新模型得分"),
    ("baseline", "当时在用模型得分"),
    ("decision", "结论"),
]


def layout(**_query):
    """The page frame; the figures are filled by `refresh` (and again on every tick while training runs)."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("models"):
        return denied_page()
    return html.Div(
        [
            html.H2("领域模型"),
            html.Div(id="mo-summary", className="panel"),
            html.Section(
                [
                    html.H3("用纠正数据重新训练"),
                    html.Div(
                        "值班员的每次研判、纠正都记为标注。重新训练用全部纠正,以交叉检验评估:每条纠正由未学过它的模型判定;在用的是训练所得版本时,按它当时学过的纠正同样交叉检验;新模型得分更高才切换;"
                        "计分:领域与值班员一致计 1 分;领域不同但同属一个责任单位,值班员确认原领域的计 1 分,改过领域的计部分分(配置 [learning] office_credit);"
                        "训练在后台进行,不影响采集。值班员在“分类复核”页确认的信息是模型最拿不准的,同样多的标注学到的更多。",
                        className="meta",
                    ),
                    html.Button("开始训练", id="mo-train", className="btn btn-primary"),
                    html.Div(id="mo-train-msg"),
                    html.Div(id="mo-status"),
                ],
                className="panel",
            ),
            html.Section([html.H3("版本"), html.Div(id="mo-table")], className="panel"),
            html.Section(
                [
                    html.H3("切换或回退"),
                    form_field("使用版本", dcc.Dropdown(id="mo-version", options=[])),
                    form_field("原因", dcc.Input(id="mo-comment", type="text", className="input")),
                    html.Button("切换", id="mo-use", className="btn"),
                    html.Div(id="mo-use-msg"),
                ],
                className="panel",
            ),
            dcc.Store(id="mo-changed", data=0),
        ]
    )


@callback(
    Output("mo-summary", "children"),
    Output("mo-table", "children"),
    Output("mo-version", "options"),
    Output("mo-status", "children"),
    Input("mo-changed", "data"),
    Input("tick", "n_intervals"),
)
def refresh(_changed, _tick):
    """The classifier in use, the labels collected, the versions and the state of a training started here."""
    from yuqing.learning import process_key
    from yuqing.learning_jobs import is_training, last_outcome

    viewer = current_viewer()
    if viewer is None or not viewer.can_open("models"):
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        data = query_models(session, app.settings)
    corrections = "、".join(f"{name} {count} 次" for name, count in data["corrections"].items()) or "暂无"
    summary = [
        html.Div([html.B("在用分类器:"), html.Span(data["in_use"], id="mo-in-use")]),
        html.Div(f"已积累标注 {data['labels_total']} 条(研判确认与纠正);其中纠正:{corrections}", className="meta"),
    ]
    outcome = last_outcome.get(process_key(app.settings))
    if is_training(app):
        status = html.Div("训练中……", className="meta", id="mo-running")
    elif outcome is not None:
        status = html.Div(outcome[1], className="msg msg-ok" if outcome[0] else "msg msg-error", id="mo-outcome")
    else:
        status = ""
    table = simple_table(COLUMNS, data["versions"], empty="尚未训练过模型")
    return summary, table, data["choices"], status


@callback(
    Output("mo-train-msg", "children"),
    Output("mo-changed", "data", allow_duplicate=True),
    Input("mo-train", "n_clicks"),
    State("mo-changed", "data"),
    prevent_initial_call=True,
)
def train(clicks, changed):
    """Start retraining in the background (the server checks the role again)."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = start_model_training(yuqing_app(), viewer)
    return result_message(result), (changed or 0) + 1


@callback(
    Output("mo-use-msg", "children"),
    Output("mo-changed", "data", allow_duplicate=True),
    Input("mo-use", "n_clicks"),
    State("mo-version", "value"),
    State("mo-comment", "value"),
    State("mo-changed", "data"),
    prevent_initial_call=True,
)
def use(clicks, choice, comment, changed):
    """Switch to the chosen version (rollback), audited."""
    viewer = current_viewer()
    if not clicks or viewer is None:
        raise PreventUpdate
    result = use_model_version(yuqing_app(), viewer, choice, comment)
    return result_message(result), (changed or 0) + 1 if result.ok else dash.no_update
