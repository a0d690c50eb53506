"""Failure modes for crawler tests: errors, slow, truncated, malformed, redirect loop, huge, no-match, encodings."""

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from demo_support import fetch
from parsel import Selector

from yuqing.demo.sites import demo_sources


def test_error_statuses(sites):
    assert fetch(sites.base_url + "/fail/500").status == 500
    r = fetch(sites.base_url + "/fail/503")
    assert r.status == 503 and r.headers["Retry-After"] == "30"
    assert fetch(sites.base_url + "/fail/404").status == 404


def test_slow_endpoint_times_out_a_short_client_and_does_not_block_stop(sites):
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(sites.base_url + "/fail/slow?seconds=5", timeout=0.5).read()
    assert fetch(sites.base_url + "/fail/slow?seconds=0.2").status == 200

    def waiting_client():
        try:
            fetch(sites.base_url + "/fail/slow?seconds=30", timeout=60)
        except (OSError, http.client.HTTPException):
            pass  # the server hangs up when it stops

    t = threading.Thread(target=waiting_client, daemon=True)
    t.start()
    time.sleep(0.2)
    started = time.monotonic()
    sites.stop()
    assert time.monotonic() - started < 3


def test_truncated_body(sites):
    with urllib.request.urlopen(sites.base_url + "/fail/truncated.xml") as r:
        with pytest.raises(http.client.IncompleteRead):
            r.read()


def test_malformed_xml(sites):
    r = fetch(sites.base_url + "/fail/malformed.xml")
    assert r.status == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(r.body)


def test_redirect_loop(sites):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(sites.base_url + "/fail/loop-a", timeout=5)
    assert info.value.code == 302


def test_huge_response_declares_its_size_and_streams(sites):
    head = fetch(sites.base_url + "/fail/huge.xml", method="HEAD")
    assert int(head.headers["Content-Length"]) == 50 * 1024 * 1024
    with urllib.request.urlopen(sites.base_url + "/fail/huge.xml?mb=2") as r:
        data = r.read()
    assert len(data) == 2 * 1024 * 1024 and data.endswith(b"</rss>\n")
    with urllib.request.urlopen(sites.base_url + "/fail/huge.xml") as r:
        assert len(r.read(100_000)) == 100_000  # a client may give up early; the server copes


def test_page_whose_selectors_match_nothing(sites):
    cfg = next(s for s in demo_sources(sites.base_url) if s["kind"] == "html")["html"]
    page = Selector(text=fetch(sites.base_url + "/fail/nomatch.html").text())
    for key in ("item_links", "title", "body", "time", "author", "next_page"):
        assert page.css(cfg[key]).getall() == []


def test_switchable_fault_on_a_configured_source(sites):
    bbs, news = sites.base_url + "/bbs/forum-1-1.html", sites.base_url + "/news/rss.xml"
    sites.set_fault("/bbs/", "500")
    assert fetch(bbs).status == 500 and fetch(news).status == 200
    sites.set_fault("/news/", "malformed")
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetch(news).body)
    sites.clear_faults()
    assert fetch(bbs).status == 200 and fetch(news).status == 200
    with pytest.raises(ValueError):
        sites.set_fault("/x", "explode")


@pytest.mark.parametrize(
    "name,codec,expected",
    [
        ("big5.html", "big5", "東園鎮"),
        ("gb18030.html", "gb18030", "𠀀"),
        ("nocharset-gbk.html", "gbk", "黄河岸边"),
        ("wrongcharset-gbk.html", "gbk", "沙坡头景区"),
    ],
)
def test_encoding_samples(sites, name, codec, expected):
    r = fetch(sites.base_url + "/enc/" + name)
    assert expected in r.body.decode(codec)
    if name.startswith(("nocharset", "wrongcharset")):
        assert r.headers["Content-Type"] == "text/html"
