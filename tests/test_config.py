"""The config loader: the shipped file is valid, partial configs get defaults, mistakes are located."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import ConfigError, load_settings, settings_from_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (ROOT / "config.toml").read_text(encoding="utf-8")


def _error(text: str, tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        settings_from_text(text, tmp_path / "config.toml")
    return str(info.value)


def test_shipped_config_is_valid_and_complete(tmp_path):
    settings = settings_from_text(SHIPPED, tmp_path / "config.toml")
    assert {s.kind for s in settings.sources} == {"rss", "html", "json", "board"}
    assert settings.lead_office().code == "dzb"
    assert settings.deadlines.for_level(1).publish_hours == 5
    assert settings.deadlines.for_level(2).press_hours == 24
    assert settings.deadlines.for_level(4).respond_hours == 48
    assert settings.topic_names()["work_safety"] == "安全生产"
    assert settings.database.url == f"sqlite:///{tmp_path}/data/yuqing.db"


def test_partial_config_gets_defaults(tmp_path):
    text = '[database]\nurl = "sqlite:///x.db"\n[[sources]]\nname = "a"\nkind = "rss"\nurl = "http://127.0.0.1/a.xml"\n'
    settings = settings_from_text(text, tmp_path / "config.toml")
    assert settings.sources[0].interval == 300
    assert settings.dashboard.port == 8050
    assert settings.mail.smtp_host == ""
    assert settings.deadlines.warn_shares == [0.5, 0.8]


def test_env_database_url_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("YUQING_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    settings = settings_from_text("", tmp_path / "config.toml")
    assert settings.database.url == "postgresql+psycopg://u@127.0.0.1/x"


def test_bad_toml_names_file_and_line(tmp_path):
    message = _error(SHIPPED.replace("port = 8050", "port = 8050 8"), tmp_path)
    line = SHIPPED.splitlines().index("port = 8050") + 1
    assert f"config.toml:{line}: TOML 语法错误" in message


def test_unknown_key_is_reported_with_line(tmp_path):
    message = _error(SHIPPED.replace("[dashboard]\n", "[dashboard]\nportt = 1\n"), tmp_path)
    assert "dashboard.portt" in message and "未知的配置项" in message
    assert ":23:" in message or "config.toml:" in message


def test_wrong_type_names_source_and_expectation(tmp_path):
    text = SHIPPED.replace(
        'name = "city-api"\ntitle = "中卫同城APP"\nkind = "json"\nurl = "http://127.0.0.1:8901/api/posts?page=1"\ninterval = 20',
        'name = "city-api"\ntitle = "中卫同城APP"\nkind = "json"\nurl = "http://127.0.0.1:8901/api/posts?page=1"\ninterval = "often"',
    )
    message = _error(text, tmp_path)
    assert "“city-api”" in message and "interval" in message and "应为整数" in message
    line = text.splitlines().index('interval = "often"') + 1
    assert f"config.toml:{line}:" in message


def test_unknown_source_kind(tmp_path):
    message = _error(SHIPPED.replace('kind = "board"', 'kind = "weibo"'), tmp_path)
    assert "kind" in message and "'rss', 'html', 'json', 'board', 'search' or 'rsshub'" in message


def test_html_source_needs_selectors(tmp_path):
    message = _error('[[sources]]\nname = "x"\nkind = "html"\nurl = "http://127.0.0.1/"\n', tmp_path)
    assert "[sources.html]" in message


def test_scheme_expression_that_does_not_parse(tmp_path):
    message = _error(SHIPPED.replace('exclude = "演练|演习"', 'exclude = "(演练|演习"'), tmp_path)
    assert "监测方案" in message and "exclude" in message and "(演练|演习" in message


def test_routing_to_unknown_office(tmp_path):
    message = _error(SHIPPED.replace('office = "cwh-jinsha"', 'office = "nope"'), tmp_path)
    assert "“nope”" in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path / "absent.toml")


def test_not_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('[general]\ntown = "东园镇"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(path)


def test_urgency_thresholds_reach_the_pipeline(tmp_path):
    from pipeline.analyze import TextIn, analyze
    from yuqing.analysis_context import build_analysis_context

    text = "砖厂发生事故,造成2人死亡"
    default = settings_from_text("", tmp_path / "config.toml")
    strict = settings_from_text("[urgency]\ndead_level1 = 2\n", tmp_path / "config.toml")
    assert analyze(TextIn(title=text), build_analysis_context(default)).urgency == 2
    assert analyze(TextIn(title=text), build_analysis_context(strict)).urgency == 1


def test_a_cached_analysis_context_serves_only_the_settings_object_it_was_built_for(settings_factory):
    """The context cache is keyed by id(settings): an id left by freed settings may come back for another config
    (other schemes), which must get a context of its own, not the old one."""
    from yuqing import analysis_context as cache

    first = settings_factory({"schemes": [{"name": "甲", "region": "东园"}]})
    second = settings_factory({"schemes": [{"name": "乙", "region": "郭滩村"}]})
    old = cache.analysis_context(first)
    with cache._contexts_lock:
        cache._contexts[id(second)] = (first, old)  # what a reused id looks like
    fresh = cache.analysis_context(second)
    text = "郭滩村的路灯坏了"
    assert fresh is not old and fresh.schemes.match(text) and not old.schemes.match(text)
