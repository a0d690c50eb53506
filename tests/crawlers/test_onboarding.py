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
from yuqing.source_registry import TEMPLATE, add_source, editable_sources, parse_source, update_source


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


def test_a_saved_source_is_edited_audited_and_kept_at_next_open(app, sites, settings_factory):
    add_source(app, forum_text(sites), "admin")
    heard = []
    app.source_listeners.append(heard.append)
    changed = forum_text(sites).replace("interval = 300", "interval = 120")
    source = update_source(app, "new-forum", changed, "admin2")
    assert source.interval == 120 and app.settings.source("new-forum").interval == 120
    assert [s.interval for s in heard] == [120]  # the running crawler is told
    assert [s.name for s in app.settings.sources].count("new-forum") == 1
    with app.db.read() as session:
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "source_changed")).one()
        assert audit.actor == "admin2" and "interval = 300" in audit.before and "interval = 120" in audit.after
    assert dict(editable_sources(app.db)) == {"new-forum": changed}
    # a rename, an unchanged text and a source config.toml owns are refused with a reason
    with pytest.raises(ConfigError, match="不能修改来源名称"):
        update_source(app, "new-forum", changed.replace('"new-forum"', '"other"'), "admin")
    with pytest.raises(ConfigError, match="没有变化"):
        update_source(app, "new-forum", changed, "admin")
    disabled = update_source(
        app, "new-forum", changed.replace("interval = 120", "interval = 120\nenabled = false"), "a"
    )
    assert disabled.enabled is False
    reopened = open_app(settings_factory({"schemes": [{"name": "s", "region": "东园|中卫"}]}))
    try:
        assert reopened.settings.source("new-forum").enabled is False
        with reopened.db.read() as session:
            assert session.scalar(select(Source.enabled).where(Source.name == "new-forum")) is False
    finally:
        reopened.close()


def test_dry_run_while_editing_keeps_the_name_and_refuses_another(app, sites):
    add_source(app, forum_text(sites), "admin")
    ok, shown = try_source(app, forum_text(sites).replace("interval = 300", "interval = 600"), editing="new-forum")
    assert ok, shown
    ok, shown = try_source(app, forum_text(sites, "renamed"), editing="new-forum")
    assert not ok and "不能改名称" in str(shown)


RESCHEDULE = """
import json, sys
from apscheduler.schedulers.background import BackgroundScheduler
from crawlers.service import CrawlService
from yuqing.app import open_app
from yuqing.config import load_settings
from yuqing.source_registry import add_source, update_source

app = open_app(load_settings(sys.argv[1]))
scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
service = CrawlService(app, scheduler)
scheduler.start(paused=True)  # running as in `yuqing run`, but no job fires
service.schedule_all()
text = open(sys.argv[2], encoding="utf-8").read()
add_source(app, text, "admin")
seen = [scheduler.get_job("crawl:new-forum").trigger.interval.total_seconds()]
update_source(app, "new-forum", text.replace("interval = 300", "interval = 120"), "admin")
seen.append(scheduler.get_job("crawl:new-forum").trigger.interval.total_seconds())
update_source(app, "new-forum", text.replace("interval = 300", "interval = 120\\nenabled = false"), "admin")
seen.append(scheduler.get_job("crawl:new-forum") is None)
print(json.dumps(seen))
"""


def test_the_running_crawler_reschedules_an_edited_source_and_drops_a_disabled_one(sites, tmp_path):
    """In a child process (a Twisted reactor is installed by the crawl service): the job follows the edits."""
    import json
    import subprocess
    import sys

    from crawl_support import ROOT, write_config

    config = write_config(tmp_path / "config.toml", [])
    snippet = tmp_path / "source.toml"
    snippet.write_text(forum_text(sites), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RESCHEDULE, str(config), str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [300, 120, True]
