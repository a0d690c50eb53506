"""RSS 0.91/1.0/2.0 and Atom parsed from bytes, including broken and mis-encoded feeds."""

from datetime import UTC, datetime

import pytest
from scrapy.http import XmlResponse

from crawlers.encoding import choose_encoding
from crawlers.feeds import FeedError, parse_feed

RSS2 = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>东园新闻网</title><link>http://news.example/</link>
<item><title>郭滩村自来水停水三天</title><link>/a/1.html?utm_source=rss</link>
<description><![CDATA[<p>村民反映&nbsp;停水</p>]]></description>
<content:encoded><![CDATA[<p>郭滩村村民反映,<b>自来水</b>已停三天。</p><script>x()</script>]]></content:encoded>
<pubDate>Tue, 25 Nov 2026 08:12:33 +0800</pubDate><dc:creator>记者 王敏</dc:creator>
<comments>http://news.example/a/1.html#comments</comments><slash:comments>12</slash:comments></item>
<item><title>第二条 &amp; 更多</title><link>http://news.example/a/2.html</link>
<description>镇政府回应&nbsp;称已抢修</description><pubDate>2026-11-25 09:00</pubDate></item>
</channel></rss>"""

RSS091 = """<rss version="0.91"><channel><title>旧式</title>
<item><title>旧版条目</title><link>http://old.example/1</link><description>内容</description></item>
</channel></rss>"""

RDF = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF</title></channel>
<item rdf:about="http://rdf.example/item/1"><title>RSS 1.0 条目</title><dc:date>2026-11-24T10:00:00+08:00</dc:date>
<description>描述</description></item></rdf:RDF>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>东园镇发布</title>
<entry><title type="html">&lt;b&gt;停水通知&lt;/b&gt;</title>
<link rel="self" href="http://wb.example/api/1"/><link rel="alternate" href="/status/1"/>
<id>tag:wb,1</id><published>2026-11-25T10:02:35+08:00</published><updated>2026-11-25T11:00:00+08:00</updated>
<author><name>东园镇发布</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>因管道破裂,<b>明日18时前</b>恢复供水。</p></div></content>
</entry>
<entry><title>只有摘要</title><link href="http://wb.example/status/2"/><summary>摘要文本</summary></entry>
</feed>"""


def test_rss2_fields():
    feed = parse_feed(RSS2.format(enc="utf-8"), "http://news.example/rss.xml")
    first, second = feed.entries
    assert first.url == "http://news.example/a/1.html?utm_source=rss"
    assert first.title == "郭滩村自来水停水三天"
    assert first.content == "郭滩村村民反映,自来水已停三天。"  # content:encoded wins over description; no script
    assert "<b>自来水</b>" in first.html
    assert first.author == "记者 王敏"
    assert first.comments == 12  # slash:comments, not the <comments> URL
    assert first.published_at == datetime(2026, 11, 25, 0, 12, 33, tzinfo=UTC)
    assert first.raw.startswith(b"<item") and first.raw.endswith(b"</item>") and "郭滩村".encode() in first.raw
    assert second.title == "第二条 & 更多"
    assert second.content == "镇政府回应 称已抢修"  # &nbsp; outside CDATA repaired, not fatal
    assert second.published_at == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert feed.syntax_error is None


def test_gbk_feed_through_response():
    body = RSS2.format(enc="gbk").encode("gbk")
    response = XmlResponse("http://news.example/rss.xml", body=body, encoding=choose_encoding(body))
    feed = parse_feed(response.text, response.url)
    assert feed.entries[0].title == "郭滩村自来水停水三天"


def test_gbk_feed_declared_utf8():
    body = RSS2.format(enc="utf-8").encode("gbk")
    encoding = choose_encoding(body, b"application/rss+xml; charset=utf-8")
    feed = parse_feed(body.decode(encoding), "http://news.example/rss.xml")
    assert feed.entries[0].title == "郭滩村自来水停水三天"


def test_rss091_and_rdf():
    assert parse_feed(RSS091, "http://old.example/").entries[0].url == "http://old.example/1"
    entry = parse_feed(RDF, "http://rdf.example/").entries[0]
    assert entry.url == "http://rdf.example/item/1"
    assert entry.published_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_atom():
    first, second = parse_feed(ATOM, "http://wb.example/atom.xml").entries
    assert first.url == "http://wb.example/status/1"
    assert first.title == "停水通知"
    assert first.content == "因管道破裂,明日18时前恢复供水。"
    assert "xmlns" not in first.html
    assert first.author == "东园镇发布"
    assert first.published_at == datetime(2026, 11, 25, 2, 2, 35, tzinfo=UTC)
    assert second.content == "摘要文本"


def test_broken_xml_is_repaired_as_far_as_possible():
    broken = RSS2.format(enc="utf-8").replace("</channel></rss>", "<item><title>残缺") + "\x00"
    feed = parse_feed(broken, "http://news.example/rss.xml")
    assert len(feed.entries) == 2
    assert feed.syntax_error


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "内容为空"),
        ("<html><body>登录</body></html>", "根元素为 <html>"),
        ("not xml at all", "XML"),
    ],
)
def test_not_a_feed(text, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(text, "http://h/")


def test_entries_without_link_or_text_are_skipped():
    feed = parse_feed(
        "<rss><channel><item><title>无链接</title></item><item><link>http://h/1</link></item></channel></rss>",
        "http://h/",
    )
    assert feed.entries == []


def test_no_external_entities():
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&x;标题</title><link>http://h/1</link></item></channel></rss>"
    )
    entry = parse_feed(xxe, "http://h/").entries[0]
    assert "root:" not in entry.title
