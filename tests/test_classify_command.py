"""`yuqing classify` and `yuqing train` as a user runs them: JSON lines through a real process."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yuqing.cli", *args], input=stdin, capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_classify_contract_and_per_line_errors():
    lines = [
        json.dumps({"id": "a", "title": "东园镇郭滩村砖厂爆炸", "content": "造成3人死亡,多人受伤"}, ensure_ascii=False),
        "{not json",
        json.dumps(
            {"id": "b", "title": "金沙村路灯不亮", "content": "东园镇金沙村主干道路灯坏了一个月"}, ensure_ascii=False
        ),
        json.dumps({"title": "没有编号"}, ensure_ascii=False),
    ]
    proc = _run(["--config", str(ROOT / "config.toml"), "classify"], "\n".join(lines) + "\n")
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["id"] for row in out] == ["a", "b"]
    for row in out:
        assert {"id", "topic", "urgency", "relevant", "matched_terms", "reasons"} <= row.keys()
    assert out[0]["topic"] == "work_safety" and out[0]["urgency"] == 1
    assert out[1]["topic"] == "urban" and out[1]["urgency"] == 4
    assert "第 2 行" in proc.stderr and "第 4 行" in proc.stderr
    assert "Traceback" not in proc.stderr


def _labelled_csv(path: Path) -> None:
    examples = {
        "路灯": ["村里路灯坏了没人修", "主干道路灯不亮晚上很黑", "路灯杆倒了", "小区路灯一直不亮", "巷子里没有路灯"],
        "供水": ["停水三天了没人管", "自来水浑浊发黄", "水压太低楼上没水", "供水管道破裂", "水费收得太高"],
        "学校": ["学校食堂饭菜太差", "孩子上学太远没有校车", "学校乱收费", "老师体罚学生", "幼儿园学位不够"],
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["内容", "类别"])
        for label, texts in examples.items():
            for repeat in range(3):
                for text in texts:
                    writer.writerow([f"{text}{'!' * repeat}", label])


def test_train_then_classify_with_the_model(tmp_path):
    data = tmp_path / "history.csv"
    _labelled_csv(data)
    model = tmp_path / "model"
    proc = _run(
        ["train", "--data", str(data), "--text-column", "内容", "--label-column", "类别", "--out", str(model)],
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "训练完成" in proc.stdout and (model / "manifest.json").exists()
    line = json.dumps({"id": 1, "title": "", "content": "我们村的路灯坏了好几天"}, ensure_ascii=False)
    proc = _run(["classify", "--model", str(model)], line + "\n", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["topic"] == "路灯"


def test_train_reports_a_missing_column(tmp_path):
    data = tmp_path / "history.csv"
    _labelled_csv(data)
    proc = _run(
        ["train", "--data", str(data), "--text-column", "正文", "--label-column", "类别", "--out", str(tmp_path / "m")],
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "找不到文本列 “正文”" in proc.stderr and "Traceback" not in proc.stderr


def test_classify_with_a_missing_model_dir(tmp_path):
    proc = _run(["classify", "--model", str(tmp_path / "nope")], "", cwd=tmp_path)
    assert proc.returncode == 2 and "模型目录不存在" in proc.stderr
