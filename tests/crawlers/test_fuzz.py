"""Garbage in, no crash out: parsers only ever raise their own documented errors."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from crawlers.dates import parse_datetime
from crawlers.encoding import choose_encoding
from crawlers.feeds import FeedError, parse_feed
from crawlers.jsonapi import ApiError, load_json, next_page_url, parse_api
from crawlers.pages import parse_detail, parse_list
from crawlers.text import html_to_text, parse_count
from yuqing.settings_model import BoardSelectors, JsonPaths

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
SEEDS = [
    '<?xml version="1.0" encoding="gbk"?><rss><channel><item><title>东园</title><link>/1</link>'
    "<description><![CDATA[<p>内容</p>]]></description><pubDate>昨天 10:00</pubDate></item></channel></rss>",
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>标题</title><link href="/2"/>'
    '<content type="xhtml"><div><p>正文</p></div></content></entry></feed>',
    '<html><head><meta charset="gb2312"></head><body><ul class="msg-list"><li><a class="t" href="/m/1">留言</a>'
    '</li></ul><h2>标题</h2><div class="c"><p>正文<br>第二行</p></div><span class="s">未回复</span></body></html>',
    '{"data": {"list": [{"id": 1, "title": "标题", "content": "<p>正文</p>", "url": "/p/1", "time": "3分钟前"}],'
    ' "has_more": true}}',
]
BOARD = BoardSelectors(
    item_links="ul.msg-list a::attr(href)",
    title="h2::text",
    body="div.c",
    time="span.t::text",
    next_page="//a[@class='next']/@href",
    status="span.s::text",
    reply="div.r",
    reply_time="span.rt::text",
    reply_office="span.ro::text",
    comments="span.n::text",
)
PATHS = JsonPaths(items="data.list", time="time", next_page="data.has_more", reposts="r", comments="c")


@st.composite
def mangled(draw):
    """A realistic document with bytes cut, inserted or flipped, in a random encoding."""
    text = draw(st.sampled_from(SEEDS))
    data = bytearray(text.encode(draw(st.sampled_from(["utf-8", "gbk", "gb18030", "utf-16-le"])), errors="replace"))
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["cut", "insert", "flip", "truncate"]))
        if action == "cut":
            del data[position : position + draw(st.integers(1, 20))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=20))
        elif action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        else:
            del data[position:]
    return bytes(data)


documents = st.one_of(st.binary(max_size=3000), mangled())
fuzz = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(documents, st.one_of(st.none(), st.sampled_from([b"text/html; charset=utf-8", b"charset=gbk", b"charset=x"])))
def test_encoding_choice_always_decodes(body, content_type):
    encoding = choose_encoding(body, content_type)
    body.decode(encoding, errors="replace")


@fuzz
@given(documents)
def test_feed_parser(body):
    text = body.decode(choose_encoding(body), errors="replace")
    try:
        feed = parse_feed(text, "http://h/feed.xml", now=NOW)
    except FeedError:
        return
    for entry in feed.entries:
        assert entry.url.startswith("http")
        assert isinstance(entry.raw, bytes)


@fuzz
@given(documents)
def test_html_parsers(body):
    response = HtmlResponse("http://h/list", body=body, encoding=choose_encoding(body))
    page = parse_list(response, response.url, BOARD)
    assert all(link.startswith("http") for link in page.links)
    parse_detail(response, BOARD, NOW)


@fuzz
@given(documents)
def test_json_parsers(body):
    text = body.decode(choose_encoding(body), errors="replace")
    try:
        data = load_json(text)
        parse_api(data, PATHS, "http://h/api?page=1", now=NOW)
    except ApiError:
        return
    next_page_url(data, PATHS, "http://h/api?page=1")


@fuzz
@given(st.one_of(st.text(max_size=200), st.integers(), st.floats(allow_nan=True), st.none()))
def test_small_parsers(value):
    parse_datetime(value, now=NOW)
    parse_count(value)
    if isinstance(value, str):
        html_to_text(value)


@fuzz
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(["data", "list", "has_more", "id", "title", "url", "time", "r"]), children, max_size=5
            ),
        ),
        max_leaves=30,
    )
)
def test_json_structures(data):
    try:
        parse_api(data, PATHS, "http://h/api", now=NOW)
    except ApiError:
        pass
    next_page_url(data, PATHS, "http://h/api")


def test_deep_nesting_does_not_recurse():
    deep = "<div>" * 5000 + "深" + "</div>" * 5000
    assert "深" in html_to_text(deep)
