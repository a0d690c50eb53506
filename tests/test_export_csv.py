"""CSV exports are formula-safe like the xlsx ones (issue 13, finding 4): a spreadsheet opening them computes nothing."""

from __future__ import annotations

import csv
import io

import pytest

from yuqing.cli import main
from yuqing.ingest import ingest_item
from yuqing.timeutil import utcnow

TITLES = [
    "=HYPERLINK(\"http://evil.example\",\"点此查看\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "＝HYPERLINK(\"http://evil.example\")",
    " =1+1",
    "\t=1+1",
]


@pytest.mark.parametrize("what", ["mentions", "events"])
def test_csv_cells_never_start_a_formula(app, tmp_path, what):
    for number, title in enumerate(TITLES):
        ingest_item(
            app,
            {
                "source": "forum",
                "source_kind": "rss",
                "url": f"http://127.0.0.1/t/{number}",
                "title": title,
                "content": f"东园镇郭滩村村民反映自来水停了{number}天。",
                "fetched_at": utcnow(),
            },
        )
    out = tmp_path / "out.csv"
    config = tmp_path / "config.toml"  # the app fixture's database (data/test.db beside it)
    config.write_text('[database]\nurl = "sqlite:///data/test.db"\n[logging]\nfile = ""\n', encoding="utf-8")
    assert main(["--config", str(config), "export", what, "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    titles = [row[rows[0].index("标题")] for row in rows[1:]]
    assert titles and all(t[:1] not in "=+-@＝\t " or t.startswith("'") for t in titles), titles
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.lstrip(" \t")[:1] in ("=", "+", "@", "＝")]
    if what == "mentions":
        assert "'=HYPERLINK(\"http://evil.example\",\"点此查看\")" in titles  # kept readable, made inert
