"""来源: the health of every source (last success, failures, items per day, detection lag); down ones in red."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_viewer, yuqing_app
from dashboard.components import denied_page, make_grid
from dashboard.source_onboarding import onboarding_panel, text_digest, try_source
from yuqing.source_health import source_health
from yuqing.source_registry import TEMPLATE, editable_sources
from yuqing.timeutil import format_local, utcnow

dash.register_page(__name__, path="/sources", name="来源", title="来源", order=3)

KIND_NAMES = {
    "rss": "RSS/Atom",
    "html": "网页",
    "json": "JSON接口",
    "board": "留言板",
    "search": "关键词搜索",
    "rsshub": "RSSHub",
}
COLUMNS = [
    {"field": "title", "headerName": "来源", "width": 150, "tooltipField": "url", "pinned": "left"},
    {"field": "kind", "headerName": "类型", "width": 90},
    {"field": "status", "headerName": "状态", "width": 86},
    {"field": "last_success", "headerName": "最近成功", "width": 132},
    {"field": "last_new_item", "headerName": "最近新信息", "width": 132},
    {"field": "failures", "headerName": "连续失败", "width": 84, "cellClassRules": {"cell-bad": "params.value > 0"}},
    {"field": "items_24h", "headerName": "24小时信息", "width": 94},
    {"field": "items_per_day_7d", "headerName": "7日日均", "width": 84},
    {"field": "lag", "headerName": "发现时延(中位)", "width": 120},
    {"field": "down_since", "headerName": "异常起始", "width": 132},
    {"field": "problem", "headerName": "异常原因 / 最近错误", "flex": 1, "minWidth": 200, "tooltipField": "problem"},
]
ROW_RULES = {
    "row-down": "params.data.status_level == 'down'",
    "row-warning": "params.data.status_level == 'warning'",
    "row-disabled": "params.data.status_level == 'disabled'",
}


def layout(**_query):
    """The source table, refreshed by `refresh`."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("sources"):
        return denied_page()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("来源"),
                    html.Span(id="so-updated", className="updated"),
                    html.Span(
                        "红色:来源失联、连续失败或被网站拦截(验证码/403,已自动暂停并逐次延长间隔);黄色:最近失败或超量受限(页面链接或条目超过上限);"
                        "时延为发布到被系统发现的时间",
                        className="meta",
                    ),
                ],
                className="toolbar",
            ),
            html.Div(id="so-cluster", className="meta"),
            make_grid(
                "so-grid", COLUMNS, [], height="calc(100vh - 140px)", row_id="params.data.name", rowClassRules=ROW_RULES
            ),
        ]
        + (
            [onboarding_panel([name for name, _ in editable_sources(yuqing_app().db)])]
            if viewer.role == "admin"
            else []
        )
    )


def source_rows(health: list[dict]) -> list[dict]:
    """yuqing.source_health rows made ready for the grid: local times, Chinese kinds, one problem column."""
    return [
        {
            "name": h["name"],
            "title": h["title"],
            "url": h["url"],
            "kind": KIND_NAMES.get(h["kind"], h["kind"]),
            "status": h["status"],
            "status_level": h["status_level"],
            "last_success": format_local(h["last_success_at"]),
            "last_new_item": format_local(h["last_new_item_at"]),
            "failures": h["consecutive_failures"],
            "items_24h": h["items_24h"],
            "items_per_day_7d": h["items_per_day_7d"],
            "lag": h["median_lag_text"],
            "down_since": format_local(h["down_since"]) if h["down_since"] else "",
            "problem": h["blocked_reason"] or h["down_reason"] or h["last_error"] or h["limited_reason"] or "",
        }
        for h in health
    ]


@callback(Output("so-grid", "rowData"), Output("so-updated", "children"), Input("tick", "n_intervals"))
def refresh(tick):
    """Source health, re-read every third refresh tick."""
    viewer = current_viewer()
    if viewer is None or not viewer.can_open("sources") or (tick or 0) % 3:
        raise PreventUpdate
    now = utcnow()
    with yuqing_app().db.read() as session:
        rows = source_rows(source_health(session, now))
    return rows, f"更新于 {format_local(now, '%H:%M:%S')}"


@callback(
    Output("so-new-text", "value"),
    Output("so-editing", "data"),
    Output("so-try-result", "children", allow_duplicate=True),
    Input("so-edit-pick", "value"),
    prevent_initial_call=True,
)
def pick_source_to_edit(name):
    """A saved source picked: its text into the editor (to change, 试采 and 保存); none picked: a new source."""
    viewer = current_viewer()
    if viewer is None or viewer.role != "admin":
        raise PreventUpdate
    texts = dict(editable_sources(yuqing_app().db))
    if not name or name not in texts:
        return TEMPLATE, None, ""
    return texts[name], name, html.Div(f"正在修改来源 {name}:改好后先试采,再保存", className="msg")


@callback(
    Output("so-try-result", "children"),
    Output("so-tried", "data"),
    Input("so-try", "n_clicks"),
    State("so-new-text", "value"),
    State("so-editing", "data"),
    prevent_initial_call=True,
)
def dry_run_source(_clicks, text, editing):
    """试采: check the text, crawl it once without storing, show titles, dates and encodings."""
    viewer = current_viewer()
    if viewer is None or viewer.role != "admin":
        raise PreventUpdate
    ok, shown = try_source(yuqing_app(), text or "", editing)
    return shown, text_digest(text or "") if ok else None


@callback(Output("so-save", "disabled"), Input("so-tried", "data"), Input("so-new-text", "value"))
def allow_save(tried, text):
    """保存 only for the text that was tried successfully (an edit needs a new 试采)."""
    return not tried or tried != text_digest(text or "")


@callback(
    Output("so-save-result", "children"),
    Input("so-save", "n_clicks"),
    State("so-new-text", "value"),
    State("so-tried", "data"),
    State("so-editing", "data"),
    prevent_initial_call=True,
)
def save_source(_clicks, text, tried, editing):
    """保存: store the new source (added_sources) and start crawling it, or store the change of the one edited."""
    from yuqing.config import ConfigError
    from yuqing.source_registry import add_source, update_source

    viewer = current_viewer()
    if viewer is None or viewer.role != "admin":
        raise PreventUpdate
    if not tried or tried != text_digest(text or ""):
        return html.Div("请先试采当前内容", className="msg msg-error")
    try:
        if editing:
            source = update_source(yuqing_app(), editing, text, viewer.username)
        else:
            source = add_source(yuqing_app(), text, viewer.username)
    except ConfigError as exc:
        return html.Pre(str(exc), className="msg msg-error")
    if editing:
        state = "已按新设置采集" if source.enabled else "已停用,不再采集"
        return html.Div(
            f"已保存对来源 {source.title or source.name}({source.name})的修改,{state}", className="msg msg-ok"
        )
    return html.Div(f"已保存来源 {source.title or source.name}({source.name}),已加入采集计划", className="msg msg-ok")


@callback(Output("so-cluster", "children"), Input("tick", "n_intervals"))
def refresh_cluster(tick):
    """Multi-machine deployments: the crawl workers, their load, the leader and the queue (nothing on SQLite)."""
    from yuqing.cluster.nodes import cluster_summary

    viewer = current_viewer()
    if viewer is None or not viewer.can_open("sources") or (tick or 0) % 3:
        raise PreventUpdate
    app = yuqing_app()
    return "" if app.db.is_sqlite else cluster_summary(app)
