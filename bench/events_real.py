"""Benchmark: judgement on real reports — one incident one event, topic and level — from ../shared/data.

    python bench/events_real.py [--split train|valid|all] [--per-kind 3] [--seed 7] [--show 5]

Events: the DuEE disaster rows labelled with incident keys in bench/labels/duee_incidents.csv (row ids and keys
only; the texts are read from ../shared/data/duee at run time) are replayed through the real ingest path
(yuqing.ingest.ingest_item, a fresh SQLite database, every post relevant) as news, forum and weibo posts. Posts
come in windows: each window holds up to --per-kind incidents of every kind (three traffic accidents, three
fires … at once), their reports interleaved a few minutes apart; windows are four days apart, beyond the
clustering window. Prints B-cubed precision and recall of events against incidents (the events the reports are in
at the end, after the automatic merges later reports caused), the incidents split and the events that mix incidents.

Judgement, on the same rows and on the rest of the data (through pipeline.analyze, as `yuqing classify` does):
- disaster recall: share of the labelled disaster rows at level 3 or higher (≤ 3);
- topic of emergencies: attacks → 社会治安, fires → 安全生产 (wildfires → 防灾减灾), crashes → 交通出行 …;
- false-urgent: share of DuEE ordinary-news rows (no 灾害/意外 label) and of TipDM citizen messages at level 1–2.

Targets (issue 11): B-cubed precision ≥ 0.95 and recall ≥ 0.90; disaster recall ≥ 0.95; false-urgent ≤ 0.5 % on
DuEE ordinary news and ≤ 1.5 % on TipDM messages. Tune on train; check on valid. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.clustering import b_cubed  # noqa: E402 - the path is set up first

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LABELS = Path(__file__).resolve().parent / "labels" / "duee_incidents.csv"
TIPDM_FILES = (
    "tipdm2020_labeled_raw_sample.csv",
    "tipdm2020_messages_with_votes.csv",
    "tipdm2020_messages_with_replies.csv",
)
SOURCES = [("news-a", "news"), ("forum-a", "forum"), ("weibo-a", "weibo"), ("news-b", "news")]
# The topic an emergency of each DuEE kind belongs to (issue 11): any of the set is right.
EXPECTED_TOPICS = {
    "袭击": {"public_security"},
    "车祸": {"transport"},
    "坠机": {"transport"},
    "地震": {"disaster"},
    "洪灾": {"disaster"},
    "爆炸": {"work_safety", "public_security"},
    "坍/垮塌": {"work_safety", "disaster", "urban"},
    "起火": {"work_safety"},
}
WILDFIRE = re.compile(r"森林|山火|林火|草原")
LIFE_EVENTS = ("人生-死亡", "人生-失联")  # ordinary-news types that often report a real death or disappearance


def _rows(data: Path, split: str) -> list[dict]:
    path = data / "duee" / f"{split}_event.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _labels(splits: list[str]) -> dict[tuple[str, str], str]:
    with LABELS.open(encoding="utf-8") as handle:
        return {(row["split"], row["id"]): row["incident"] for row in csv.DictReader(handle) if row["split"] in splits}


def _settings(directory: Path, similarity: float | None = None):
    from yuqing.config import settings_from_dict

    config = {
        "general": {"data_dir": "data"},
        "logging": {"file": ""},
        "database": {"url": f"sqlite:///{directory}/events_real.db"},
        "sources": [
            {"name": name, "kind": "rss", "url": f"http://127.0.0.1:9/{name}.xml", "source_type": kind}
            for name, kind in SOURCES
        ],
    }
    if similarity is not None:
        config["clustering"] = {"similarity": similarity}
    return settings_from_dict(config, directory / "config.toml")


def _windows(incidents: dict[str, list[dict]], per_kind: int, seed: int) -> list[list[str]]:
    """Incident keys per window: up to per_kind incidents of every kind, in a random order."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for key in sorted(incidents):
        by_kind[key.split("-", 1)[0]].append(key)
    generator = random.Random(seed)
    for keys in by_kind.values():
        generator.shuffle(keys)
    windows = []
    while any(by_kind.values()):
        window = []
        for keys in by_kind.values():
            window += [keys.pop() for _ in range(min(per_kind, len(keys)))]
        windows.append(window)
    return windows


