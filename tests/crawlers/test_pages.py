"""List and detail pages read with CSS or XPath selectors from config, from bytes (GBK among them)."""

from datetime import UTC, datetime

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawlers.encoding import choose_encoding
from crawlers.pages import PENDING, REPLIED, board_status, parse_detail, parse_list
from crawlers.selectors import SelectorConfigError, check_selectors, select
from yuqing.settings_model import BoardSelectors, HtmlSelectors

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)

FORUM_LIST = """<html><head><title>民生热线 - 沙坡头论坛</title></head><body>
<table class="threadlist">
<tr><th><a class="s xst" href="thread-1-1-1.html">【置顶】版规</a></th></tr>
<tr><th><a class="s xst" href="thread-7-1-1.html?from=list">金沙村路灯坏了半个月</a></th></tr>
<tr><th><a class="s xst" href="/bbs/thread-8-1-1.html">郭滩村垃圾没人清运</a></th></tr>
<tr><th><a class="s xst" href="javascript:void(0)">广告</a></th></tr>
<tr><th><a class="s xst" href="thread-7-1-1.html?from=list">重复链接</a></th></tr>
</table>
<div class="pg"><a href="forum-1-1.html">1</a><a class="nxt" href="forum-1-2.html">下一页</a></div>
</body></html>"""

FORUM_THREAD = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>金沙村路灯坏了半个月 - 沙坡头论坛</title></head><body>
<h1 id="thread_subject">金沙村路灯坏了半个月</h1>
<div id="postlist">
<div class="post-first"><a class="xw1">金沙老王</a><em class="post-time">发表于 昨天 21:05</em>
<div class="t_f">金沙村主路的路灯坏了半个月,<br>晚上孩子放学很危险。<script>ad()</script></div>
<span class="replies">回复 1.2万</span></div>
<div class="post"><a class="xw1">路人</a><em class="post-time">发表于 刚刚</em><div class="t_f">顶</div></div>
</div></body></html>"""

SELECTORS = HtmlSelectors(
    item_links="table.threadlist a.s.xst::attr(href)",
    title="h1#thread_subject::text",
    body="div.t_f",
    time="em.post-time::text",
    author="a.xw1::text",
    next_page="a.nxt::attr(href)",
    comments="span.replies::text",
)

BOARD_MESSAGE = """<html><body><h2 class="msg-title">新星村征地补偿款被截留</h2>
<div class="msg-meta"><span class="msg-author">网友</span><span class="msg-time">2026-11-20 10:00</span>
<span class="msg-status">{status}</span></div>
<div class="msg-content"><p>补偿款迟迟没有发放。</p></div>
{reply}</body></html>"""
REPLY = """<div class="reply"><span class="reply-office">东园镇人民政府</span>
<span class="reply-time">2026年11月24日 16:30</span><div class="reply-content">经核实,款项已于本周发放到户。</div></div>"""
BOARD = BoardSelectors(
    item_links="//ul[@class='msg-list']/li/a/@href",
    title="h2.msg-title::text",
    body="div.msg-content",
    time="span.msg-time::text",
    author="span.msg-author::text",
    status="//div[@class='msg-meta']/span[@class='msg-status']/text()",
    reply="div.reply-content",
    reply_time="span.reply-time::text",
    reply_office="span.reply-office::text",
)


def test_list_links_in_order_absolute_deduplicated():
    response = HtmlResponse("http://bbs.example/bbs/forum-1-1.html", body=FORUM_LIST.encode("gbk"), encoding="gbk")
    page = parse_list(response, response.url, SELECTORS)
    assert page.links == [
        "http://bbs.example/bbs/thread-1-1-1.html",
        "http://bbs.example/bbs/thread-7-1-1.html?from=list",
        "http://bbs.example/bbs/thread-8-1-1.html",
    ]
    assert page.next_url == "http://bbs.example/bbs/forum-1-2.html"


def test_list_links_from_elements_without_attr():
    selectors = HtmlSelectors(item_links="table.threadlist a.s.xst")
    page = parse_list(Selector(text=FORUM_LIST), "http://bbs.example/bbs/", selectors)
    assert len(page.links) == 3


def test_gbk_detail_page_without_declared_header():
    body = FORUM_THREAD.encode("gbk")
    response = HtmlResponse("http://bbs.example/t/7", body=body, encoding=choose_encoding(body))
    detail = parse_detail(response, SELECTORS, NOW)
    assert detail.title == "金沙村路灯坏了半个月"
    assert detail.content == "金沙村主路的路灯坏了半个月,\n晚上孩子放学很危险。"  # first floor only, no script
    assert "<div class=\"t_f\">" in detail.html
    assert detail.author == "金沙老王"
    assert detail.published_at == datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
    assert detail.comments == 12000
    assert detail.problems == []


def test_missing_title_falls_back_to_page_title_and_says_so():
    selectors = SELECTORS.model_copy(update={"title": "h1.gone::text"})
    detail = parse_detail(Selector(text=FORUM_THREAD), selectors, NOW)
    assert detail.title == "金沙村路灯坏了半个月 - 沙坡头论坛"
    assert any("标题选择器" in p for p in detail.problems)


def test_body_selector_matching_nothing_is_reported():
    selectors = SELECTORS.model_copy(update={"body": "div.nothing"})
    detail = parse_detail(Selector(text=FORUM_THREAD), selectors, NOW)
    assert detail.content == ""
    assert any("正文选择器" in p for p in detail.problems)


def test_board_pending_and_replied():
    pending = parse_detail(Selector(text=BOARD_MESSAGE.format(status="未回复", reply="")), BOARD, NOW)
    assert pending.board_status == PENDING
    assert pending.reply_text is None and pending.reply_at is None
    replied = parse_detail(Selector(text=BOARD_MESSAGE.format(status="已回复", reply=REPLY)), BOARD, NOW)
    assert replied.board_status == REPLIED
    assert replied.reply_text == "经核实,款项已于本周发放到户。"
    assert replied.reply_office == "东园镇人民政府"
    assert replied.reply_at == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert replied.published_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "label, has_reply, expected",
    [
        ("未回复", False, PENDING),
        ("待回复", False, PENDING),
        ("办理中", False, PENDING),
        ("已回复", False, REPLIED),
        ("已办结", False, REPLIED),
        ("", True, REPLIED),
        (None, False, PENDING),
        ("处理中", True, REPLIED),
    ],
)
def test_board_status_words(label, has_reply, expected):
    assert board_status(label, has_reply) == expected


def test_xpath_when_starting_with_slash_or_paren():
    doc = Selector(text="<ul><li><a href='/1'>一</a></li><li><a href='/2'>二</a></li></ul>")
    assert select(doc, "//li/a/@href").getall() == ["/1", "/2"]
    assert select(doc, "(//li/a)[2]/text()").getall() == ["二"]
    assert select(doc, "li a::text").getall() == ["一", "二"]


def test_bad_selectors_are_named():
    problems = check_selectors({"item_links": "a[href", "title": "//h1[", "body": "div.ok"})
    assert len(problems) == 2 and problems[0].startswith("item_links:CSS") and "//h1[" in problems[1]
    with pytest.raises(SelectorConfigError, match="写法有误"):
        select(Selector(text="<p/>"), "p::bogus-pseudo")
