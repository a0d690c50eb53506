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


def _colour_pixels(path, colour: str) -> int:
    import numpy as np

    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - rgb) <= 30).all(axis=-1).sum())


def test_a_stacked_chart_draws_each_series_in_proportion(tmp_path):
    # One slot holds 3 + 1 posts of two source types: the first colour covers about three times the second's area.
    stacked = Chart(
        "timeline", "传播脉络", ["12-01 09时", "12-01 10时"], {"论坛": [3, 0], "微博": [1, 0]}, stacked=True
    )
    path = tmp_path / "stacked.png"
    assert _glyph_warnings(stacked, path) == []
    first, second = (_colour_pixels(path, colour) for colour in charts.COLOURS[:2])
    assert second > 0 and 2.4 <= first / second <= 3.6, (first, second)
