"""Word rendering in the manner of a Chinese official document (GB/T 9704 page, 小标宋/黑体/楷体/仿宋 type)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from yuqing.reports.tables import ReportContent, Table, display

# Font names as Word knows them on a Chinese Windows; LATIN is used for digits and Latin letters.
TITLE_FONT, HEADING_FONT, SUBTITLE_FONT, BODY_FONT, TABLE_FONT = "方正小标宋简体", "黑体", "楷体", "仿宋", "宋体"
LATIN = "Times New Roman"
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_5, SIZE_SMALL_5 = 22, 16, 14, 12, 10.5, 9
NUMERIC = ("int", "float", "percent", "hours", "datetime")
CHART_WIDTH = Cm(15)  # within the 15.6 cm between the margins set in _setup_page


def _style_run(run: Run, east_asia: str, size: float, bold: bool = False) -> Run:
    """Set both the Latin and the East Asian font of a run (Word picks the font per script)."""
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    return run


def _paragraph(
    doc_or_cell,
    text: str,
    font: str,
    size: float,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
) -> Paragraph:
    paragraph = doc_or_cell.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _style_run(paragraph.add_run(text), font, size, bold)
    return paragraph


def _setup_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(SIZE_3)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])


def _page_number(paragraph: Paragraph) -> None:
    """“— 3 —” centred in the footer, from a PAGE field."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _style_run(paragraph.add_run("— "), TABLE_FONT, SIZE_4)
    run = _style_run(paragraph.add_run(), TABLE_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _style_run(paragraph.add_run(" —"), TABLE_FONT, SIZE_4)


def _cell_text(cell, text: str, *, bold: bool = False, centre: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _style_run(paragraph.add_run(text), HEADING_FONT if bold else TABLE_FONT, SIZE_SMALL_5)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table(document, table: Table, zone: ZoneInfo) -> None:
    caption = _paragraph(document, table.title, HEADING_FONT, SIZE_SMALL_4, align=WD_ALIGN_PARAGRAPH.CENTER)
    caption.paragraph_format.space_before = Pt(6)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        _cell_text(cell, column.title, bold=True, centre=True)
    _repeat_header(grid.rows[0])
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, column, value in zip(cells, table.columns, values, strict=True):
            _cell_text(cell, display(value, column, zone), centre=column.kind in NUMERIC)
    if not table.rows:
        cells = grid.add_row().cells
        merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
        _cell_text(merged, "无", centre=True)
    if table.note:
        _paragraph(document, "注:" + table.note, BODY_FONT, SIZE_5)


def _picture(document, path: Path) -> None:
    """A chart centred on its own line. The body text has exact 28 pt line spacing (公文 style): a picture in such
    a paragraph is cut down to one 28 pt line, so its paragraph gets single spacing and grows with the picture."""
    document.add_picture(str(path), width=CHART_WIDTH)
    paragraph = document.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_together = True


def write_docx(
    content: ReportContent,
    charts: dict[str, Path],
    path: Path,
    issued: date,
    issuer: str,
    stamp: datetime | None = None,
) -> Path:
    """Write the report as .docx: title, 报告期, sections with paragraphs, tables and charts, signature. With a
    `stamp` the document's created and modified times are that time (a report reproducible from a cut-off)."""
    document = Document()
    _setup_page(document)
    document.core_properties.title = content.title
    document.core_properties.author = issuer
    if stamp is not None:
        document.core_properties.created = document.core_properties.modified = stamp
    _paragraph(
        document, content.title, TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER
    ).paragraph_format.line_spacing = Pt(36)
    _paragraph(document, content.period_line, SUBTITLE_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER)
    for section in content.sections:
        _paragraph(document, section.heading, HEADING_FONT, SIZE_3, indent=True)
        for text in section.paragraphs:
            _paragraph(document, text, BODY_FONT, SIZE_3, indent=True)
        for table in section.tables:
            _table(document, table, content.zone)
        for chart in section.charts:
            _picture(document, charts[chart.name])
    if content.footer:
        _paragraph(document, content.footer, BODY_FONT, SIZE_4, indent=True)
    _paragraph(document, "", BODY_FONT, SIZE_3)
    _paragraph(document, issuer, BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(
        document, f"{issued.year}年{issued.month}月{issued.day}日", BODY_FONT, SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
