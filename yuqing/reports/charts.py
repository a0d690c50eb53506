"""Bar charts as PNG files, drawn with a registered CJK font so that Chinese text never shows as empty boxes."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from yuqing.reports.tables import Chart

# mplfonts ships Noto Sans CJK SC; a system font is only the fallback (fonts-wqy-microhei may be absent).
BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC")
COLOURS = ("#B8312F", "#4A6FA5", "#D9A441", "#5B8C5A", "#7E5A9B", "#8C8C8C")


class FontMissing(RuntimeError):
    """No font with Chinese glyphs could be found for the charts."""


def _bundled_font() -> Path | None:
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / BUNDLED_FONT
    return path if path.exists() else None


@functools.cache
def cjk_font() -> tuple[str, str]:
    """The (family, file) of the CJK font used in charts, registered with matplotlib once per process."""
    path = _bundled_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name(), str(path)
    for family in SYSTEM_FAMILIES:
        try:
            found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return family, found
    raise FontMissing("找不到中文字体,图表无法正确显示汉字:请安装 mplfonts(pip install mplfonts)或 fonts-noto-cjk")


def chart_style() -> dict:
    """rcParams for drawing Chinese text: the CJK font first, DejaVu Sans for anything it lacks."""
    family, _ = cjk_font()
    return {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}


def render_chart(chart: Chart, path: Path) -> Path:
    """Draw one bar chart (grouped when it has several series) and save it as a PNG."""
    with matplotlib.rc_context(chart_style()):
        height = max(3.2, 0.42 * len(chart.categories) + 1.2) if chart.horizontal else 3.6
        figure = Figure(figsize=(7.0, height), dpi=150)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _draw_bars(axes, chart)
        axes.set_title(chart.title, fontsize=12)
        value_axis = axes.xaxis if chart.horizontal else axes.yaxis
        value_axis.set_label_text(chart.value_label)
        if chart.percent:
            value_axis.set_major_formatter(PercentFormatter(1.0))
        else:
            value_axis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if len(chart.series) > 1:
            axes.legend(frameon=False, fontsize=9)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    return path


def _draw_bars(axes, chart: Chart) -> None:
    if chart.stacked:
        _draw_stacked(axes, chart)
    else:
        _draw_grouped(axes, chart)
    positions = range(len(chart.categories))
    if chart.horizontal:
        axes.set_yticks(list(positions), chart.categories, fontsize=9)
        axes.invert_yaxis()
    else:
        crowded = len(chart.categories) > 4
        axes.set_xticks(
            list(positions),
            chart.categories,
            fontsize=9,
            rotation=30 if crowded else 0,
            ha="right" if crowded else "center",
        )
    if chart.percent:
        (axes.set_xlim if chart.horizontal else axes.set_ylim)(0, 1.15)


def _draw_grouped(axes, chart: Chart) -> None:
    count = len(chart.series)
    width = 0.8 / max(count, 1)
    positions = range(len(chart.categories))
    for index, (name, values) in enumerate(chart.series.items()):
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        draw = axes.barh if chart.horizontal else axes.bar
        # A missing value (an office with no deadline of that kind) gets no bar and no label, not a zero.
        heights = [v or 0 for v in values]
        bars = draw(offsets, heights, width, label=name, color=COLOURS[index % len(COLOURS)])
        labels = ["" if v is None else f"{v:.0%}" if chart.percent else f"{v:g}" for v in values]
        axes.bar_label(bars, labels=labels, fontsize=8, padding=2)


def _draw_stacked(axes, chart: Chart) -> None:
    """One bar per category, the series stacked in it; the total is written on top."""
    positions = list(range(len(chart.categories)))
    base = [0.0] * len(positions)
    draw = axes.barh if chart.horizontal else axes.bar
    bars = None
    for index, (name, values) in enumerate(chart.series.items()):
        heights = [v or 0 for v in values]
        where = {"left": base} if chart.horizontal else {"bottom": base}
        bars = draw(positions, heights, 0.7, label=name, color=COLOURS[index % len(COLOURS)], **where)
        base = [b + h for b, h in zip(base, heights, strict=True)]
    if bars is not None:
        axes.bar_label(bars, labels=[f"{total:g}" if total else "" for total in base], fontsize=8, padding=2)
