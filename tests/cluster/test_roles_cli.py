"""The scale-out roles refuse SQLite with a clear Chinese message; `yuqing status` on SQLite says it is one process;
the leader's job times and the cluster settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.cli import main


@pytest.fixture
def sqlite_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "y.db"}"\n[logging]\nfile = ""\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("role", ["scheduler", "worker", "mailer", "web"])
def test_scale_out_roles_need_postgresql(sqlite_config, role, capsys):
    assert main(["--config", str(sqlite_config), role]) == 1
    err = capsys.readouterr().err
    assert f"“yuqing {role}”" in err and "需要 PostgreSQL" in err and "yuqing run" in err and "docs/deploy.md" in err


def test_status_on_sqlite_is_one_process(sqlite_config, capsys):
    assert main(["--config", str(sqlite_config), "status"]) == 0
    assert "单机模式" in capsys.readouterr().out


def test_cron_job_next_time_is_its_next_slot():
    from apscheduler.triggers.cron import CronTrigger

    from yuqing.cluster.leader import next_time

    trigger = CronTrigger(hour=8, minute=0, timezone="Asia/Shanghai")
    now = datetime(2026, 12, 2, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai: today's 08:00 has passed
    assert next_time(trigger, False, now) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
