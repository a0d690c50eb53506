"""One event: heat, timeline with evidence, deadlines, responses, audit trail, and the workflow actions."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.access import NOT_VISIBLE
from dashboard.actions import ActionResult, run_event_action
from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, notice, result_message
from dashboard.event_action_forms import action_forms, possible, possible_actions
from dashboard.event_panels import (
    render_audit,
    render_deadlines,
    render_evidence,
    render_header,
    render_responses,
    render_sources,
    render_timeline,
)
from dashboard.evidence import query_evidence
from dashboard.figures import make_heat_figure
from dashboard.queries.event_detail import (
    query_event_detail,
    query_event_heat,
    query_event_mentions,
    query_event_sources,
)
from dashboard.topic_report_panel import send_topic_report, topic_report_panel
from yuqing.labels import office_options
from yuqing.timeutil import utcnow

dash.register_page(__name__, path_template="/events/<event_id>", name="事件详情", title="事件详情")


def layout(event_id=None, **_query):
    """The event page frame; data panels are filled by `refresh`, the forms stay as the officer left them."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("events"):
        return denied_page()
    app = yuqing_app()
    with app.db.read() as session:
        detail = query_event_detail(session, app.settings, event_id, viewer, utcnow())
        offices = office_options(session)
    if detail is None:
        return notice(NOT_VISIBLE, "error")
    decide = possible(viewer, detail, "confirm")
    return html.Div(
        [
            dcc.Store(id="ed-id", data=detail["id"]),
            dcc.Store(id="ed-changed", data=0),
            dcc.Store(id="ed-form-set", data=possible_actions(viewer, detail)),
            dcc.Link("← 返回事件列表", href="/events", className="back"),
            html.Div(id="ed-header", className="ed-header"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Section(
                                [dcc.Graph(id="ed-heat", config={"displaylogo": False, "displayModeBar": False})],
                                className="panel",
                            ),
                            html.Section(
                                [html.H3("信息时间线"), html.Div(id="ed-timeline", className="scroll-box tall")],
                                className="panel",
                            ),
                            html.Section(
                                [
                                    html.H3("证据快照"),
                                    html.Div(html.Div("点击时间线中的“查看证据”", className="empty"), id="ed-evidence"),
                                ],
                                className="panel",
                            ),
                        ],
                        className="col-main",
                    ),
                    html.Div(
                        [
                            html.Section(
                                [
                                    html.H3("处置操作"),
                                    html.Div(id="ed-result"),
                                    html.Div(action_forms(app.settings, viewer, detail, offices), id="ed-forms"),
                                ],
                                className="panel",
                            ),
                            html.Section([html.H3("时限"), html.Div(id="ed-deadlines")], className="panel"),
                            html.Section(
                                [html.H3("回应记录"), html.Div(id="ed-responses")]
                                + (
                                    [
                                        dcc.Input(
                                            id="ed-decide-comment",
                                            type="text",
                                            className="input",
                                            placeholder="确认/驳回说明(驳回时必填)",
                                        ),
                                        html.Div(id="ed-decide-msg"),
                                    ]
                                    if decide
                                    else []
                                ),
                                className="panel",
                            ),
                            html.Section([html.H3("来源"), html.Div(id="ed-sources")], className="panel"),
                            *topic_report_panel(viewer, detail),
                            html.Section(
                                [html.H3("审计记录"), html.Div(id="ed-audit", className="scroll-box")],
                                className="panel",
                            ),
                        ],
                        className="col-side",
                    ),
                ],
                className="ed-columns",
            ),
        ]
    )


@callback(
    Output("ed-header", "children"),
    Output("ed-deadlines", "children"),
    Output("ed-responses", "children"),
    Output("ed-audit", "children"),
    Output("ed-sources", "children"),
    Output("ed-timeline", "children"),
    Output("ed-heat", "figure"),
    Output("ed-forms", "children"),
    Output("ed-form-set", "data"),
    Input("tick", "n_intervals"),
    Input("ed-changed", "data"),
    State("ed-id", "data"),
    State("ed-form-set", "data"),
)
def refresh(_tick, _changed, event_id, shown):
    """Re-read the event (rights checked again) and replace the data panels; the action forms are redrawn only
    when the actions possible now have changed (an action done here or elsewhere), so typing is not lost."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("events"):
        raise PreventUpdate
    app = yuqing_app()
    with app.db.read() as session:
        detail = query_event_detail(session, app.settings, event_id, viewer, utcnow())
        if detail is None:
            raise PreventUpdate
        mentions = query_event_mentions(session, app.settings, detail["id"])
        sources = query_event_sources(session, detail["id"])
        heat = query_event_heat(session, detail["id"])
        actions = possible_actions(viewer, detail)
        forms = (
            (action_forms(app.settings, viewer, detail, office_options(session)), actions)
            if actions != shown
            else (dash.no_update, dash.no_update)
        )
    return (
        render_header(detail),
        render_deadlines(detail["deadlines"]),
        render_responses(detail["responses"], possible(viewer, detail, "confirm")),
        render_audit(detail["audit"]),
        render_sources(sources),
        render_timeline(mentions, viewer.can_see_evidence, possible(viewer, detail, "correct")),
        make_heat_figure(heat),
        *forms,
    )


@callback(
    Output("ed-evidence", "children"), Input({"type": "ed-evidence", "id": ALL}, "n_clicks"), prevent_initial_call=True
)
def show_evidence(_clicks):
    """The stored snapshot of the clicked mention, as masked plain text (for roles allowed to see it)."""
    if not isinstance(ctx.triggered_id, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    with yuqing_app().db.read() as session:
        return render_evidence(query_evidence(session, viewer, int(ctx.triggered_id["id"])))


def act(action: str, event_id, values: dict, changed: int | None) -> tuple:
    """Run one action for the current viewer: the message under its form, a bump of `ed-changed` on success, and
    the success again above the forms (it stays there when the forms are redrawn because other actions opened)."""
    viewer = current_viewer()
    if viewer is None:
        raise PreventUpdate
    result: ActionResult = run_event_action(yuqing_app(), viewer, action, event_id, values)
    if not result.ok:
        return result_message(result), dash.no_update, ""
    return result_message(result), (changed or 0) + 1, result_message(result)


def _action_callback(action: str, button: str, message: str, fields: dict[str, str]) -> None:
    """Wire one form: its button, its inputs (form key → component id) and its message area."""

    @callback(
        Output(message, "children"),
        Output("ed-changed", "data", allow_duplicate=True),
        Output("ed-result", "children", allow_duplicate=True),
        Input(button, "n_clicks"),
        State("ed-id", "data"),
        State("ed-changed", "data"),
        *[State(component, "value") for component in fields.values()],
        prevent_initial_call=True,
    )
    def submit(clicks, event_id, changed, *values):
        if not clicks:
            raise PreventUpdate
        return act(action, event_id, dict(zip(fields, values)), changed)

    submit.__name__ = f"submit_{action}"


_action_callback(
    "assess",
    "ed-assess-submit",
    "ed-assess-msg",
    {
        "topic": "ed-assess-topic",
        "urgency": "ed-assess-level",
        "office_code": "ed-assess-office",
        "comment": "ed-assess-comment",
    },
)
_action_callback(
    "respond",
    "ed-respond-submit",
    "ed-respond-msg",
    {
        "stage": "ed-respond-stage",
        "channel": "ed-respond-channel",
        "url": "ed-respond-url",
        "content": "ed-respond-content",
        "published_at": "ed-respond-time",
        "comment": "ed-respond-comment",
    },
)
_action_callback(
    "reassign",
    "ed-reassign-submit",
    "ed-reassign-msg",
    {"office_code": "ed-reassign-office", "comment": "ed-reassign-comment"},
)
_action_callback("close", "ed-close-submit", "ed-close-msg", {"comment": "ed-close-comment"})
_action_callback(
    "false_alarm", "ed-false-submit", "ed-false-msg", {"kind": "ed-false-kind", "reason": "ed-false-reason"}
)
_action_callback(
    "merge", "ed-merge-submit", "ed-merge-msg", {"target_id": "ed-merge-target", "comment": "ed-merge-comment"}
)
_action_callback(
    "split", "ed-split-submit", "ed-split-msg", {"mention_ids": "ed-split-ids", "comment": "ed-split-comment"}
)
_action_callback("unmerge", "ed-unmerge-submit", "ed-unmerge-msg", {"comment": "ed-unmerge-comment"})
_action_callback(
    "correct",
    "ed-correct-submit",
    "ed-correct-msg",
    {
        "mention_id": "ed-correct-id",
        "kind": "ed-correct-kind",
        "topic": "ed-correct-topic",
        "comment": "ed-correct-comment",
    },
)


@callback(
    Output("ed-correct-id", "value"),
    Output("ed-tabs", "value"),
    Input({"type": "ed-correct-pick", "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def pick_for_correction(_clicks):
    """A mention's 纠正 button in the timeline: its number into the correction form, and that form shown."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return f"#{trigger['id']}", "correct"


@callback(
    Output("ed-decide-msg", "children"),
    Output("ed-changed", "data", allow_duplicate=True),
    Output("ed-result", "children", allow_duplicate=True),
    Input({"type": "ed-confirm", "id": ALL}, "n_clicks"),
    Input({"type": "ed-reject", "id": ALL}, "n_clicks"),
    State("ed-id", "data"),
    State("ed-changed", "data"),
    State("ed-decide-comment", "value"),
    prevent_initial_call=True,
)
def decide(_confirms, _rejects, event_id, changed, comment):
    """Confirm or reject a proposed response."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    action = "confirm" if trigger["type"] == "ed-confirm" else "reject"
    return act(action, event_id, {"response_id": int(trigger["id"]), "comment": comment}, changed)


@callback(
    Output("ed-topic-download", "data"),
    Output("ed-topic-msg", "children"),
    Input("ed-topic-docx", "n_clicks"),
    Input("ed-topic-html", "n_clicks"),
    State("ed-id", "data"),
    State("ed-topic-until", "value"),
    prevent_initial_call=True,
)
def download_topic_report(_docx, _html, event_id, until):
    """专题报告: the Word file or the print page, as of the cut-off typed (default now)."""
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return send_topic_report(str(ctx.triggered_id), event_id, until)
