"""The monthly report's .docx as LibreOffice lays it out: converted to PDF and rasterised, every chart shows whole.

A chart is drawn at a known width; the share of its pixels in the bar colours is known from the chart's own PNG.
Laid out whole, the pages carry about that share of the chart's area in those colours; a chart cut down to one
line (a picture in a paragraph with exact line spacing) or pushed off the page carries far less."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from month_seed import local, seed_november
from PIL import Image

from yuqing.reports.build import generate
from yuqing.reports.charts import COLOURS, render_chart
from yuqing.reports.docx_writer import CHART_WIDTH
from yuqing.reports.periods import parse_month

SOFFICE, PDFTOPPM = shutil.which("soffice") or shutil.which("libreoffice"), shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOPPM), reason="需要 LibreOffice 与 pdftoppm(scripts/install-office.sh,make test 时自动安装)"
)
DPI = 60
BARS = [tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for colour in COLOURS[:2]]


def _bar_pixels(image: Image.Image) -> int:
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int(sum((np.abs(pixels - np.array(bar)) <= 40).all(axis=-1).sum() for bar in BARS))


def _expected_bar_pixels(charts: list, scratch: Path) -> float:
    """The bar-coloured pixels the charts cover when shown whole at their width in the document, at DPI."""
    width = CHART_WIDTH.cm / 2.54 * DPI
    total = 0.0
    for chart in charts:
        with Image.open(render_chart(chart, scratch / f"{chart.name}.png")) as image:
            share = _bar_pixels(image) / (image.width * image.height)
            total += share * width * width * image.height / image.width
    return total


def test_charts_are_whole_in_the_pdf_libreoffice_makes(app, tmp_path):
    seed_november(app)
    generated = generate(app, parse_month("2026-11"), tmp_path / "out", now=local(12, 5))
    docx = generated.files[0]
    profile = tmp_path / "lo-profile"  # a private profile: several conversions may run at once
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / (docx.stem + ".pdf")
    subprocess.run([PDFTOPPM, "-r", str(DPI), "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 3 <= len(pages) <= 8
    shown = sum(_bar_pixels(Image.open(page)) for page in pages)
    expected = _expected_bar_pixels(generated.content.charts(), tmp_path)
    assert len(generated.content.charts()) == 3 and expected > 10_000
    assert 0.85 * expected <= shown <= 1.15 * expected, (shown, expected)
