"""Canonical URLs drop tracking parameters and fragments; links resolve against their page."""

from crawlers.urls import absolute_link, canonical_url


def test_tracking_parameters_and_fragment_dropped():
    a = canonical_url("http://Example.com/t/1.html?utm_source=wx&id=5&spm=a.b&from=timeline#reply")
    assert a == "http://example.com/t/1.html?id=5"


def test_query_order_does_not_matter():
    assert canonical_url("http://h/p?b=2&a=1") == canonical_url("http://h/p?a=1&b=2&utm_medium=x")


def test_chinese_path_is_escaped_once():
    assert canonical_url("http://h/新闻/1.html") == canonical_url("http://h/%E6%96%B0%E9%97%BB/1.html")


def test_absolute_link():
    assert absolute_link("http://h/a/list.html", "../t/1.html") == "http://h/t/1.html"
    assert absolute_link("http://h/", " javascript:void(0) ") is None
    assert absolute_link("http://h/", "#top") is None
    assert absolute_link("http://h/", "mailto:x@y") is None
    assert absolute_link("http://h/", None) is None
