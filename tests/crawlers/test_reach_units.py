"""Search keywords and their rotation, URL templates, captcha recognition, blocked sources on the 来源 page, and
the config checks of the search and rsshub kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawlers import store
from crawlers.blocking import captcha_reason
from crawlers.keywords import pick_keywords, scheme_terms, search_keywords, search_url
from crawlers.runs import RunSummary
from yuqing.app import open_app
from yuqing.config import ConfigError, settings_from_dict, settings_from_text
from yuqing.db.models import Source
from yuqing.settings_model import SchemeSettings, SearchSettings, rsshub_platform
from yuqing.source_health import source_health
from yuqing.timeutil import utcnow


def test_scheme_words_give_region_times_subject_keywords():
    assert scheme_terms("东园镇|东园|(郭滩+村委会)") == ["东园镇", "东园", "郭滩", "村委会"]
    schemes = [
        SchemeSettings(name="a", region="东园镇|东园", subject="卫生院|学校"),
        SchemeSettings(name="b", region="中卫"),
        SchemeSettings(name="off", region="不要", enabled=False),
    ]
    search = SearchSettings(results="div", keywords=["  黄河  洪水 "], max_keywords=6)
    assert search_keywords(search, schemes) == [
        "黄河 洪水",
        "东园镇 卫生院",
        "东园镇 学校",
        "东园 卫生院",
        "东园 学校",
        "中卫",
    ]
    assert len(search_keywords(search.model_copy(update={"max_keywords": 3}), schemes)) == 3
    assert search_keywords(search.model_copy(update={"from_schemes": False}), schemes) == ["黄河 洪水"]


def test_rotation_takes_the_keywords_searched_longest_ago():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    keywords = ["a", "b", "c", "d"]
    last = {"a": now, "b": now - timedelta(hours=1), "d": now - timedelta(hours=2)}
    assert pick_keywords(keywords, last, 2) == ["c", "d"]  # never searched first, then the oldest
    assert pick_keywords(keywords, {}, 3) == ["a", "b", "c"]


def test_search_url_encodes_the_keyword_and_counts_pages():
    plain = SearchSettings(results="div")
    assert search_url("http://s/s?wd={keyword}&pn={page}", "东园 卫生院", 2, plain) == (
        "http://s/s?wd=%E4%B8%9C%E5%9B%AD%20%E5%8D%AB%E7%94%9F%E9%99%A2&pn=2"
    )
    offset = SearchSettings(results="div", page_start=0, page_step=10, keyword_encoding="gbk")
    assert search_url("http://s/s?wd={keyword}&pn={page}", "东园", 3, offset) == "http://s/s?wd=%B6%AB%D4%B0&pn=20"


def response(body: str, url: str = "http://s/s?q=x", redirected_from: str | None = None) -> HtmlResponse:
    request = Request(url, meta={"redirect_urls": [redirected_from]} if redirected_from else {})
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=request)


def test_captcha_pages_are_recognised_and_articles_about_codes_are_not():
    captcha = response("<html><title>安全验证</title><p>请输入验证码后继续访问</p></html>")
    assert "验证码" in captcha_reason(captcha)
    moved = response("<html></html>", "http://s/verify?from=x", redirected_from="http://s/s?q=x")
    assert "验证页面" in captcha_reason(moved)
    article = response("<html><p>警方提醒:不要把短信验证码告诉陌生人</p></html>")
    assert captcha_reason(article) is None


def test_config_checks_of_search_and_rsshub_name_the_line(tmp_path):
    text = """
[[sources]]
name = "s"
kind = "search"
url = "http://s.example/s?page={page}"
[sources.search]
results = "div.result"
"""
    with pytest.raises(ConfigError) as caught:
        settings_from_text(text, tmp_path / "config.toml")
    assert "config.toml:5" in str(caught.value) and "{keyword}" in str(caught.value)
    text = '[[sources]]\nname = "s"\nkind = "search"\nurl = "http://s.example/s?q={keyword}&p={page}"\n'
    with pytest.raises(ConfigError) as caught:
        settings_from_text(text, tmp_path / "config.toml")
    assert "[sources.search]" in str(caught.value)
    text = '[[sources]]\nname = "w"\nkind = "rsshub"\ninstance = "http://127.0.0.1:1200"\nroute = "weibo/user/1"\n'
    with pytest.raises(ConfigError) as caught:
        settings_from_text(text, tmp_path / "config.toml")
    assert "config.toml:5" in str(caught.value) and "以 / 开头" in str(caught.value)
    settings = settings_from_dict(
        {"sources": [{"name": "w", "kind": "rsshub", "instance": "http://h:1200/", "route": "/weibo/user/1"}]},
        Path(tmp_path) / "config.toml",
    )
    assert settings.sources[0].url == "http://h:1200/weibo/user/1" and settings.sources[0].source_type == "weibo"
    assert rsshub_platform("/wechat/mp/x") == "微信公众号" and rsshub_platform("/zhihu/people/x") == "知乎"


def test_blocked_source_shows_on_the_sources_page_with_its_reason(settings_factory):
    source = {"name": "s", "kind": "search", "url": "http://s/s?q={keyword}&p={page}", "search": {"results": "div"}}
    app = open_app(settings_factory({"sources": [source], "crawl": {"blocked_backoff_minutes": 10}}))
    try:
        summary = RunSummary("s")
        summary.blocked = "网站返回了验证码/安全验证页面(页面含 “请输入验证码”),采集已暂停"
        summary.problem(summary.blocked, fatal=True)
        store.record_run(app, summary)
        assert store.blocked_state(app, "s")[0] == summary.blocked
        with app.db.read() as session:
            (row,) = source_health(session, utcnow())
        assert row["status"] == "被网站拦截" and row["status_level"] == "down"
        problem = row["blocked_reason"]
        assert "验证码" in problem and "连续第 1 次" in problem and "暂停采集至" in problem
        store.record_run(app, RunSummary("s"))  # a clean run clears it
        assert store.blocked_state(app, "s") is None
        with app.db.read() as session:
            source_row = session.query(Source).one()
            assert source_row.blocked_reason is None and source_row.blocked_count == 0
    finally:
        app.close()


def test_the_commented_search_and_rsshub_examples_in_config_toml_are_valid_and_disabled(tmp_path):
    import re

    text = (Path(__file__).resolve().parents[2] / "config.toml").read_text(encoding="utf-8")
    start, end = text.index('# name = "baidu-news-search"') - len("# [[sources]]\n"), text.index("[classifier]")
    toml_line = re.compile(r"^# (\[\[?[\w.]+\]\]?|\w+ = .+)$")
    block = "\n".join(m.group(1) for m in map(toml_line.match, text[start:end].splitlines()) if m)
    settings = settings_from_text(block, tmp_path / "config.toml")
    assert [(s.kind, s.enabled) for s in settings.sources] == [
        ("search", False),
        ("search", False),
        ("rsshub", False),
    ]
    assert all("{keyword}" in s.url and "{page}" in s.url for s in settings.sources[:2])
