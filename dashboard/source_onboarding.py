"""新增来源 on the 来源 page (administrators): write a [[sources]] entry, 试采 (dry run) it, then save it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from dash import dcc, html

from dashboard.components import simple_table
from yuqing.config import ConfigError
from yuqing.privacy import masked
from yuqing.source_registry import TEMPLATE, parse_source
from yuqing.timeutil import format_local


def text_digest(text: str) -> str:
    """What a dry run was made of: 保存 is allowed only for the very text that was tried."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def onboarding_panel(editable: list[str]) -> html.Section:
    """The form: a saved source to edit (or none: a new one), TOML text, 试采 and 保存 buttons, the findings."""
    return html.Section(
        [
            html.H3("新增或修改来源"),
            html.Div(
                "按 config.toml 的写法填写一个 [[sources]] 来源(含选择器小节),先“试采”查看将采集到的标题、时间和编码,"
                "确认无误后“保存”。保存的来源存于数据库,config.toml 仍是初始配置;立即加入采集计划。"
                "在本页新增的来源可选出后修改(名称不变;enabled = false 即停用);config.toml 中的来源请在配置文件中修改。",
                className="meta",
            ),
            dcc.Dropdown(
                id="so-edit-pick",
                options=[{"label": name, "value": name} for name in editable],
                placeholder="修改已在本页新增的来源(不选则新增)",
                className="filter",
            ),
            dcc.Store(id="so-editing", data=None),
            dcc.Textarea(id="so-new-text", value=TEMPLATE, className="input", style={"width": "100%", "height": 240}),
            dcc.Store(id="so-tried", data=None),
            html.Div(
                [
                    html.Button("试采", id="so-try", className="btn"),
                    html.Button("保存", id="so-save", className="btn btn-primary", disabled=True),
                ],
                className="actions-inline",
            ),
            dcc.Loading(html.Div(id="so-try-result")),
            html.Div(id="so-save-result"),
        ],
        className="panel",
    )


def _time(value: str | None) -> str:
    return format_local(datetime.fromisoformat(value)) if value else "(无时间)"


def try_source(app, text: str, editing: str | None = None) -> tuple[bool, list]:
    """Check the text like config.toml, then crawl it once without storing; (usable, what to show). ``editing``:
    the saved source being changed, whose name the text keeps."""
    from crawlers.dryrun import dry_run

    try:
        source, _ = parse_source(text, app.settings)
    except ConfigError as exc:
        return False, [html.Pre(str(exc), className="msg msg-error")]
    if editing and source.name != editing:
        return False, [html.Div(f"修改时不能改名称(原为 “{editing}”)", className="msg msg-error")]
    if not editing and source.name in {s.name for s in app.settings.sources}:
        return False, [html.Div(f"来源名称 “{source.name}” 已被使用,请换一个", className="msg msg-error")]
    result = dry_run(source, app.settings)
    rows = [
        {
            "title": masked(item["title"]) or "(无标题)",
            "published": _time(item["published"]),
            "author": masked(item["author"] or ""),
            "encoding": item["encoding"] or "",
            "comments": item["comments"],
        }
        for item in result.items
    ]
    if result.ok:
        head = (
            f"试采成功:读取 {result.pages} 个列表页,取到 {len(rows)} 条(试采最多取 10 条);"
            f"页面编码 {'、'.join(result.encodings) or '未知'}。"
        )
        if any(row["published"] == "(无时间)" for row in rows):
            head += "部分条目没有读到发布时间,请检查时间选择器。"
    else:
        head = f"试采未取到内容:{result.message}"
    table = simple_table(
        [("title", "标题"), ("published", "发布时间"), ("author", "作者"), ("encoding", "编码"), ("comments", "评论")],
        rows,
        empty="没有取到条目",
    )
    return result.ok, [html.Div(head, className="msg msg-ok" if result.ok else "msg msg-error"), table]
