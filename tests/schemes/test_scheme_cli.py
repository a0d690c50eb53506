"""`yuqing scheme list | reapply`: the stored schemes with where they come from; re-applying from the command line."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yuqing.app import open_app
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import AuditLog, JobRun, Mention
from yuqing.ingest import ingest_item
from yuqing.schemes.store import save_scheme
from yuqing.timeutil import utcnow

CONFIG = """
[general]
data_dir = "data"
[logging]
file = ""
[[schemes]]
name = "东园镇"
region = "东园|郭滩村"
"""


def test_list_and_reapply_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    app = open_app(load_settings(path))
    mention = ingest_item(
        app,
        dict(source="news", url="http://127.0.0.1/n/1", title="马拉松交通管制", content="马拉松期间道路封闭。"),
        now=utcnow() - timedelta(days=2),
    ).mention_id
    with app.db.write() as session:
        save_scheme(session, {"name": "赛事", "event": "马拉松"}, "admin")
    app.close()
    assert main(["--config", str(path), "scheme", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("东园镇\t第 1 版\t来自config.toml,以config.toml为准\t全镇\t地域词 东园|郭滩村;")
    assert lines[1].startswith("赛事\t第 1 版\t来自页面,以页面为准")
    assert main(["--config", str(path), "scheme", "reapply", "--days", "3", "--actor", "张管理"]) == 0
    assert "新增相关 1 条" in capsys.readouterr().out
    assert main(["--config", str(path), "scheme", "reapply", "--days", "0"]) == 2
    assert "--days 应在 1 到 90 之间" in capsys.readouterr().err
    app = open_app(load_settings(path))
    with app.db.read() as session:
        assert session.get(Mention, mention).relevant is True
        assert session.scalar(select(AuditLog.actor).where(AuditLog.entity_id == "*")) == "张管理"
    app.close()


def test_reapply_on_the_command_line_waits_for_its_result_and_never_runs_beside_another(tmp_path, capsys):
    from yuqing.schemes.reapply_runs import claim, run_state

    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    app = open_app(load_settings(path))
    claim(app, "admin", 7, "web@other:1")  # the 监测方案 page of another process is re-applying now
    app.close()
    assert main(["--config", str(path), "scheme", "reapply", "--days", "3"]) == 1
    err = capsys.readouterr().err
    assert "已有一次重新应用正在进行(admin," in err and "请等它完成后再试" in err
    app = open_app(load_settings(path))
    with app.db.write() as session:  # that run ends
        session.get(JobRun, "监测方案重新应用").last_finished_at = utcnow()
    app.close()
    assert main(["--config", str(path), "scheme", "reapply", "--days", "3", "--actor", "张管理"]) == 0
    out = capsys.readouterr().out
    app = open_app(load_settings(path))
    state = run_state(app)
    app.close()
    # The command returned with the result: its run record is finished and says what the command printed.
    assert state is not None and not state.running and state.ok and state.started_by == "张管理"
    assert state.progress.strip() == out.strip()