def _final_events(app, row_of: dict[int, str]) -> dict[str, int]:
    """Row id → the event its report is in at the end (after the automatic merges later reports caused), as the
    duty officer sees it."""
    from sqlalchemy import select

    from yuqing.db.models import Mention

    with app.db.read() as session:
        rows = session.execute(select(Mention.id, Mention.event_id).where(Mention.event_id.is_not(None))).all()
    return {row_of[mention_id]: event_id for mention_id, event_id in rows if mention_id in row_of}


def replay_events(
    data: Path, splits: list[str], per_kind: int, seed: int, show: int, similarity: float | None = None
) -> None:
    """Ingest the labelled rows window by window and score the events against the incidents."""
    import logging

    from yuqing.app import open_app
    from yuqing.ingest import ingest_item

    logging.getLogger("yuqing").setLevel(logging.ERROR)  # alerts without recipients are expected here
    labels = _labels(splits)
    incidents: dict[str, list[dict]] = defaultdict(list)
    for split in splits:
        for row in _rows(data, split):
            key = labels.get((split, row["id"]))
            if key:
                incidents[key].append(row)
    windows = _windows(incidents, per_kind, seed)
    generator = random.Random(seed)
    row_of: dict[int, str] = {}
    event_of: dict[str, int] = {}
    gold: dict[str, str] = {}
    texts: dict[str, str] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        app = open_app(_settings(Path(directory), similarity))
        try:
            clock = datetime(2026, 1, 1, 8, tzinfo=UTC)
            for window in windows:
                queues = [list(incidents[key]) for key in window]
                order = []
                while any(queues):  # reports of the window's incidents interleaved, each incident in its own order
                    queue = generator.choice([q for q in queues if q])
                    order.append((window[queues.index(queue)], queue.pop(0)))
                for number, (key, row) in enumerate(order):
                    now = clock + timedelta(minutes=3 * number)
                    name = SOURCES[number % len(SOURCES)][0]
                    item = {
                        "source": name,
                        "url": f"http://bench.invalid/{row['id']}",
                        "title": "",
                        "content": row["text1"],
                        "published_at": now - timedelta(minutes=2),
                        "fetched_at": now,
                    }
                    result = ingest_item(app, item, now=now)
                    gold[row["id"]], texts[row["id"]] = key, row["text1"]
                    if result.mention_id is not None:
                        row_of[result.mention_id] = row["id"]
                clock += timedelta(days=4)
            event_of = _final_events(app, row_of)
        finally:
            app.close()
    seconds = time.perf_counter() - started
    clustered = {rid: event for rid, event in event_of.items()}
    precision, recall = b_cubed({rid: gold[rid] for rid in clustered}, clustered)
    print(
        f"events ({'+'.join(splits)}): {len(gold)} reports of {len(incidents)} incidents in {len(windows)} windows "
        f"(≤{per_kind} incidents per kind at once), ingested in {seconds:.0f} s"
    )
    print(
        f"  B-cubed precision {precision:.3f} (target ≥ 0.95), recall {recall:.3f} (target ≥ 0.90); "
        f"reports in no event: {len(gold) - len(clustered)}"
    )
    events_per_incident: dict[str, set[int]] = defaultdict(set)
    incidents_per_event: dict[int, Counter] = defaultdict(Counter)
    for rid, event in clustered.items():
        events_per_incident[gold[rid]].add(event)
        incidents_per_event[event][gold[rid]] += 1
    split_up = {key: events for key, events in events_per_incident.items() if len(events) > 1}
    mixed = {event: keys for event, keys in incidents_per_event.items() if len(keys) > 1}
    print(
        f"  incidents split over several events: {len(split_up)} of {len(events_per_incident)}; "
        f"events mixing incidents: {len(mixed)} of {len(incidents_per_event)}"
    )
    for event, keys in sorted(mixed.items(), key=lambda pair: -len(pair[1]))[:show]:
        print(f"  event {event} mixes " + ", ".join(f"{key}×{count}" for key, count in keys.items()))
        for rid, other in clustered.items():
            if other == event:
                print(f"      {gold[rid]}: {texts[rid][:70]}")
    for key, events in sorted(split_up.items(), key=lambda pair: -len(pair[1]))[:show]:
        print(f"  incident {key} split into {len(events)} events:")
        for rid, event in clustered.items():
            if gold[rid] == key:
                print(f"      [{event}] {texts[rid][:70]}")


