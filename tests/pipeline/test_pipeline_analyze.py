"""Tests for the analyze() entry point and the JSON-lines classify contract."""

import io
import json

import pytest

from pipeline.analyze import TextIn, analyze, build_context
from pipeline.classify_io import classify_lines
from pipeline.schemes import SchemeSyntaxError
from pipeline.training import train


@pytest.fixture(scope="module")
def ctx():
    return build_context(
        [("东园安全", "东园镇|东园村|沙坡头区", "", "爆炸|火灾|(污水+排放)", "演练"), ("全部", "", "", "", "")],
        villages=["东园村", "新星村"],
        village_aliases={"新星村": ["新星"]},
        extra_keywords={"land": ["枸杞地"]},
        topic_names={"land": "征地"},
    )


def test_analyze_a_severe_post(ctx):
    result = analyze(
        TextIn("東園村化工廠發生爆炸", "据网友爆料，东园村一化工厂发生爆炸，造成3人死亡，联系人13812345678", "weibo"),
        ctx,
    )
    assert result.normalized_title == "东园村化工厂发生爆炸"
    assert "138****5678" in result.content_masked and "13812345678" not in result.content_masked
    assert result.personal_data == {"mobile": 1}
    assert result.relevant and result.schemes == ["东园安全", "全部"]
    assert "爆炸" in result.matched_terms
    assert result.topic == "work_safety" and result.topic_name == "安全生产"
    assert result.urgency == 1 and result.urgency_name == "特别重大"
    assert any("死亡3人" in reason for reason in result.urgency_reasons)
    assert result.village == "东园村"
    assert 0 < result.negativity <= 1
    assert -(1 << 63) <= result.simhash < (1 << 63)
    assert result.minhash.shape == (64,)
    reasons = result.reasons()
    assert any(reason.startswith("领域：安全生产") for reason in reasons)
    assert "爆炸" in result.terms


def test_not_relevant_when_no_scheme_matches():
    ctx = build_context([("东园", "东园镇", "", "", "")])
    result = analyze(TextIn("新星村路灯不亮", "", "board"), ctx)
    assert not result.relevant and result.schemes == []
    assert result.reasons()[-1] == "未命中任何监测方案"


def test_everything_relevant_without_schemes():
    assert analyze(TextIn("随便", "什么"), build_context()).relevant


def test_village_alias_and_renamed_topic(ctx):
    result = analyze(TextIn("", "新星组的枸杞地被强占了"), ctx)
    assert result.village == "新星村"
    assert result.topic == "land" and result.topic_name == "征地"


def test_html_used_when_content_is_empty(ctx):
    result = analyze(TextIn("通知", "", "official", html="<p>东园镇&nbsp;停水</p><script>x</script>"), ctx)
    assert result.normalized_content == "东园镇 停水"


@pytest.mark.parametrize(
    "text",
    ["", " ", "😀" * 50, "&amp;&lt;&#0;&#xD800;", "Mixed 中文 English ١٢٣ русский", "\x00\x01\ud800", "1" * 5000],
)
def test_odd_inputs_do_not_crash(ctx, text):
    result = analyze(TextIn(text, text), ctx)
    assert result.urgency in (1, 2, 3, 4)


def test_one_megabyte_text(ctx):
    text = ("东园村一工厂发生火灾。居民电话13812345678。" * 40000)[:1_000_000]
    result = analyze(TextIn("大文本", text), ctx)
    assert result.urgency <= 3
    assert "13812345678" not in result.content_masked


def test_bad_scheme_in_context():
    with pytest.raises(SchemeSyntaxError):
        build_context([("坏", "东园+", "", "", "")])


def test_trained_model_as_classifier(tmp_path):
    texts = ["公交车太少等车久", "地铁票价太贵", "出租车乱收费", "红绿灯坏了"] * 5 + [
        "学校学位不够",
        "老师有偿补课",
        "幼儿园收费贵",
        "学生作业太多",
    ] * 5
    labels = ["交通"] * 20 + ["教育"] * 20
    train(texts, labels, tmp_path)
    ctx = build_context(model_dir=tmp_path)
    result = analyze(TextIn("", "公交车等了一个小时"), ctx)
    assert result.topic == "交通" and result.topic_name == "交通"


def test_classify_lines_contract_and_per_line_errors(ctx):
    lines = (
        "\n".join(
            [
                json.dumps(
                    {
                        "id": 1,
                        "title": "东园村化工厂爆炸",
                        "content": "3人死亡",
                        "source": "news",
                        "published_at": "2026-11-25T08:00:00Z",
                        "url": "http://x",
                    },
                    ensure_ascii=False,
                ),
                "这不是 JSON",
                "[1, 2]",
                json.dumps({"title": "没有 id"}, ensure_ascii=False),
                "",
                json.dumps({"id": "b", "content": {"nested": True}}),
                json.dumps({"id": "c", "content": "&lt;b&gt; 😀", "published_at": "昨天"}, ensure_ascii=False),
                '{"id": "d", "content": "\\ud800 孤立代理"}',
            ]
        )
        + "\n"
    )
    out, err = io.StringIO(), io.StringIO()
    report = classify_lines(io.StringIO(lines), out, err, ctx)
    assert (report.written, report.errors) == (3, 4)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in records] == [1, "c", "d"]
    for record in records:
        assert {"id", "topic", "urgency", "relevant", "matched_terms", "reasons", "topic_scores"} <= set(record)
    assert records[0]["urgency"] == 1 and records[0]["topic"] == "work_safety"
    errors = err.getvalue().splitlines()
    assert errors[0].startswith("第 2 行：不是有效的 JSON")
    assert errors[1].startswith("第 3 行：应为 JSON 对象")
    assert errors[2].startswith("第 4 行：缺少 “id” 字段")
    assert errors[3].startswith("第 6 行：字段 “content” 应为字符串")
    assert errors[4].startswith("第 7 行：字段 “published_at”")


def test_classify_lines_survives_an_analyzer_failure(ctx):
    def flaky(text_in, context):
        if text_in.content == "坏":
            raise RuntimeError("boom")
        return analyze(text_in, context)

    source = io.StringIO('{"id":1,"content":"坏"}\n{"id":2,"content":"好"}\n')
    out, err = io.StringIO(), io.StringIO()
    report = classify_lines(source, out, err, ctx, analyzer=flaky)
    assert (report.written, report.errors) == (1, 1)
    assert "第 1 行：分析失败" in err.getvalue()
