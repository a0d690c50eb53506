"""Source onboarding: a source written on the 来源 page is checked like config.toml, dry-run (试采) for real
against the demo, saved in the database, and joins the configured sources when the application opens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawlers.dryrun import dry_run
from dashboard.source_onboarding import try_source
from yuqing.app import open_app
from yuqing.config import ConfigError
from yuqing.db.models import AddedSource, AuditLog, Source
from yuqing.demo.sites import start_sites
from yuqing.source_registry import TEMPLATE, add_source, parse_source


@pytest.fixture(scope="module")
def sites():
    with start_sites(port=0) as handle:
        yield handle


@pytest.fixture
def app(settings_factory):
    application = open_app(settings_factory({"schemes": [{"name": "s", "region": "东园|中卫"}]}))
    yield application
    application.close()


def forum_text(sites, name: str = "new-forum") -> str:
    return TEMPLATE.replace("http://127.0.0.1:8901", sites.base_url).replace('"new-source"', f'"{name}"')


def test_a_broken_entry_is_refused_with_its_line(app):
    with pytest.raises(ConfigError) as caught:
        parse_source(
            '[[sources]]\nname = "x"\nkind = "html"\nurl = "ftp://x"\n[sources.html]\nitem_links = "a"\n', app.settings
        )
    assert "新来源.toml:4" in str(caught.value) and "http://" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        parse_source(
            '[[sources]]\nname = "x"\nkind = "rss"\nurl = "http://x/"\n[mail]\nsender = "a@b.cn"\n', app.settings
        )
    assert "只填写一个 [[sources]]" in str(caught.value)


def test_dry_run_shows_titles_dates_and_the_gbk_encoding_without_storing(app, sites):
    ok, shown = try_source(app, forum_text(sites))
    assert ok, shown
    text = str(shown)
    assert "试采成功" in text and "gb18030" in text  # the forum is GBK: read with its superset
    result = dry_run(parse_source(forum_text(sites), app.settings)[0], app.settings)
    assert len(result.items) == 10 and all(item["title"] and item["published"] for item in result.items)
    with app.db.read() as session:
        assert session.scalar(select(Source).where(Source.name == "new-forum")) is None  # nothing stored


def test_dry_run_of_a_page_without_matches_says_why(app, sites):
    text = forum_text(sites).replace("/bbs/forum-1-1.html", "/fail/nomatch.html")
    ok, shown = try_source(app, text)
    assert not ok and "没有匹配到任何链接" in str(shown)


def test_saved_source_is_audited_and_joins_config_sources_at_next_open(app, sites, settings_factory):
    heard = []
    app.source_listeners.append(heard.append)
    source = add_source(app, forum_text(sites), "admin")
    assert [s.name for s in heard] == ["new-forum"] and app.settings.source("new-forum") is not None
    with pytest.raises(ConfigError, match="已被使用"):
        add_source(app, forum_text(sites), "admin")
    with app.db.read() as session:
        assert session.scalar(select(AddedSource.created_by)) == "admin"
        assert session.scalar(select(AuditLog.action).where(AuditLog.entity_id == "new-forum")) == "source_added"
    reopened = open_app(settings_factory({"schemes": [{"name": "s", "region": "东园|中卫"}]}))
    try:
        assert reopened.settings.source("new-forum") == source
        with reopened.db.read() as session:
            assert session.scalar(select(Source.enabled).where(Source.name == "new-forum")) is True
    finally:
        reopened.close()
