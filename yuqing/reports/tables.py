"""The shape every report takes between computing and rendering: typed tables, chart data, sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from yuqing.timeutil import LOCAL, format_duration, to_local

Kind = Literal["text", "int", "float", "percent", "hours", "datetime"]


@dataclass(frozen=True)
class Column:
    """A column: its Chinese heading, the kind of value in it, and what to show for a missing value."""

    title: str
    kind: Kind = "text"
    empty: str = "—"


@dataclass
class Table:
    """Rows of typed values (int, float, a 0–1 share, hours, an aware datetime or text); the unit of both files."""

    sheet: str  # Excel sheet name, at most 31 characters
    title: str  # caption in the Word document
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def column(self, title: str) -> list[Any]:
        """All values of one column, by heading."""
        index = [c.title for c in self.columns].index(title)
        return [row[index] for row in self.rows]


@dataclass
class Chart:
    """Data for one bar chart: categories along one axis, one bar per series (None: no bar)."""

    name: str  # file stem
    title: str
    categories: list[str]
    series: dict[str, list[float | None]]
    horizontal: bool = False
    value_label: str = ""
    percent: bool = False
    stacked: bool = False  # the series one on top of the other (parts of a whole, e.g. posts by source type)


@dataclass
class Section:
    """A numbered part of a report: paragraphs, then tables and charts."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class ReportContent:
    """A whole report ready to render: title, 报告期 line, sections, and a summary for the Report row."""

    kind: str
    period_key: str
    title: str
    period_line: str
    sections: list[Section]
    summary: dict[str, Any]
    footer: str = ""
    zone: ZoneInfo = LOCAL  # times are shown in this zone

    def tables(self) -> list[Table]:
        """Every table in document order (the workbook's sheets)."""
        return [table for section in self.sections for table in section.tables]

    def charts(self) -> list[Chart]:
        """Every chart in document order."""
        return [chart for section in self.sections for chart in section.charts]


def display(value: Any, column: Column, zone: ZoneInfo = LOCAL) -> str:
    """How a value is written in the Word document."""
    if value is None:
        return column.empty
    if column.kind == "percent":
        return f"{value * 100:.1f}%"
    if column.kind == "hours":
        return format_duration(value * 3600) if value else "0分"
    if column.kind == "datetime":
        return to_local(value, zone).strftime("%Y-%m-%d %H:%M")
    if column.kind == "float":
        return f"{value:.2f}"
    return str(value)


def local_naive(value: datetime, zone: ZoneInfo = LOCAL) -> datetime:
    """A local wall-clock time without zone, as Excel stores it."""
    return to_local(value, zone).replace(tzinfo=None)
