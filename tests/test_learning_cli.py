"""`yuqing train --from-corrections`, `yuqing model list|use`, and bench/learning.py without the data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.test_learning import _correct_all
from yuqing.cli import main
from yuqing.config import load_settings
from yuqing.db.models import AuditLog, TopicModel
from yuqing.learning import forget

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[general]\ndata_dir = "{tmp_path / "data"}"\n[database]\nurl = "sqlite:///{tmp_path / "town.db"}"\n'
        "[logging]\nfile = \"\"\n[learning]\nmin_labels = 20\nmin_held_back = 8\nholdout_share = 0.3\n",
        encoding="utf-8",
    )
    return path


def test_train_from_corrections_list_and_roll_back(tmp_path, capsys):
    from yuqing.app import open_app

    config = _config(tmp_path)
    app = open_app(load_settings(config))
    _correct_all(app)
    app.close()
    assert main(["--config", str(config), "train", "--from-corrections", "--actor", "admin1"]) == 0
    out = capsys.readouterr().out
    assert "新模型 v1 得分" in out and "在用的内置词库" in out and "已切换为 v1" in out
    assert main(["--config", str(config), "model", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("在用:v1") and "使用中" in listing
    assert main(["--config", str(config), "model", "use", "configured", "--actor", "admin1"]) == 0
    assert "已切换回内置词库" in capsys.readouterr().out
    assert main(["--config", str(config), "model", "use", "v7"]) == 2
    assert "不存在" in capsys.readouterr().err
    app = open_app(load_settings(config))
    with app.db.read() as session:
        assert session.get(TopicModel, 1).status == "retired"
        actions = session.execute(select(AuditLog.action, AuditLog.actor).where(AuditLog.entity == "model")).all()
        assert ("model_train", "admin1") in actions and actions.count(("model_activate", "admin1")) == 2
    forget(app.settings)
    app.close()


def test_train_without_corrections_or_arguments_explains(tmp_path, capsys):
    config = _config(tmp_path)
    assert main(["--config", str(config), "train", "--from-corrections"]) == 2
    assert "可用于训练的标注不足" in capsys.readouterr().err
    assert main(["--config", str(config), "train"]) == 2
    assert "--from-corrections" in capsys.readouterr().err


def test_learning_bench_skips_without_the_data_folder(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "learning.py"), "--data", str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "跳过" in done.stderr
