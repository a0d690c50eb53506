"""Charts draw Chinese with real glyphs: no “missing from font” while saving, and the font covers every character."""

from __future__ import annotations

import warnings

from matplotlib.ft2font import FT2Font
from PIL import Image

from yuqing.reports import charts
from yuqing.reports.charts import cjk_font, render_chart
from yuqing.reports.tables import Chart

CHART = Chart(
    "on_time",
    "各责任单位按时完成率",
    ["镇党政办", "郭滩村村委会", "经济发展综合服务中心", "民生服务中心", "综治维稳办公室"],
    {"按时研判率": [1.0, 0.0, 0.5, 0.6667, 1.0], "按时回应率": [0.0, 0.0, 0.75, 0.75, 0.5]},
    value_label="按时完成率",
    percent=True,
)


def _glyph_warnings(chart: Chart, path) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_chart(chart, path)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_chart_text_renders_with_chinese_glyphs(tmp_path):
    path = tmp_path / "chart.png"
    assert _glyph_warnings(CHART, path) == []
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 500 and image.height > 300


def test_the_chart_font_has_a_glyph_for_every_character_shown():
    _, font_file = cjk_font()
    font = FT2Font(font_file)
    text = "".join([CHART.title, CHART.value_label, *CHART.categories, *CHART.series, "0123456789%()"])
    missing = sorted({char for char in text if font.get_char_index(ord(char)) == 0})
    assert missing == []


def test_the_check_catches_tofu(tmp_path, monkeypatch):
    # Without the CJK font matplotlib falls back to DejaVu Sans and warns: the check above would fail.
    monkeypatch.setattr(charts, "chart_style", lambda: {"font.family": ["DejaVu Sans"]})
    assert _glyph_warnings(CHART, tmp_path / "tofu.png")
