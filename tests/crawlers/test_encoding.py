"""Chinese pages decode correctly whatever their charset declaration says."""

from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse

from crawlers.encoding import choose_encoding, header_charset, normalise
from crawlers.middlewares import EncodingMiddleware

TEXT = "东园镇郭滩村村民反映,村里的自来水已经停了三天,群众生活受到很大影响,希望镇政府尽快处理。"
TRADITIONAL = "中衛市沙坡頭區東園鎮的村民反映,這裡的自來水已經停了三天,請政府盡快處理問題。"


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>留言</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("codec, expected", [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8")])
def test_undeclared(codec, expected):
    assert choose_encoding(page(TEXT).encode(codec)) == expected


def test_undeclared_big5():
    body = page(TRADITIONAL).encode("big5")
    assert choose_encoding(body) == "big5hkscs"
    assert TRADITIONAL in body.decode(choose_encoding(body))


def test_header_says_utf8_but_body_is_gbk():
    body = page(TEXT).encode("gbk")
    assert choose_encoding(body, b"text/html; charset=utf-8") == "gb18030"


def test_meta_says_gbk_but_body_is_utf8():
    body = page(TEXT, '<meta charset="gbk">').encode("utf-8")
    assert choose_encoding(body) == "utf-8"


def test_latin1_declaration_on_chinese_page_is_ignored():
    body = page(TEXT).encode("gbk")
    assert choose_encoding(body, "text/html; charset=ISO-8859-1") == "gb18030"


def test_correct_declarations_are_used():
    assert choose_encoding(page(TEXT, '<meta charset="gb2312">').encode("gbk")) == "gb18030"
    assert choose_encoding(page(TRADITIONAL).encode("big5"), "text/html; charset=big5") == "big5hkscs"


def test_gb18030_four_byte_characters():
    text = TEXT + "𠀀"
    body = page(text).encode("gb18030")
    assert text in body.decode(choose_encoding(body))


def test_bom_wins():
    body = "\ufeff".encode("utf-8") + page(TEXT, '<meta charset="gbk">').encode("utf-8")
    assert choose_encoding(body) == "utf-8"


def test_override_wins():
    assert choose_encoding(page(TEXT).encode("utf-8"), override="GBK") == "gb18030"


def test_truncated_multibyte_tail_still_detected():
    body = page(TEXT).encode("gbk")[:-30] + "镇".encode("gbk")[:1]
    assert choose_encoding(body) == "gb18030"


def test_ascii_page_uses_declaration():
    assert choose_encoding(b"<html>hello</html>", "text/html; charset=gbk") == "gb18030"
    assert choose_encoding(b"<html>hello</html>") == "utf-8"


def test_helpers():
    assert header_charset(b'text/html; charset="GB2312"') == "GB2312"
    assert header_charset("application/json") is None
    assert normalise("x-unknown") is None
    assert normalise("GBK") == "gb18030"


def middleware(override=None):
    return EncodingMiddleware(SimpleNamespace(spider=SimpleNamespace(encoding_override=override)))


def test_middleware_decodes_wrong_header():
    body = page(TEXT).encode("gbk")
    response = HtmlResponse("http://h/p", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    fixed = middleware().process_response(Request("http://h/p", meta={"kind": "html"}), response)
    assert TEXT in fixed.text
    assert fixed.css("p::text").get() == TEXT


def test_middleware_turns_octet_stream_into_the_kind_class():
    xml = f'<?xml version="1.0" encoding="gbk"?><rss><channel><item><title>{TEXT}</title></item></channel></rss>'
    response = Response("http://h/rss", body=xml.encode("gbk"), headers={"Content-Type": "application/octet-stream"})
    fixed = middleware().process_response(Request("http://h/rss", meta={"kind": "rss"}), response)
    assert isinstance(fixed, XmlResponse)
    assert TEXT in fixed.text


def test_middleware_leaves_other_requests_alone():
    response = Response("http://h/robots.txt", body=b"User-agent: *")
    assert middleware().process_response(Request("http://h/robots.txt"), response) is response


def test_middleware_uses_source_override():
    body = page(TEXT).encode("gbk")
    response = HtmlResponse("http://h/p", body=body)
    fixed = middleware("gbk").process_response(Request("http://h/p", meta={"kind": "board"}), response)
    assert fixed.encoding == "gb18030"
