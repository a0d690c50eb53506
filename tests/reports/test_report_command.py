"""`yuqing report`: clear errors for bad periods, a valid report for an empty month, paths printed, mail queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import OutboxMessage, Report


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///data/yuqing.db"\n[logging]\nfile = ""\n'
        '[mail]\nleader_emails = ["leader@example.gov.cn", "deputy@example.gov.cn"]\n'
        '[[offices]]\ncode = "dzb"\nname = "镇党政办"\nlead = true\n',
        encoding="utf-8",
    )
    return path


def _run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "report", *args])


@pytest.mark.parametrize(
    "args, message",
    [
        (["monthly", "--month", "2026-13"], "月份不存在:“2026-13”"),
        (["monthly", "--month", "202611"], "月份格式不正确:“202611”。应为 YYYY-MM,例如 2026-11"),
        (["monthly"], "生成月度报告需指定月份"),
        (["monthly", "--month", "2999-01"], "2999年1月尚未开始"),
        (["daily", "--date", "2026-11-31"], "日期不存在"),
    ],
)
def test_bad_periods_get_a_clear_chinese_error(config, capsys, args, message):
    assert _run(config, *args) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert not (config.parent / "data" / "reports").exists() or not any((config.parent / "data" / "reports").iterdir())


def test_an_empty_month_is_written_recorded_and_its_paths_printed(config, capsys):
    assert _run(config, "monthly", "--month", "2020-02") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "东园镇2020年2月政务舆情处置情况及问责建议报告(报告期:2020年2月1日至2020年2月29日)"
    assert lines[1] == "本月未发生需处置的政务舆情事件。"
    files = [Path(line) for line in lines[2:4]]
    assert [f.name for f in files] == ["yuqing-monthly-2020-02.docx", "yuqing-monthly-2020-02.xlsx"]
    assert files[0].parent == (config.parent / "data" / "reports").resolve()
    assert "本月未发生需处置的政务舆情事件。" in [p.text for p in Document(str(files[0])).paragraphs]
    app = open_app(load_settings(config))
    try:
        with app.db.read() as session:
            report = session.scalar(select(Report))
            assert (report.kind, report.period, report.files) == ("monthly", "2020-02", [str(f) for f in files])
            assert report.summary["events"] == 0
            assert session.scalar(select(OutboxMessage)) is None  # mailed only with --mail
    finally:
        app.close()


def test_mail_flag_queues_the_files_for_the_leaders(config, tmp_path, capsys):
    out = tmp_path / "elsewhere"
    assert _run(config, "weekly", "--date", "2020-03-04", "--out", str(out), "--mail") == 0
    output = capsys.readouterr().out
    assert "东园镇舆情周报(2020年第10周)" in output and "已加入发件队列" in output and "未登记" in output
    app = open_app(load_settings(config))
    try:
        with app.db.read() as session:
            message = session.scalar(select(OutboxMessage))
            assert (message.kind, message.recipients) == ("report", ["deputy@example.gov.cn", "leader@example.gov.cn"])
            assert message.payload["attachments"] == [
                str((out / "yuqing-weekly-2020-W10.docx").resolve()),
                str((out / "yuqing-weekly-2020-W10.xlsx").resolve()),
            ]
            assert message.subject == "【舆情周报】东园镇舆情周报(2020年第10周)"
            assert "本周未发现新的舆情事件" in message.body_text and "yuqing-weekly-2020-W10.xlsx" in message.body_text
            assert session.scalar(select(Report)) is None  # not in reports.out_dir, so not on the 报告 page
    finally:
        app.close()
