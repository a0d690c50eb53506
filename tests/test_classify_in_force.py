"""`yuqing classify` judges as ingest does: the monitoring schemes in force in the database (a scheme saved on the
监测方案 page, a config scheme disabled there) and the topic model switched in; config only without a database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.test_learning import _correct_all
from yuqing.app import open_app
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import MonitoringScheme
from yuqing.learning import forget
from yuqing.schemes.store import save_scheme, set_enabled

RACE = {"id": "race", "title": "马拉松比赛交通管制", "content": "周日马拉松比赛期间多条道路封闭。"}
TOWN = {"id": "town", "title": "东园镇郭滩村路灯不亮", "content": "东园镇郭滩村主干道路灯坏了一个月"}


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[general]\ndata_dir = "{tmp_path / "data"}"\n[database]\nurl = "sqlite:///{tmp_path / "town.db"}"\n'
        '[logging]\nfile = ""\n[learning]\nmin_labels = 20\nmin_held_back = 8\nholdout_share = 0.3\n'
        '[[schemes]]\nname = "东园镇"\nregion = "东园|郭滩村"\n',
        encoding="utf-8",
    )
    return path


def _classify(config: Path, cwd: Path, *extra: str) -> tuple[dict[str, dict], str]:
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in (RACE, TOWN))
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "--config", str(config), "classify", *extra],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stderr
    return {row["id"]: row for row in map(json.loads, proc.stdout.splitlines())}, proc.stderr


def test_classify_uses_the_schemes_in_force_in_the_database(tmp_path):
    config = _config(tmp_path)
    # No database yet: the configured scheme, and a notice saying so.
    before, notice = _classify(config, tmp_path)
    assert not before["race"]["relevant"] and before["town"]["relevant"]
    assert "尚不存在" in notice and not (tmp_path / "town.db").exists()
    app = open_app(load_settings(config))
    with app.db.write() as session:  # as the 监测方案 page does: a new scheme, the town's one disabled
        save_scheme(session, {"name": "赛事", "event": "马拉松"}, "admin")
        town_id = session.scalar(select(MonitoringScheme.id).where(MonitoringScheme.name == "东园镇"))
        set_enabled(session, town_id, False, "admin", "试行")
    app.close()
    after, notice = _classify(config, tmp_path)
    assert after["race"]["relevant"] and after["race"]["schemes"] == ["赛事"]
    assert not after["town"]["relevant"]
    assert "尚不存在" not in notice


def test_classify_uses_the_model_switched_in_unless_told_another(tmp_path, capsys):
    config = _config(tmp_path)
    app = open_app(load_settings(config))
    _correct_all(app)
    forget(app.settings)
    app.close()
    assert main(["--config", str(config), "train", "--from-corrections", "--actor", "admin"]) == 0
    assert "已切换为 v1" in capsys.readouterr().out
    verdicts, _ = _classify(config, tmp_path)
    assert verdicts["town"]["topic_model"] == "模型 v1"
    (model,) = (tmp_path / "data" / "models").iterdir()
    named, _ = _classify(config, tmp_path, "--model", str(model))  # the model asked for, not the one in use
    assert named["town"]["topic_model"] not in ("模型 v1", "内置词库")
