"""Scrapy settings that copy quickly. Scrapy copies the runner's settings for every crawler it creates, that is for
every poll of every source here, with copy.deepcopy over some 200 default settings: about 2.5 ms, a sixth of a
worker's CPU at full load (py-spy on `yuqing worker`, bench/scale.py). This copy rebuilds the same structure but
shares the values that cannot change (strings, numbers, classes); everything else is still deep-copied, so a copy
stays independent of its original exactly as Scrapy's own."""

from __future__ import annotations

import copy
from typing import Any, Self

from scrapy.settings import BaseSettings, Settings, SettingsAttribute

_IMMUTABLE = (str, int, float, bool, bytes, type(None), type)


def copy_settings(settings: BaseSettings) -> Any:
    """An independent copy of `settings` (same class, values, priorities and frozen state)."""
    new = object.__new__(type(settings))
    new.__dict__.update(settings.__dict__)
    new.attributes = {name: _copy_attribute(attribute) for name, attribute in settings.attributes.items()}
    return new


def _copy_attribute(attribute: SettingsAttribute) -> SettingsAttribute:
    new = object.__new__(SettingsAttribute)
    new.__dict__.update(attribute.__dict__)
    value = attribute.value
    if isinstance(value, BaseSettings):
        new.value = copy_settings(value)
    elif not isinstance(value, _IMMUTABLE):
        new.value = copy.deepcopy(value)
    return new


class QuickCopySettings(Settings):
    """Settings whose copy() (called by scrapy.crawler.Crawler for each crawl) is copy_settings."""

    def copy(self) -> Self:
        return copy_settings(self)
