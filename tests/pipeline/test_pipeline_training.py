"""Tests for reading labelled files and the trainable topic model."""

import json

import pandas as pd
import pipeline_test_data
import pytest

from pipeline.datasets import DatasetError, read_labelled
from pipeline.segment import content_words, split_segmented
from pipeline.training import ModelError, load_model, overlapping_rows, prepare, train

shared_data = pipeline_test_data.shared_data  # the data-folder fixture, used by name

EXAMPLES = {
    "交通": [
        "公交车班次太少等车要一小时",
        "路口红绿灯坏了车辆拥堵",
        "出租车拒载还乱收费",
        "公交站台被占用乘客没地方等车",
        "高速收费站排队太长",
        "驾校收费不合理学车难",
        "地铁站出口太远",
        "客运班车超载很危险",
    ],
    "教育": [
        "小学学位不够孩子上不了学",
        "幼儿园收费太贵",
        "学校食堂饭菜质量差",
        "老师有偿补课加重学生负担",
        "中学招生划片不合理",
        "校车安全隐患大",
        "学生作业太多睡眠不足",
        "教师工资拖欠影响教学",
    ],
    "环保": [
        "工厂排放废气气味刺鼻",
        "河道被污水污染发黑发臭",
        "夜间施工噪音扰民",
        "垃圾焚烧浓烟滚滚",
        "养猪场粪便直排河里",
        "砂石场扬尘严重",
        "化工厂偷排废水",
        "搅拌站噪声和粉尘污染",
    ],
}


def _rows(repeat=3):
    texts, labels = [], []
    for label, sentences in EXAMPLES.items():
        for round_ in range(repeat):
            for sentence in sentences:
                texts.append(f"{sentence}，第{round_}次反映")
                labels.append(label)
    return texts, labels


def test_prepare_segments_and_drops_stop_words():
    words = prepare("我们的小区垃圾没有人清运！").split()
    assert "小区" in words and "垃圾" in words
    assert "我们" not in words and "的" not in words and "！" not in words
    assert split_segmented("我们 小区 路灯 ， 的") == ["小区", "路灯"]
    assert content_words("") == []


def test_train_save_load_predict(tmp_path):
    texts, labels = _rows()
    metrics = train(texts, labels, tmp_path / "model")
    assert metrics["holdout"]["accuracy"] >= 0.8
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == sorted(EXAMPLES)
    assert manifest["metrics"] == metrics
    assert "trained_at" in manifest and "version" in manifest
    model = load_model(tmp_path / "model")
    predictions = model.predict(["晚上公交车太少了", "化工厂排放废水污染河道"], titles=["公交", "污染"])
    assert [p.label for p in predictions] == ["交通", "环保"]
    assert abs(sum(predictions[0].scores.values()) - 1) < 1e-3
    assert predictions[0].terms
    result = model.classify("学校", "幼儿园学位紧张")
    assert result.topic == "教育"


def test_load_model_errors_are_chinese(tmp_path):
    with pytest.raises(ModelError, match="模型目录不存在"):
        load_model(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="缺少"):
        load_model(tmp_path / "empty")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"format": 1, "kind": "tfidf-word+char-linearsvc"}', encoding="utf-8")
    (broken / "model.joblib").write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="无法加载"):
        load_model(broken)


def test_train_needs_two_labels(tmp_path):
    with pytest.raises(ValueError, match="两类"):
        train(["a", "b"], ["x", "x"], tmp_path)


def test_read_csv_and_xlsx(tmp_path):
    texts, labels = _rows(repeat=1)
    frame = pd.DataFrame({"标题": ["t"] * len(texts), "内容": texts, "类别": labels})
    frame.loc[0, ["标题", "内容"]] = ""
    frame.to_csv(tmp_path / "data.csv", index=False)
    frame.to_excel(tmp_path / "data.xlsx", index=False)
    frame.to_csv(tmp_path / "gbk.csv", index=False, encoding="gb18030")
    for name in ("data.csv", "data.xlsx", "gbk.csv"):
        data = read_labelled(tmp_path / name, "内容", "类别", title_column="标题")
        assert len(data.texts) == len(texts) - 1 and data.dropped == 1
        assert data.texts[0].startswith("t\n")


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "文件为空"),
        ("内容,类别\n", "没有数据行"),
        ("正文,类别\n一,a\n二,b\n", "找不到文本列 “内容”"),
        ("内容,类别\n一,a\n二,a\n", "只有一种取值"),
    ],
)
def test_read_errors_are_chinese(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_labelled(path, "内容", "类别")


def test_read_missing_or_unsupported_file(tmp_path):
    with pytest.raises(DatasetError, match="文件不存在"):
        read_labelled(tmp_path / "none.csv", "a", "b")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DatasetError, match="不支持的文件类型"):
        read_labelled(tmp_path / "data.json", "a", "b")


def test_overlap_detection():
    train_words = [["东园", "停水", "三天"], ["学校", "招生"], ["停水"]]
    assert overlapping_rows(train_words, [["东园", "小区", "停水", "三天", "没人管"]]) == {0, 2}


def test_trained_on_tipdm_without_the_evaluation_rows(shared_data, tmp_path):
    raw = pd.read_csv(shared_data / "tipdm2020_labeled_raw_sample.csv", dtype=str, keep_default_na=False)
    segmented = pd.read_csv(shared_data / "tipdm2020_labeled_segmented.csv", dtype=str, keep_default_na=False)
    evaluation = [content_words(f"{t}\n{b}") for t, b in zip(raw["留言主题"], raw["留言详情"], strict=True)]
    overlap = overlapping_rows([split_segmented(text) for text in segmented["tokens"]], evaluation)
    keep = segmented.drop(index=list(overlap)).sample(3000, random_state=0)
    train(keep["tokens"].tolist(), keep["label"].tolist(), tmp_path, pre_segmented=True, holdout=0)
    predictions = load_model(tmp_path).predict(raw["留言详情"].tolist(), titles=raw["留言主题"].tolist())
    accuracy = sum(p.label == label for p, label in zip(predictions, raw["一级分类"], strict=True)) / len(raw)
    assert accuracy >= 0.75
