"""Tests for reading labelled files and the trainable topic model."""

import json

import pandas as pd
import pipeline_test_data
import pytest

from pipeline.datasets import DatasetError, read_labelled
from pipeline.overlap import overlapping_rows
from pipeline.segment import content_words, split_segmented
from pipeline.training import ModelError, load_model, prepare, train

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


TOWN_ROWS = {
    "transport": EXAMPLES["交通"],
    "education": EXAMPLES["教育"],
    "environment": EXAMPLES["环保"],
    # This town files disputes with property developers under 市场监管 (the shipped lexicon says 住房保障).
    "commerce": [
        "楼盘开发商虚假宣传误导购房者",
        "开发商违规收取购房诚意金",
        "售楼处捆绑销售车位",
        "开发商不按合同配建幼儿园",
        "楼盘广告承诺的配套没有落实",
        "开发商拖延办理房产证",
        "商场促销先涨价后打折",
        "超市出售过期食品",
    ],
    "medical": ["医院收费不透明", "社区卫生院缺少医生", "药店高价卖药"],
}


def _town_rows():
    texts, labels = [], []
    for label, sentences in TOWN_ROWS.items():
        for sentence in sentences:
            texts.append(sentence)
            labels.append(label)
    return texts, labels


def test_a_town_model_keeps_what_the_lexicon_knows_and_learns_the_towns_conventions(tmp_path):
    from pipeline.analyze import TextIn, analyze, build_context
    from pipeline.normalize import normalize
    from pipeline.topics import LexiconClassifier
    from pipeline.training import fit, save_model

    lexicon = LexiconClassifier()
    texts, labels = _town_rows()
    corpus = [(f"第{n}条", f"{sentence}，群众第{n}次反映") for n in range(20) for sentence in texts]
    model = fit(texts, labels, prior=lexicon, corpus=corpus)
    plain = fit(texts, labels)
    assert model.manifest["kind"] == "tfidf-word+char+lsa+prior-linearsvc" and model.manifest["prior"]
    assert model.extras.projection is not None  # 300 messages of the town: a projection was fitted
    convention = normalize("开发商延期交房，业主要求赔偿")
    assert lexicon.classify("", convention).topic == "housing"
    assert model.classify("", convention).topic == "commerce"  # learned from the town's corrections
    # No corrected row has these words; the lexicon knows them (挂号 → 就医; 排队 is in a transport row).
    unseen = normalize("挂号排队三小时看不上病")
    assert model.classify("", unseen).topic == "medical"
    assert plain.classify("", unseen).topic != "medical"
    # Saved and loaded with its prior (the shipped lexicon when none is given), it decides alike.
    save_model(model, tmp_path / "town")
    for loaded in (load_model(tmp_path / "town", prior=lexicon), load_model(tmp_path / "town")):
        assert [p.label for p in loaded.predict(["开发商延期交房，业主要求赔偿", "挂号排队三小时看不上病"])] == [
            "commerce",
            "medical",
        ]
    # A serious incident of a kind no correction taught (no 安全生产 row) still goes to the office for its kind; a
    # routine post that names a hazard in passing keeps the topic the town's model gives it.
    assert "work_safety" in model.untaught_labels and "work_safety" not in model.labels
    context = build_context(model_dir=tmp_path / "town")
    fire = analyze(TextIn(title="化工厂发生爆炸 3人死亡", content="今天上午镇化工厂车间爆炸起火，3人死亡。"), context)
    assert fire.urgency <= 2 and fire.topic == "work_safety"
    minor = TextIn(title="小区仓库起火", content="小区地下仓库起火，物业及时扑灭，无人受伤。")
    assert analyze(minor, build_context()).topic == "work_safety"  # the lexicon's rule: a fire is 安全生产
    assert analyze(minor, context).urgency > 2 and analyze(minor, context).topic != "work_safety"


def test_the_prior_choice_stands_unless_the_model_prefers_another_topic_clearly(tmp_path):
    import numpy as np

    from pipeline.model_extras import keep_prior
    from pipeline.topics import LexiconClassifier
    from pipeline.training import fit, save_model

    classes = ["commerce", "housing", "urban"]
    decision = np.array([[0.4, 0.2, -1.0], [1.5, 0.2, -1.0], [0.4, -0.5, 0.3], [0.4, 0.2, -1.0]])
    priors = [{"housing": 0.7, "urban": 0.3}, {"housing": 0.7}, {"medical": 0.9}, {}]
    assert list(keep_prior(decision, classes, priors, 0.0)) == [0, 0, 0, 0]  # no margin: the model's best
    # 0.4 - 0.2 < 0.5: the prior's 住房 stands; 1.5 - 0.2 is clear; a topic the model was never taught, or no prior
    # score at all, leaves the model's choice.
    assert list(keep_prior(decision, classes, priors, 0.5)) == [1, 0, 0, 0]
    # A fitted town model: the lexicon says 交通 for 医院停车难, the model 就医 (medical is what its rows say about
    # 医院). With a margin the model cannot clear, the lexicon's choice stands; a topic the town never taught
    # (住房保障 for the developer's delay) still gives way. Kept in the manifest: saved and loaded, it decides alike.
    texts, labels = _town_rows()
    model = fit(texts, labels, prior=LexiconClassifier(), corpus=[("", text) for text in texts])
    sample = ["医院停车难", "开发商延期交房，业主要求赔偿"]
    assert [p.label for p in model.predict(sample)] == ["medical", "commerce"]
    model.prior_margin = model.manifest["prior_margin"] = 100.0
    assert [p.label for p in model.predict(sample)] == ["transport", "commerce"]
    save_model(model, tmp_path / "town")
    assert [p.label for p in load_model(tmp_path / "town").predict(sample)] == ["transport", "commerce"]


def test_the_priors_weight_follows_the_number_of_labels_and_is_kept_with_the_model(tmp_path):
    import numpy as np

    from pipeline.model_extras import LIGHT_FROM, LIGHT_WEIGHT, PRIOR_WEIGHT, prior_weight
    from pipeline.topics import LexiconClassifier
    from pipeline.training import fit, save_model

    assert prior_weight(LIGHT_FROM - 1) == PRIOR_WEIGHT and prior_weight(LIGHT_FROM) == LIGHT_WEIGHT < PRIOR_WEIGHT
    texts, labels = _town_rows()
    lexicon = LexiconClassifier()
    corpus = [("", text) for text in texts]
    usual = fit(texts, labels, prior=lexicon, corpus=corpus)
    light = fit(texts, labels, prior=lexicon, corpus=corpus, prior_weight=LIGHT_WEIGHT)
    assert usual.extras.prior_weight == PRIOR_WEIGHT and usual.manifest["prior_weight"] == PRIOR_WEIGHT
    assert light.extras.prior_weight == light.manifest["prior_weight"] == LIGHT_WEIGHT
    # The prior's block is scaled by the weight: same scores, half the feature values.
    sample = [("", "挂号排队三小时看不上病")]
    usual_values, priors = usual.decision_values(sample)
    (prior_block,) = light.extras.blocks(np.zeros((1, 1)), priors)  # too few rows for a projection
    assert prior_block.max() == pytest.approx(LIGHT_WEIGHT * max(priors[0].values()))
    assert not np.allclose(usual_values, light.decision_values(sample)[0])
    save_model(light, tmp_path / "light")
    loaded = load_model(tmp_path / "light", prior=lexicon)
    assert loaded.extras.prior_weight == LIGHT_WEIGHT
    assert np.allclose(loaded.decision_values(sample)[0], light.decision_values(sample)[0])
