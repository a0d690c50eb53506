"""Benchmark: event clustering quality on the authored demo corpus, through the real ingest path.

    python bench/clustering.py [--seed 2026] [--similarity 0.5] [--show 10]

Every authored post of the demo corpus (emergencies, ordinary matters with their reposts, rewrites and follow-ups,
official posts, noise) is ingested in publication order into a fresh SQLite database with the demo's config, as
`yuqing demo` would, and the events it makes are compared with the corpus's own `matter` labels (written by hand
with the posts; copies of a matter in different villages are different matters).

Prints, over the posts that should be relevant and did join an event:
- B-cubed precision (does an event hold only one matter?), recall (is a matter kept in one event?) and F1;
- matters split over several events, events that mix matters, relevant posts that joined no event;
and, with --show, the worst splits and mixes so they can be read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.clustering import b_cubed  # noqa: E402
from yuqing.app import open_app  # noqa: E402
from yuqing.demo.replay import BASE_URL, replay_corpus  # noqa: E402
from yuqing.demo.runner import demo_settings  # noqa: E402
from yuqing.demo.sites import demo_sources  # noqa: E402


def main() -> int:
    """Ingest the corpus, compare events with matters, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--similarity", type=float, default=None, help="override [clustering] similarity")
    parser.add_argument("--show", type=int, default=0, help="print this many split matters and mixed events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        settings = demo_settings(None, Path(directory), demo_sources(BASE_URL), 8050)
        if args.similarity is not None:
            settings.clustering.similarity = args.similarity
        app = open_app(settings)
        try:
            replayed = replay_corpus(app, args.seed)
        finally:
            app.close()
    entries = [row.entry for row in replayed]
    event_of = {index: row.event_id for index, row in enumerate(replayed) if row.event_id is not None}
    relevant = [index for index, entry in enumerate(entries) if entry.post.relevant]
    clustered = {index: event_of[index] for index in relevant if index in event_of}
    gold = {index: entries[index].post.matter for index in clustered}
    precision, recall = b_cubed(gold, clustered)
    f1 = 2 * precision * recall / (precision + recall)
    events_per_matter: dict[str, set[int]] = defaultdict(set)
    matters_per_event: dict[int, Counter] = defaultdict(Counter)
    for index, event in clustered.items():
        events_per_matter[gold[index]].add(event)
        matters_per_event[event][gold[index]] += 1
    split = {matter: events for matter, events in events_per_matter.items() if len(events) > 1}
    mixed = {event: matters for event, matters in matters_per_event.items() if len(matters) > 1}
    missing = [index for index in relevant if index not in event_of]
    print(
        f"demo corpus (seed {args.seed}): {len(entries)} posts, {len(relevant)} should be relevant, "
        f"{len(events_per_matter)} matters; similarity threshold {settings.clustering.similarity}"
    )
    print(f"  B-cubed precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")
    print(
        f"  matters split over several events: {len(split)} of {len(events_per_matter)}; "
        f"events mixing matters: {len(mixed)} of {len(matters_per_event)}"
    )
    print(
        f"  relevant posts in no event: {len(missing)} "
        f"({Counter(entries[index].post.role for index in missing).most_common()})"
    )
    for matter, events in sorted(split.items(), key=lambda pair: -len(pair[1]))[: args.show]:
        titles = [f"[{event}] {entries[index].title}" for index, event in clustered.items() if gold[index] == matter]
        print(f"  split {matter} into {len(events)} events: " + " | ".join(titles))
    for event, matters in sorted(mixed.items(), key=lambda pair: -len(pair[1]))[: args.show]:
        titles = [f"{gold[index]}: {entries[index].title}" for index, other in clustered.items() if other == event]
        print(
            f"  event {event} mixes "
            + ", ".join(f"{matter}×{count}" for matter, count in matters.items())
            + " | "
            + " | ".join(titles)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
