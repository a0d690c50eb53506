"""The pipeline's compiled context for the application's settings (built once per settings object), and the
words of an emergency report that identify its incident. Ingest, clustering and rebuilding an event use it."""

from __future__ import annotations

import threading
from typing import Any

from pipeline.gazetteer import place_stem
from yuqing.settings_model import Settings

# id(settings) → (the settings, their context). The settings object is kept with its context: a key of a freed
# object could come back for another settings object (another config, other schemes) and find the old context.
_contexts: dict[int, tuple[Settings, Any]] = {}
_contexts_lock = threading.Lock()
# The topic model switched in from the town's corrections, per data folder: (version name, classifier). Replaced
# whole (one assignment) when a model is switched in or rolled back, so analysis never sees half a swap.
_active_models: dict[str, tuple[str, Any]] = {}
_with_model: dict[tuple[int, str], Any] = {}


def _model_key(settings: Settings) -> str:
    return f"{settings.general.data_dir}|{settings.database.url}"


def set_active_model(settings: Settings, version: str | None, classifier: Any = None) -> None:
    """Use this trained classifier (named `version` in reasons) for every analysis with these settings' database;
    None: back to the configured classifier (shipped lexicon or [classifier] model_dir)."""
    with _contexts_lock:
        if version is None or classifier is None:
            _active_models.pop(_model_key(settings), None)
        else:
            _active_models[_model_key(settings)] = (version, classifier)
        _with_model.clear()


def active_model_version(settings: Settings) -> str | None:
    """The version of the trained model in use in this process, None for the configured classifier."""
    active = _active_models.get(_model_key(settings))
    return active[0] if active else None


def analysis_context(settings: Settings):
    """The pipeline's compiled context (schemes, classifier, rules) for these settings, built once; with the
    town's trained topic model in place of the configured classifier when one is switched in."""
    from dataclasses import replace

    with _contexts_lock:
        context = _cached(settings)
        if context is None:
            context = build_analysis_context(settings)
            _contexts.clear()
            _contexts[id(settings)] = (settings, context)
            _with_model.clear()  # keyed by the old context's id, which a new object may take
        active = _active_models.get(_model_key(settings))
        if active is None:
            return context
        version, classifier = active
        key = (id(context), version)
        swapped = _with_model.get(key)
        if swapped is None:
            names = {label: context.topic_names.get(label, label) for label in classifier.labels}
            swapped = replace(
                context,
                classifier=classifier,
                topic_names={**context.topic_names, **names},
                model_version=f"模型 {version}",
            )
            _with_model.clear()
            _with_model[key] = swapped
        return swapped


def rebuild_analysis_context(settings: Settings) -> None:
    """Build the context again for settings whose schemes changed and put it in place in one assignment; an
    analysis running meanwhile finishes with the old one."""
    with _contexts_lock:  # built under the lock: two changes in a row cannot swap in the older one last
        context = build_analysis_context(settings)
        _contexts.clear()
        _contexts[id(settings)] = (settings, context)
        _with_model.clear()


def base_analysis_context(settings: Settings):
    """The context with the configured classifier (shipped lexicon or model_dir), whatever model is switched in."""
    with _contexts_lock:
        context = _cached(settings)
    return context if context is not None else build_analysis_context(settings)


def _cached(settings: Settings):
    """The context built for this very settings object, or None (call under _contexts_lock)."""
    entry = _contexts.get(id(settings))
    return entry[1] if entry is not None and entry[0] is settings else None


def build_analysis_context(settings: Settings):
    """Compile the pipeline's context from typed settings (schemes, topic keywords and names, villages, model)."""
    from pipeline.analyze import build_context
    from pipeline.urgency import UrgencyRules

    return build_context(
        urgency_rules=UrgencyRules(**settings.urgency.model_dump()),
        schemes=[(s.name, s.region, s.subject, s.event, s.exclude) for s in settings.schemes if s.enabled],
        extra_keywords={t.code: t.keywords for t in settings.topics if t.keywords},
        topic_names=settings.topic_names(),
        model_dir=settings.classifier.model_dir or None,
        villages=settings.regions.villages,
        village_aliases=settings.regions.aliases,
        home_places=home_places(settings),
    )


def home_places(settings: Settings) -> list[str]:
    """The town's own names: the region words of the monitoring schemes that are not villages (东园, 沙坡头 …)."""
    import re

    villages = set(settings.regions.villages) | {
        alias for names in settings.regions.aliases.values() for alias in names
    }
    words = {word for scheme in settings.schemes for word in re.findall(r"[\u4e00-\u9fa5]{2,}", scheme.region or "")}
    return sorted(words - villages)


def own_words(settings: Settings, analysis) -> frozenset[str]:
    """An emergency report's own words (names of people, vehicles, firms); none for a routine matter. Computed
    here, when a relevant mention is clustered, not in the pipeline: it needs jieba."""
    from pipeline.event_terms import incident_words

    if not analysis.urgency_signals.hazards:
        return frozenset()
    home = analysis_context(settings).home_places  # the town's own name is in every report
    return frozenset(word for word in incident_words(analysis.normalized) if place_stem(word) not in home)
