"""A machine that fails: a full disk recognised from SQLite's own error, a log folder that cannot be written."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from yuqing.storage_alarm import storage_problem

ROOT = Path(__file__).resolve().parents[1]


def test_a_full_database_is_recognised(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'full.db'}")

    @event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection, _record):  # the file may not grow past 20 pages: a disk with no room left
        dbapi_connection.execute("PRAGMA max_page_count = 20")

    with pytest.raises(OperationalError) as caught, engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (body BLOB)"))
        for _ in range(100):
            connection.execute(text("INSERT INTO t VALUES (randomblob(4000))"))
    engine.dispose()
    problem = storage_problem(caught.value)
    assert problem is not None and "磁盘空间已满" in problem.reason and "full" in problem.detail
    assert storage_problem(ValueError("something else")) is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("log_file", ["{tmp}/not-a-folder/yuqing.log", "/proc/yuqing-logs/yuqing.log"])
def test_run_with_an_unwritable_log_folder_keeps_running_and_says_why(tmp_path, log_file):
    (tmp_path / "not-a-folder").write_text("a file where the log folder should be")
    log_file = log_file.format(tmp=tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "y.db"}"\n[logging]\nfile = "{log_file}"\n'
        f"[dashboard]\nport = {free_port()}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from yuqing.cli import main; sys.exit(main())",
            "--config",
            str(config),
            "run",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        for line in process.stderr:  # wait until it says it has started (the imports take a few seconds)
            lines.append(line)
            if "系统已启动" in line:
                break
        assert process.poll() is None, "".join(lines)  # still running
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    err = "".join(lines) + err
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"无法写入日志文件 {log_file}" in err and "日志只输出到屏幕" in err
    assert "看板地址" in out