def judgement(data: Path, splits: list[str], show: int) -> None:
    """Disaster recall, emergency topics and false-urgent rates through pipeline.analyze."""
    import pandas as pd

    from pipeline.analyze import TextIn, analyze, build_context

    context = build_context()
    for split in splits:
        rows = _rows(data, split)
        disasters = [row for row in rows if any(label.startswith("灾害/意外") for label in row["label"])]
        ordinary = [row for row in rows if row not in disasters]
        judged = {row["id"]: analyze(TextIn(content=row["text1"], source_type="news"), context) for row in rows}
        missed = [row for row in disasters if judged[row["id"]].urgency > 3]
        right = 0
        for row in disasters:
            kinds = {label.split("-", 1)[1] for label in row["label"] if label.startswith("灾害/意外")}
            expected = set().union(*(EXPECTED_TOPICS.get(kind, set()) for kind in kinds))
            if "起火" in kinds and WILDFIRE.search(row["text1"]):
                expected = (expected - {"work_safety"}) | {"disaster"}
            right += judged[row["id"]].topic in expected
        urgent = [row for row in ordinary if judged[row["id"]].urgency <= 2]
        plain = [row for row in ordinary if not set(row["label"]) & set(LIFE_EVENTS)]
        urgent_plain = [row for row in urgent if row in plain]
        print(f"judgement on DuEE {split}: {len(disasters)} disaster rows, {len(ordinary)} ordinary-news rows")
        print(f"  disaster recall (level ≤ 3): {1 - len(missed) / len(disasters):.4f} (target ≥ 0.95)")
        print(f"  emergency topic right: {right / len(disasters):.4f}")
        print(
            f"  false-urgent (level 1–2) on ordinary news: {len(urgent) / len(ordinary):.4%} ({len(urgent)}) "
            f"(target ≤ 0.5 %); without 人生-死亡/失联 rows, which often report real deaths: "
            f"{len(urgent_plain) / len(plain):.4%} ({len(urgent_plain)})"
        )
        for row in urgent[:show]:
            print(f"      {judged[row['id']].urgency}级 {row['label']} {row['text1'][:60]}")
    messages = []
    for name in TIPDM_FILES:
        table = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        messages += list(zip(table["留言主题"], table["留言详情"], strict=True))
    urgent_messages = []
    for title, body in messages:
        result = analyze(TextIn(title=title, content=body, source_type="board"), context)
        if result.urgency <= 2:
            urgent_messages.append((title, result.urgency_reasons))
    print(
        f"judgement on TipDM: {len(messages)} citizen messages; false-urgent (level 1–2): "
        f"{len(urgent_messages) / len(messages):.4%} ({len(urgent_messages)}) (target ≤ 1.5 %)"
    )
    for title, reasons in urgent_messages[:show]:
        print(f"      {title[:40]} — {'；'.join(reasons[:2])}")


def main() -> int:
    """Run both parts; 2 when the data folder is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("train", "valid", "all"), default="train")
    parser.add_argument("--per-kind", type=int, default=3, help="incidents of one kind reported at once")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print this many examples of each kind of error")
    parser.add_argument("--similarity", type=float, default=None, help="override [clustering] similarity")
    parser.add_argument("--skip-judgement", action="store_true")
    args = parser.parse_args()
    if not (args.data / "duee" / "train_event.jsonl").is_file():
        print(f"需要开发数据目录 {args.data}（含 duee/ 与 TipDM 文件）", file=sys.stderr)
        return 2
    splits = ["train", "valid"] if args.split == "all" else [args.split]
    replay_events(args.data, splits, args.per_kind, args.seed, args.show, args.similarity)
    if not args.skip_judgement:
        judgement(args.data, splits, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
