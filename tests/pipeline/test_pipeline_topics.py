"""Tests for the shipped lexicon classifier (pipeline.topics)."""

import pandas as pd
import pipeline_test_data
import pytest

from pipeline.normalize import normalize
from pipeline.topics import TOPIC_NAMES, LexiconClassifier

shared_data = pipeline_test_data.shared_data  # the data-folder fixture, used by name

TIPDM_TO_OURS = {
    "城乡建设": {"urban", "housing", "land"},
    "劳动和社会保障": {"employment", "social_security", "elderly"},
    "教育文体": {"education"},
    "商贸旅游": {"commerce"},
    "环境保护": {"environment"},
    "卫生计生": {"medical"},
    "交通运输": {"transport"},
}


@pytest.fixture(scope="module")
def classifier():
    return LexiconClassifier()


@pytest.mark.parametrize(
    "title, content, topic",
    [
        ("镇卫生院看病难", "卫生院医生太少，挂号排队两小时", "medical"),
        ("孩子上学问题", "小学学位不够，入学报名难", "education"),
        ("公租房申请", "保障性住房的申请条件是什么", "housing"),
        ("化工厂违规作业", "危化品仓库存在重大安全隐患，安全生产无人监管", "work_safety"),
        ("饭店卖过期食品", "吃了后多人食物中毒，地沟油问题严重", "food_drug"),
        ("暴雨内涝", "山洪暴发，村庄被淹，急需救灾物资", "disaster"),
        ("工厂偷排污水", "河道被污染，臭味刺鼻", "environment"),
        ("敬老院条件差", "孤寡老人养老服务跟不上", "elderly"),
        ("低保被取消", "残疾人家庭生活困难，申请临时救助", "social_security"),
        ("拖欠农民工工资", "老板拖欠工资半年，讨薪无门", "employment"),
        ("征地补偿不到位", "宅基地被征收，拆迁补偿款迟迟不发", "land"),
        ("路灯不亮", "小区门口道路坑洼，下水道堵塞", "urban"),
        ("出租车拒载", "出租车司机拒载还绕路，网约车也打不到", "transport"),
        ("商家虚假宣传", "消费者退款被拒，价格欺诈", "commerce"),
        ("村里有人聚众赌博", "派出所不管，治安很差，还有盗窃", "public_security"),
        ("办事窗口推诿", "工作人员态度恶劣，门难进脸难看事难办", "governance"),
    ],
)
def test_each_default_topic(classifier, title, content, topic):
    assert classifier.classify(title, content).topic == topic


@pytest.mark.parametrize(
    "title, content, topic",
    [
        ("小区电梯又坏了", "电梯一个月停了三次，维修没人管", "commerce"),  # lifts are 特种设备: market supervision
        ("产假能休多久", "单位说产假只给98天，不让休满", "employment"),
        ("大病救助怎么申请", "家里老人得了尿毒症，听说可以申请大病救助", "social_security"),
        ("洒水车早高峰作业", "洒水车天天早上七点在主街洒水", "urban"),
        ("楼下KTV太吵", "每天半夜还在唱歌，吵得睡不着", "environment"),
    ],
)
def test_words_filed_where_the_matter_is_handled(classifier, title, content, topic):
    assert classifier.classify(normalize(title), normalize(content)).topic == topic


def test_scores_are_normalised_and_terms_explain(classifier):
    result = classifier.classify("镇卫生院看病难", "卫生院医生太少")
    assert result.topic == "medical"
    assert abs(sum(result.scores.values()) - 1) < 1e-3
    assert "卫生院" in result.terms


def test_title_counts_more_than_body(classifier):
    body = "医院门口出租车乱停"
    assert classifier.classify("出租车拒载", body).topic == "transport"
    assert classifier.classify("医院就医难", body).topic == "medical"


def test_longest_term_wins(classifier):
    # 养老保险 is social security, not elderly services, although it contains 养老.
    assert classifier.classify("", "养老保险怎么缴").topic == "social_security"


def test_no_evidence_is_other(classifier):
    result = classifier.classify("", "今天天气不错")
    assert result.topic == "other"
    assert result.scores == {"other": 1.0}


def test_extra_keywords_and_renamed_topics():
    classifier = LexiconClassifier(
        extra_keywords={"land": ["枸杞地", " ", "ＧＱ地块 "], "tourism": ["沙坡头景区"]},
        names={"land": "征地", "tourism": "文旅"},
    )
    assert classifier.classify("", "枸杞地被占").topic == "land"
    assert classifier.classify("", "沙坡头景区门票").topic == "tourism"
    assert classifier.classify("", "gq地块被占").topic == "land"
    assert classifier.names["land"] == "征地"
    assert classifier.names["tourism"] == "文旅"
    assert set(TOPIC_NAMES) <= set(classifier.names)


def test_accuracy_on_tipdm_raw_sample(shared_data, classifier):
    table = pd.read_csv(shared_data / "tipdm2020_labeled_raw_sample.csv", dtype=str, keep_default_na=False)
    correct = sum(
        classifier.classify(normalize(title), normalize(body)).topic in TIPDM_TO_OURS[label]
        for title, body, label in zip(table["留言主题"], table["留言详情"], table["一级分类"], strict=True)
    )
    assert correct / len(table) >= 0.8
