"""Tests for pipeline.schemes: the expression language, errors in Chinese, and matching."""

import pytest

from pipeline.schemes import And, Everything, Or, SchemeSyntaxError, Word, compile_schemes, parse


def test_or_and_precedence_and_parentheses():
    assert parse("东园镇|沙坡头区|(中卫+东园)") == Or(
        (Word("东园镇"), Word("沙坡头区"), And((Word("中卫"), Word("东园"))))
    )
    assert parse("a+b|c") == Or((And((Word("a"), Word("b"))), Word("c")))


def test_nested_groups():
    assert parse("(a|b)+(c|(d+e))") == And((Or((Word("a"), Word("b"))), Or((Word("c"), And((Word("d"), Word("e")))))))


def test_separators_that_mean_or():
    assert parse("a｜b，c,d、e f") == Or(tuple(Word(w) for w in "abcdef"))
    assert parse("a + b") == And((Word("a"), Word("b")))
    assert parse("（a｜b）＋c") == And((Or((Word("a"), Word("b"))), Word("c")))


def test_words_are_normalised():
    assert parse("臺灣|ＡＢＣ") == Or((Word("台湾"), Word("abc")))


def test_empty_expression_matches_everything():
    assert parse("") == Everything()
    assert parse("   ") == Everything()
    assert parse(None) == Everything()


@pytest.mark.parametrize(
    "expression, position, fragment",
    [
        ("|东园", 1, "应为关键词或“(”，实际为“|”"),
        ("东园+", 4, "意外结束"),
        ("(东园|中卫", 1, "缺少对应的“)”"),
        ("东园)", 3, "没有对应的“(”"),
        ("()", 1, "括号内为空"),
        ("东园(中卫)", 3, "应为“|”、“+”或“)”，实际为“(”"),
        ("东园||中卫", 4, "实际为“|”"),
        ("(东园 中卫 +)", 9, "应为关键词或“(”"),
    ],
)
def test_syntax_errors_name_position_and_expectation(expression, position, fragment):
    with pytest.raises(SchemeSyntaxError) as caught:
        parse(expression)
    assert caught.value.position == position
    assert f"第 {position} 个字符" in caught.value.message
    assert fragment in caught.value.message


SCHEMES = [
    ("东园污水", "东园镇|沙坡头区|(中卫+东园)", "", "污水|臭味|(排放+超标)", "演练|演习"),
    ("医院", "东园", "医院|卫生院", "", ""),
    ("全部", "", "", "", ""),
]


def test_region_and_event_with_exclusion():
    matcher = compile_schemes(SCHEMES)
    hits = {hit.name: hit.matched_terms for hit in matcher.match("中卫市东园村有人偷偷排放污水，气味超标")}
    assert hits["东园污水"] == ("中卫", "东园", "污水", "排放", "超标")  # every satisfied branch is proof
    assert "全部" in hits
    assert "医院" not in hits  # subject group not satisfied
    assert [hit.name for hit in matcher.match("东园镇污水处理应急演练")] == ["全部"]


def test_and_inside_a_group_needs_both_words():
    matcher = compile_schemes([SCHEMES[0]])
    assert matcher.match("沙坡头区排放") == []
    assert [hit.name for hit in matcher.match("沙坡头区排放超标")] == ["东园污水"]


def test_ascii_keywords_respect_word_boundaries():
    matcher = compile_schemes([("ai", "", "", "AI", "")])
    assert matcher.match("she said so") == []
    assert [hit.matched_terms for hit in matcher.match("东园镇推广AI政务")] == [("ai",)]


def test_bad_scheme_raises_on_compile():
    with pytest.raises(SchemeSyntaxError):
        compile_schemes([("坏", "(东园", "", "", "")])


def test_thousands_of_keywords_in_one_automaton():
    schemes = [(f"s{i}", f"村{i}|镇{i}", "", f"事件{i}|(问题{i}+投诉{i})", f"排除{i}") for i in range(1500)]
    matcher = compile_schemes(schemes)
    assert matcher.words == 1500 * 6
    assert [hit.name for hit in matcher.match("村777出现问题777，多人投诉777")] == ["s777"]
    assert matcher.match("村777出现问题777，多人投诉777，排除777") == []
