"""Small shared building blocks for the pages: level badges, messages, tables and the AG Grid defaults."""

from __future__ import annotations

import dash_ag_grid as dag
from dash import html

from dashboard.actions import ActionResult
from yuqing.labels import level_short

# Chinese labels for the grid's own menus (filters, paging, column menu).
GRID_LOCALE = {
    "contains": "包含",
    "notContains": "不包含",
    "equals": "等于",
    "notEqual": "不等于",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "filterOoo": "筛选…",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "noRowsToShow": "没有符合条件的记录",
    "loadingOoo": "加载中…",
    "page": "页",
    "of": "/",
    "to": "–",
    "more": "更多",
    "firstPage": "首页",
    "lastPage": "末页",
    "nextPage": "下一页",
    "previousPage": "上一页",
    "pinColumn": "固定列",
    "autosizeThisColumn": "自动列宽",
    "resetColumns": "重置列",
    "columns": "列",
    "sortAscending": "升序",
    "sortDescending": "降序",
    "sortUnSort": "取消排序",
}

# Row colours by level; the rules are AG Grid expressions evaluated in the browser on the row's number field.
LEVEL_ROW_RULES = {f"row-lvl-{level}": f"params.data.urgency == {level}" for level in (1, 2, 3, 4)}


def level_badge(urgency: int | None) -> html.Span:
    """A coloured level label (红橙黄蓝)."""
    return html.Span(level_short(urgency), className=f"lvl lvl-{urgency}")


def result_message(result: ActionResult | None) -> html.Div | str:
    """A form's outcome: green on success, red with the reasons otherwise."""
    if result is None:
        return ""
    return html.Div(result.message, className="msg msg-ok" if result.ok else "msg msg-error")


def external_link(url: str | None, text: str | None = None) -> html.A | str:
    """A link that opens outside the dashboard, only for http(s) addresses; anything else is shown as text."""
    if not url:
        return ""
    if not url.lower().startswith(("http://", "https://")):
        return url
    return html.A(text or url, href=url, target="_blank", rel="noopener noreferrer nofollow", className="ext-link")


def form_field(label: str, control, hint: str = "") -> html.Div:
    """A labelled form control, with an optional hint below it."""
    return html.Div([html.Label(label), control] + ([html.Small(hint)] if hint else []), className="field")


def notice(text: str, kind: str = "info") -> html.Div:
    """A boxed note (info, warn or error)."""
    return html.Div(text, className=f"notice notice-{kind}")


def denied_page() -> html.Div:
    """What a page shows to a user whose role may not open it."""
    return notice("您的账户无权访问此页面。如需权限,请联系系统管理员。", "error")


def simple_table(
    columns: list[tuple[str, str]], rows: list[dict], row_class=None, empty: str = "暂无记录"
) -> html.Table:
    """A compact HTML table; every cell is plain text (Dash escapes it)."""
    head = html.Thead(html.Tr([html.Th(label) for _, label in columns]))
    if not rows:
        body = html.Tbody(html.Tr(html.Td(empty, colSpan=len(columns), className="empty")))
    else:
        body = html.Tbody(
            [
                html.Tr(
                    [html.Td(_cell(row.get(key))) for key, _ in columns],
                    className=row_class(row) if row_class else None,
                    key=str(row.get("id", index)),
                )
                for index, row in enumerate(rows)
            ]
        )
    return html.Table([head, body], className="tbl")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def make_grid(
    grid_id: str,
    column_defs: list[dict],
    rows: list[dict],
    height: str = "calc(100vh - 230px)",
    row_id: str = "params.data.id + ''",
    **options,
) -> dag.AgGrid:
    """An AG Grid with plain-text cells, Chinese menus, stable row ids (so refreshes keep scroll and selection)."""
    grid_options = {
        "theme": "themeBalham",
        "localeText": GRID_LOCALE,
        "rowHeight": 26,
        "headerHeight": 28,
        "animateRows": False,
        "enableCellTextSelection": True,
        "tooltipShowDelay": 300,
    }
    grid_options.update(options.pop("grid_options", {}))
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs,
        rowData=rows,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "floatingFilter": False,
            "suppressHeaderMenuButton": False,
        },
        dashGridOptions=grid_options,
        getRowId=row_id,
        className="compact-grid",
        style={"height": height, "width": "100%"},
        **options,
    )
