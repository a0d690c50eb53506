"""Settings and app for the plain Scrapy commands (`scrapy list`, `scrapy crawl NAME` inside crawlers/)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from yuqing.app import App
from yuqing.config import ENV_CONFIG, load_settings
from yuqing.settings_model import Settings


def config_path() -> Path:
    """$YUQING_CONFIG, else ./config.toml, else ../config.toml (the project's, when run inside crawlers/)."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit)
    here = Path("config.toml")
    return here if here.exists() else Path("..") / "config.toml"


@functools.cache
def default_settings() -> Settings:
    """The configuration, read once per process."""
    return load_settings(config_path())


@functools.cache
def default_app() -> App:
    """The application (database migrated, sources synchronised), opened once per process."""
    from yuqing.app import open_app

    return open_app(default_settings())
