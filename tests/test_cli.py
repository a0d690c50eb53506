"""The `yuqing` command line: config errors exit 2 without a traceback, users, export contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import AuditLog, Event, Mention, Source, User

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config_file(tmp_path):
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace('file = "data/logs/yuqing.log"', 'file = ""'), encoding="utf-8")
    return path


def test_check_prints_summary(config_file, capsys):
    assert main(["--config", str(config_file), "check"]) == 0
    out = capsys.readouterr().out
    assert "配置有效" in out and "dongyuan-news" in out


def test_broken_config_exits_2_with_location_and_no_traceback(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[dashboard]\nport = "high"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "--config", str(path), "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"{path}:2: dashboard.port: 应为整数" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "quarterly"])
    assert info.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_user_add_hashes_password_and_audits(config_file, capsys):
    assert (
        main(
            [
                "--config",
                str(config_file),
                "user",
                "add",
                "xiaoli",
                "--role",
                "office",
                "--office",
                "msfw",
                "--password",
                "correct-horse",
            ]
        )
        == 0
    )
    assert "已保存用户 xiaoli" in capsys.readouterr().out
    app = open_app(load_settings(config_file))
    with app.db.read() as session:
        user = session.scalars(select(User)).one()
        assert user.office_code == "msfw" and user.password_hash.startswith("$argon2id$")
        assert "correct-horse" not in user.password_hash
        assert session.scalars(select(AuditLog.action).where(AuditLog.entity == "user")).all() == ["user_add"]
    app.close()


def test_user_add_rejects_unknown_office(config_file, capsys):
    status = main(
        [
            "--config",
            str(config_file),
            "user",
            "add",
            "x",
            "--role",
            "office",
            "--office",
            "nowhere",
            "--password",
            "long-enough-1",
        ]
    )
    assert status == 2
    assert "未知单位代码 “nowhere”" in capsys.readouterr().err


def _seed(config_file: Path) -> None:
    app = open_app(load_settings(config_file))
    with app.db.write() as session:
        source = session.scalars(select(Source).where(Source.name == "shapotou-bbs")).one()
        event = Event(title="郭滩村路灯不亮", topic="urban", urgency=4)
        session.add(event)
        session.flush()
        session.add(
            Mention(
                source_id=source.id,
                url="http://127.0.0.1/t/1",
                canonical_url="http://127.0.0.1/t/1",
                content_hash="h1",
                title="=HYPERLINK(\"http://evil\")",
                relevant=True,
                content="联系电话13912345678,路灯坏了",
                topic="urban",
                urgency=4,
                event_id=event.id,
            )
        )
    app.close()


def test_export_mentions_jsonl_contract_and_masking(config_file, capsys):
    _seed(config_file)
    assert main(["--config", str(config_file), "export", "mentions"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    for key in (
        "id",
        "url",
        "title",
        "content",
        "published_at",
        "first_seen_at",
        "source",
        "topic",
        "urgency",
        "relevant",
        "event_id",
    ):
        assert key in row
    assert "13912345678" not in row["content"] and "139" in row["content"]
    assert row["source"] == "shapotou-bbs" and row["relevant"] is True


def test_export_events_xlsx_is_formula_safe(config_file, tmp_path):
    _seed(config_file)
    out = tmp_path / "m.xlsx"
    assert main(["--config", str(config_file), "export", "mentions", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    titles = [cell.value for cell in sheet["C"]]
    assert titles[0] == "标题" and titles[1].startswith("'=")


def test_export_events_xlsx_has_date_cells_a_frozen_header_and_the_deadline(config_file, tmp_path):
    from datetime import datetime, timedelta

    from yuqing.timeutil import utcnow
    from yuqing.workflow.hooks import on_event_detected

    app = open_app(load_settings(config_file))
    detected = utcnow() - timedelta(hours=5)  # a level-4 event: its 研判 (4 h) is an hour overdue
    with app.db.write() as session:
        event = Event(title="郭滩村路灯不亮", topic="urban", urgency=4, detected_at=detected, office_code="cwh-guotan")
        session.add(event)
        session.flush()
        on_event_detected(session, app.settings, event, now=detected)
    app.close()
    out = tmp_path / "events.xlsx"
    assert main(["--config", str(config_file), "export", "events", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert sheet.freeze_panes == "A2" and sheet[1][0].font.b
    assert (
        isinstance(row["发现时间"], datetime)
        and sheet.cell(2, header.index("发现时间") + 1).number_format == "yyyy-mm-dd hh:mm"
    )
    assert row["当前环节"] == "研判" and isinstance(row["截止时间"], datetime)
    assert 0.9 < row["超时(小时)"] < 1.2 and row["突增"] == "否"
    assert sheet.column_dimensions["B"].width == 40  # the title column is wide enough to read


def test_export_bad_since(config_file, capsys):
    assert main(["--config", str(config_file), "export", "events", "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_unreachable_database_is_reported_without_traceback(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[database]\nurl = "postgresql+psycopg://yuqing:secret@127.0.0.1:1/none"\n[logging]\nfile = ""\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "--config", str(path), "user", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "无法连接数据库 postgresql+psycopg://yuqing:***@127.0.0.1:1/none" in proc.stderr
    assert "secret" not in proc.stderr and "Traceback" not in proc.stderr


def test_export_into_a_closed_pipe_is_quiet(config_file):
    _seed(config_file)
    proc = subprocess.run(
        f'"{sys.executable}" -m yuqing.cli --config "{config_file}" export mentions | head -c 10',
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr
