"""Tests for pipeline.normalize."""

from pipeline.normalize import collapse_whitespace, html_to_text, normalize, to_half_width, to_simplified


def test_full_width_letters_and_digits_become_half_width_but_chinese_punctuation_stays():
    assert to_half_width("ＡＢＣ１２３＠ｘ．ｃｏｍ，。！？：；（）") == "ABC123@x.com，。！？：；（）"


def test_ideographic_space_and_zero_width_characters():
    assert normalize("东园\u3000镇\u200b卫生院") == "东园 镇卫生院"


def test_traditional_to_simplified():
    assert to_simplified("臺灣醫院發生火災") == "台湾医院发生火灾"


def test_entities_are_decoded():
    assert normalize("污水&amp;臭味 &lt;严重&gt; &#x4e2d;卫") == "污水&臭味 <严重> 中卫"


def test_whitespace_collapsed_but_paragraphs_kept():
    assert collapse_whitespace("  第一段 \t 内容\r\n\r\n\n   第二段  ") == "第一段 内容\n第二段"


def test_html_main_text_without_scripts_styles_and_navigation():
    page = """<html><head><title>标题</title><style>p{color:red}</style></head><body>
    <nav>首页 | 新闻</nav><script>var x = "不应出现";</script>
    <article><h1>东园镇停水通知</h1><p>因管道维修，&nbsp;明日停水。</p><p>请居民<br>提前储水。</p></article>
    <footer>版权所有</footer><!-- 注释 --></body></html>"""
    assert html_to_text(page) == "东园镇停水通知\n因管道维修， 明日停水。\n请居民\n提前储水。"


def test_html_edge_cases_do_not_crash():
    assert html_to_text("") == ""
    assert html_to_text(None) == ""
    assert html_to_text("纯文本") == "纯文本"
    assert html_to_text('<?xml version="1.0" encoding="gbk"?><p>声明编码</p>') == "声明编码"
    assert html_to_text("<p>未闭合<div>标签") == "未闭合\n标签"
    assert html_to_text("<p>孤立代理\ud800字符</p>") == "孤立代理\ufffd字符"


def test_normalize_handles_lone_surrogates_and_control_characters():
    assert normalize("a\ud800b\x00c") == "a\ufffdb c"
