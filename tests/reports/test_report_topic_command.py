"""`yuqing report topic`: the files written and printed, clear Chinese errors, and --user rights."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from topic_seed import TITLE, seed_matter

from yuqing.app import open_app
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import User
from yuqing.users import add_user

CONFIG = """[database]
url = "sqlite:///data/yuqing.db"
[logging]
file = ""
[[offices]]
code = "dzb"
name = "镇党政办"
lead = true
[[offices]]
code = "cwh-guotan"
name = "郭滩村村委会"
[[offices]]
code = "msfw"
name = "民生服务中心"
"""


@pytest.fixture
def seeded(tmp_path) -> tuple[Path, int]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    app = open_app(load_settings(config))
    try:
        matter = seed_matter(app)
        with app.db.write() as session:
            add_user(session, "msfw", "password-123", "office", "msfw", actor="test")
            add_user(session, "guotan", "password-123", "office", "cwh-guotan", actor="test")
            assert session.query(User).count() == 2
    finally:
        app.close()
    return config, matter.event_id


def _run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "report", "topic", *args])


def test_writes_the_docx_and_the_print_page(seeded, tmp_path, capsys):
    config, event_id = seeded
    out = tmp_path / "out"
    assert _run(config, "--event", str(event_id), "--until", "2026-12-01 16:00", "--out", str(out)) == 0
    printed = capsys.readouterr().out
    docx, html = sorted(out.glob("yuqing-topic-*.docx")), sorted(out.glob("yuqing-topic-*.html"))
    assert len(docx) == 1 and len(html) == 1
    assert str(docx[0].resolve()) in printed and "统计截至:2026-12-01 16:00" in printed
    text = "\n".join(p.text for p in Document(str(docx[0])).paragraphs)
    assert TITLE in text and "七、研判建议" in text
    assert _run(config, "--event", str(event_id), "--until", "2026-12-01 16:00", "--out", str(tmp_path / "b")) == 0
    assert (tmp_path / "b" / docx[0].name).read_bytes() == docx[0].read_bytes()


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "生成专题报告需指定事件编号"),
        (["--event", "{event}", "--until", "12/01"], "统计截止时间格式应为 YYYY-MM-DD HH:MM"),
        (["--event", "9999"], "事件不存在或无权查看"),
        (["--event", "{event}", "--until", "2026-12-01 08:00"], "在截止时间之前尚未发现"),
        (["--event", "{event}", "--user", "msfw"], "事件不存在或无权查看"),
        (["--event", "{event}", "--user", "nobody"], "用户 “nobody” 不存在或已停用"),
    ],
)
def test_errors_are_clear(seeded, tmp_path, capsys, args, message):
    config, event_id = seeded
    filled = [a.format(event=event_id) for a in args]
    assert _run(config, *filled, "--out", str(tmp_path / "out")) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing half-written


def test_an_office_user_builds_its_own_events_report(seeded, tmp_path):
    config, event_id = seeded
    args = ["--event", str(event_id), "--until", "2026-12-01 16:00", "--user", "guotan", "--out", str(tmp_path)]
    assert _run(config, *args) == 0
    assert len(list(tmp_path.glob("yuqing-topic-*"))) == 2
