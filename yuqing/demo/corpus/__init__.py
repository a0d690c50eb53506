"""The demo corpus: authored Chinese posts about 东园镇, each with its expected topic and urgency."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from . import emergencies_a, emergencies_b, noise, specs_economy, specs_livelihood, specs_safety, specs_town
from .expand import expand, filler_post
from .model import BOXES, CHANNELS, CST, LEVEL_RULES, LEVELS, SOURCE_TYPES, TOPICS, Post, Reply, Spec, fill_times
from .places import VILLAGES

__all__ = [
    "BOXES",
    "CHANNELS",
    "CST",
    "LEVELS",
    "LEVEL_RULES",
    "SOURCE_TYPES",
    "TOPICS",
    "Corpus",
    "Post",
    "Reply",
    "Spec",
    "build_corpus",
    "fill_times",
    "labelled_examples",
    "ordinary_specs",
]

EMERGENCY_SPECS: list[Spec] = emergencies_a.SPECS + emergencies_b.SPECS
NOISE_SPECS: list[Spec] = noise.SPECS


def ordinary_specs() -> list[Spec]:
    """Specs of ordinary matters (no emergencies, no noise); also the source of endless filler posts."""
    return specs_livelihood.SPECS + specs_economy.SPECS + specs_safety.SPECS + specs_town.SPECS


@dataclass
class Corpus:
    """All authored posts, in matter order (a matter's original first)."""

    posts: list[Post]
    seed: int

    def matters(self) -> dict[str, list[Post]]:
        out: dict[str, list[Post]] = {}
        for p in self.posts:
            out.setdefault(p.matter, []).append(p)
        return out

    def counts(self) -> dict[str, Counter]:
        """Counts per topic, urgency, channel and role (for reports and tests)."""
        return {
            "topic": Counter(p.topic for p in self.posts),
            "urgency": Counter(p.urgency for p in self.posts),
            "channel": Counter(p.channel for p in self.posts),
            "role": Counter(p.role for p in self.posts),
            "relevant": Counter(p.relevant for p in self.posts),
        }

    def filler(self, n: int, rng: random.Random, channel: str | None = None) -> Post:
        """The n-th endless ordinary post (ids f1, f2, …), of ``channel`` or a random one."""
        return filler_post(ordinary_specs(), rng, n, channel)


def build_corpus(seed: int = 2026) -> Corpus:
    """Expand every spec deterministically; copies of a spec go to different villages."""
    rng = random.Random(seed)
    posts: list[Post] = []
    for s in EMERGENCY_SPECS + ordinary_specs() + NOISE_SPECS:
        villages = rng.sample(VILLAGES, s.copies)
        for copy in range(s.copies):
            posts.extend(expand(s, rng, copy, villages[copy]))
    return Corpus(posts, seed)


def labelled_examples(seed: int = 2026, when: datetime | None = None) -> list[dict]:
    """Authored posts as ``classify`` input lines plus expected labels, dates filled in at ``when``."""
    when = when or datetime(2026, 11, 25, 10, 0, tzinfo=CST)
    rows = []
    for p in build_corpus(seed).posts:
        rows.append(
            {
                "id": p.id,
                "title": fill_times(p.title, when),
                "content": fill_times(p.content, when),
                "published_at": when.isoformat(),
                "source": p.channel,
                "source_type": SOURCE_TYPES[p.channel],
                "topic": p.topic,
                "urgency": p.urgency,
                "relevant": p.relevant,
                "matter": p.matter,
                "role": p.role,
                "traditional": p.traditional,
                "reply": fill_times(p.reply.text, when) if p.reply else None,
            }
        )
    return rows
