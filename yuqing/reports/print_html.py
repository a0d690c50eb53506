"""A report as one self-contained HTML page styled for printing (A4, 公文-like type): the browser's 打印 → 另存为 PDF
gives the PDF. Charts are embedded as PNG data; every text is escaped."""

from __future__ import annotations

import base64
from datetime import date
from html import escape
from pathlib import Path

from yuqing.reports.docx_writer import NUMERIC
from yuqing.reports.embedded_font import font_face
from yuqing.reports.tables import ReportContent, Table, display

STYLE = """
@page { size: A4; margin: 3.7cm 2.6cm 3.5cm 2.8cm; }
body { font-family: "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "YuqingCJK", serif;
       font-size: 16pt; line-height: 28pt; color: #000; max-width: 15.6cm; margin: 2em auto; }
h1 { font-family: "方正小标宋简体", "SimSun", "Noto Serif CJK SC", "YuqingCJK", serif; font-size: 22pt; line-height: 36pt;
     text-align: center; font-weight: normal; margin: 0; }
.period { font-family: "KaiTi", "楷体", "STKaiti", "Noto Serif CJK SC", "YuqingCJK", serif; text-align: center; margin: 0 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", "YuqingCJK", sans-serif; font-size: 16pt; font-weight: normal;
     text-indent: 2em; margin: 0.6em 0 0; page-break-after: avoid; }
p { text-indent: 2em; margin: 0; }
table { border-collapse: collapse; width: 100%; font-family: "SimSun", "宋体", "Noto Serif CJK SC", "YuqingCJK", serif;
        font-size: 9pt; line-height: 1.35; margin: 0.3em 0 0.6em; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }
th { font-family: "SimHei", "黑体", "Noto Sans CJK SC", "YuqingCJK", sans-serif; font-weight: normal; }
td.num { text-align: center; }
caption { font-family: "SimHei", "黑体", "Noto Sans CJK SC", "YuqingCJK", sans-serif; font-size: 12pt; padding: 0.3em; }
.note { font-size: 10.5pt; text-indent: 0; line-height: 1.5; }
figure { margin: 0.5em 0; text-align: center; page-break-inside: avoid; }
figure img { width: 15cm; max-width: 100%; }
.footer { font-size: 14pt; }
.sign { text-align: right; text-indent: 0; }
@media print { body { margin: 0; max-width: none; } }
"""


def _cell(text: str, numeric: bool) -> str:
    return f'<td class="num">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"


def _table(table: Table, content: ReportContent) -> str:
    head = "".join(f"<th>{escape(c.title)}</th>" for c in table.columns)
    rows = [
        "<tr>"
        + "".join(
            _cell(display(v, c, content.zone), c.kind in NUMERIC) for c, v in zip(table.columns, row, strict=True)
        )
        + "</tr>"
        for row in table.rows
    ] or [f'<tr><td class="num" colspan="{len(table.columns)}">无</td></tr>']
    note = f'<p class="note">注:{escape(table.note)}</p>' if table.note else ""
    return (
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _figure(path: Path, title: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{escape(title)}" src="data:image/png;base64,{data}"></figure>'


def render_html(content: ReportContent, charts: dict[str, Path], issued: date, issuer: str) -> str:
    """The page as text: title, period line, sections (paragraphs, tables, charts), note and signature."""
    parts = [
        f"<h1>{escape(content.title)}</h1>",
        f'<p class="period">{escape(content.period_line)}</p>',
    ]
    for section in content.sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts.extend(f"<p>{escape(text)}</p>" for text in section.paragraphs)
        parts.extend(_table(table, content) for table in section.tables)
        parts.extend(_figure(charts[chart.name], chart.title) for chart in section.charts)
    if content.footer:
        parts.append(f'<p class="footer">{escape(content.footer)}</p>')
    parts.append(f'<p class="sign">{escape(issuer)}</p>')
    parts.append(f'<p class="sign">{issued.year}年{issued.month}月{issued.day}日</p></body></html>')
    body = "\n".join(parts)
    head = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(content.title)}</title>'
        f"<style>{font_face(body + STYLE)}\n{STYLE}</style></head><body>"
    )
    return head + "\n" + body


def write_html(content: ReportContent, charts: dict[str, Path], path: Path, issued: date, issuer: str) -> Path:
    """Write the print page (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(content, charts, issued, issuer), encoding="utf-8")
    return path
