"""分类复核: the town's unlabelled messages a duty officer's confirmation would teach the topic model most, first.

A correction teaches most where the town's model is least sure. The queue ranks the recent relevant messages no
person has labelled yet by the newest trained version (in use or not: it has learned every correction so far), the
smallest gap between its two best topics first; one place in five is a spot check, the next message of a fixed random
order, so that the labels still speak for the whole town (the gate's coverage guard, yuqing/learning_coverage.py,
needs that). Before any version is trained, it lists that random order alone, so that the first model learns from
messages like all the others rather than from the lexicon's odd cases.

On real citizen messages (TipDM, bench/learning.py, accuracy on a town's other 4,000 messages) the model in use
after 300 corrections from this queue scored 0.8897 and 0.8701 in the two towns (arrival order: 0.8668 and 0.8825),
after 1,000 0.9084 and 0.8970 (arrival, first town: 0.9029); the figures are in bench/learning.py.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from pipeline.training import ModelError
from yuqing.app import App
from yuqing.db.models import Mention, TopicModel
from yuqing.labels import topic_text
from yuqing.privacy import masked
from yuqing.timeutil import utcnow
from yuqing.workflow.labels import SPOT_CHECK, topic_labels

logger = logging.getLogger(__name__)

# The most recent unlabelled messages ranked (each once per version: about 2 ms a message). With 3,000, the learning
# benchmark (its town ingested sorted by class) left a whole class out of the pool, and a model trained on that queue
# fell to 0.66 on the town's other messages: the pool must hold the whole period the queue speaks for.
POOL = 5000
EXCERPT = 80
# One message in five is a spot check (抽检) taken at random: the rest of the queue is the model's hard cases, and
# labels of hard cases alone tell the gate (yuqing/learning.py) little about the town's other messages.
SPOT_EVERY = 5


@dataclass(frozen=True)
class ReviewItem:
    """One message to review: what the system filed it under, and why it is asked."""

    mention_id: int
    title: str
    excerpt: str
    source_type: str
    seen_at: datetime
    topic: str  # the topic stored (what the dashboard shows)
    guess: str  # the ranking version's best topic ("" in the sample)
    runner_up: str  # its second best
    gap: float | None  # the gap between the two, in decision values (None in the sample)
    reason: str  # why it is in the queue, in Chinese
    spot_check: bool = False  # drawn at random (the sample, a spot check): its label is kept as a spot check


@dataclass(frozen=True)
class ReviewQueue:
    """The queue and what ranked it: a version name, or None for the random sample."""

    ranked_by: str | None
    items: list[ReviewItem]
    pool: int  # unlabelled messages considered
    problem: str = ""  # why the newest version could not rank them (then the sample)
    topic: str | None = None  # only messages filed under this topic (no spot checks then)
    uncovered: tuple[str, ...] = ()  # topics the newest version's corrections left out (yuqing/learning_coverage.py)

    @property
    def basis(self) -> str:
        if self.problem:
            return f"{self.problem},暂按固定随机抽样列出"
        if self.ranked_by is None:
            return "尚未训练过本地模型:按固定随机抽样列出,请先确认这些信息的领域,以训练首个模型"
        if self.topic is not None:
            return f"按最新训练的模型 {self.ranked_by} 的把握排序:两个最可能的领域相差越小越靠前(只看一个领域时不抽检)"
        return (
            f"按最新训练的模型 {self.ranked_by} 的把握排序:两个最可能的领域相差越小越靠前,确认它们最能帮助模型学习;"
            f"每 {SPOT_EVERY} 条中有 1 条为随机抽检,用来检验模型在全部信息上的表现"
        )


def _newest_version(session) -> TopicModel | None:
    return session.scalars(
        select(TopicModel)
        .where(TopicModel.path.is_not(None), TopicModel.status.in_(("active", "retired", "rejected")))
        .order_by(TopicModel.id.desc())
        .limit(1)
    ).first()


@dataclass
class _Ranker:
    """A loaded version and its verdicts: (message id, updated at) → (best topic, second, gap). Segmenting a message
    is most of the cost (about 2 ms), so each message is ranked once per version and process."""

    key: str
    model: Any
    ranks: dict[tuple[int, datetime], tuple[str, str, float]] = field(default_factory=dict)

    def rank(self, rows) -> dict[tuple[int, datetime], tuple[str, str, float]]:
        missing = [row for row in rows if (row.id, row.updated_at) not in self.ranks]
        if missing:
            decision, _ = self.model.decision_values([(row.title or "", row.content or "") for row in missing])
            order = np.argsort(decision, axis=1)
            for index, row in enumerate(missing):
                best, second = int(order[index, -1]), int(order[index, -2])
                gap = round(float(decision[index, best] - decision[index, second]), 3)
                self.ranks[(row.id, row.updated_at)] = (self.model.labels[best], self.model.labels[second], gap)
        wanted = {(row.id, row.updated_at) for row in rows}
        self.ranks = {key: value for key, value in self.ranks.items() if key in wanted}  # labelled or old: dropped
        return self.ranks


_lock = threading.Lock()
_loading = threading.Lock()  # one load at a time: the warm-up and a page load do not each load the same version
_ranker: _Ranker | None = None  # the newest version, loaded, with what it said of each message so far
_warmed: str | None = None  # the last version `warm` ranked with


def _ranker_for(app: App, path: str) -> _Ranker:
    """The newest version's ranker (loaded once per process: a version's files never change once written)."""
    from yuqing.learning_candidates import load_version

    global _ranker
    key = _key(app, path)
    with _loading:
        with _lock:
            if _ranker is not None and _ranker.key == key:
                return _ranker
        ranker = _Ranker(key, load_version(app.settings, path))
        with _lock:
            _ranker = ranker
        return ranker


def _key(app: App, path: str) -> str:
    return f"{app.settings.general.data_dir}|{path}"


def warm(app: App) -> bool:
    """Rank the queue with the newest version unless this process has already: a dashboard in a process of its own
    (`yuqing web`) does not see the retraining that runs elsewhere, and its first page load would wait the seconds
    the ranking takes. True when it ranked."""
    with app.db.read() as session:
        newest = _newest_version(session)
        path = newest.path if newest is not None else None
    if path is None:
        return False
    global _warmed
    key = _key(app, path)
    with _lock:
        if _warmed == key or (_ranker is not None and _ranker.key == key):
            return False  # ranked already (or its files could not be loaded: the page says why)
    review_queue(app, limit=1)  # raises on a database error: tried again next time
    with _lock:
        _warmed = key
    return True


def _sample_key(mention_id: int) -> bytes:
    """A fixed pseudo-random rank. Not crc32: it is linear, and sorting consecutive ids by it picks ids with like
    digits (11, 15, 40, 44, 48, 102 …), not a random sample."""
    return hashlib.blake2b(f"review-{mention_id}".encode(), digest_size=8).digest()


def review_queue(
    app: App, *, limit: int = 50, days: int = 30, now: datetime | None = None, topic: str | None = None
) -> ReviewQueue:
    """The `limit` messages to review first among the relevant, not near-copy, unlabelled messages of the last
    `days` days (the most recent POOL of them), or of those filed under `topic` alone: then no spot checks (a message
    drawn among one topic's does not speak for the town), the sample's messages are not spot checks either."""
    since = (now or utcnow()) - timedelta(days=days)
    settings = app.settings
    with app.db.read() as session:
        labelled = set(topic_labels(session))  # ids only: no text read
        wanted = select(
            Mention.id,
            Mention.title,
            Mention.content,
            Mention.source_type,
            Mention.first_seen_at,
            Mention.updated_at,
            Mention.topic,
        ).where(Mention.relevant.is_(True), Mention.duplicate_of.is_(None), Mention.first_seen_at >= since)
        if topic is not None:
            wanted = wanted.where(Mention.topic == topic)
        rows = session.execute(wanted.order_by(Mention.id.desc()).limit(POOL + len(labelled))).all()
        newest = _newest_version(session)
        version = (newest.id, newest.path) if newest is not None else None
        uncovered = _uncovered(newest)
    rows = [row for row in rows if row.id not in labelled][:POOL]
    if not rows:
        return ReviewQueue(None if version is None else f"v{version[0]}", [], 0, topic=topic, uncovered=uncovered)
    ranker, problem = None, ""
    if version is not None:
        try:
            ranker = _ranker_for(app, str(version[1]))
        except ModelError as exc:  # files removed or damaged: the sample still serves, and says why
            problem = f"最新模型 v{version[0]} 无法加载({exc})"
            logger.warning("分类复核:%s,改按随机抽样列出", problem)
    if ranker is None or version is None:
        chosen = sorted(rows, key=lambda row: _sample_key(row.id))[:limit]
        drawn = topic is None  # drawn among all messages: a spot check
        items = [_item(settings, row, "", "", None, "随机抽样:用于训练本地模型", spot_check=drawn) for row in chosen]
        return ReviewQueue(None, items, len(rows), problem, topic=topic, uncovered=uncovered)
    name = f"v{version[0]}"
    with _lock:  # one ranking at a time: two page loads do not segment the same messages twice
        ranks = ranker.rank(rows)
    ranked = sorted(rows, key=lambda row: ranks[(row.id, row.updated_at)][2])
    items = []
    every = SPOT_EVERY if topic is None else 0
    for row, spot in _mixed(ranked, sorted(rows, key=lambda row: _sample_key(row.id)), limit, every):
        guess, runner_up, gap = ranks[(row.id, row.updated_at)]
        if spot:
            reason = f"抽检:随机抽取(每 {SPOT_EVERY} 条中 1 条),使标注代表全部信息而不只是难判的;{name} 判为“{topic_text(settings, guess)}”"
        else:
            reason = f"{name} 在“{topic_text(settings, guess)}”与“{topic_text(settings, runner_up)}”之间拿不准(相差 {gap:.2f})"
        if guess != row.topic:
            reason += f";入库时归为“{topic_text(settings, row.topic)}”"
        items.append(_item(settings, row, guess, runner_up, gap, reason, spot_check=spot))
    return ReviewQueue(name, items, len(rows), topic=topic, uncovered=uncovered)


def _uncovered(newest: TopicModel | None) -> tuple[str, ...]:
    """The topics the newest version was kept out for (its corrections left them out), or none."""
    if newest is None or newest.status != "rejected":
        return ()
    return tuple((newest.details or {}).get("coverage", {}).get("missing", []))


def _mixed(ranked: list, sampled: list, limit: int, every: int) -> list[tuple[Any, bool]]:
    """The first `limit` rows: every `every`-th a spot check (the next of the fixed random order; none when 0), the
    others the next by rank; no row twice (both orders hold the same rows). Each with whether it is a spot check."""
    taken: set[int] = set()
    by_rank, by_chance = iter(ranked), iter(sampled)

    def following(rows) -> Any:
        for row in rows:
            if row.id not in taken:
                taken.add(row.id)
                return row
        return None

    chosen = []
    for place in range(min(limit, len(ranked))):
        spot = every > 0 and (place + 1) % every == 0
        chosen.append((following(by_chance if spot else by_rank), spot))
    return chosen


def _item(settings, row, guess: str, runner_up: str, gap: float | None, reason: str, *, spot_check: bool) -> ReviewItem:
    text = " ".join((row.content or "").split())
    excerpt = text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")
    return ReviewItem(
        row.id,
        masked(row.title or ""),
        masked(excerpt),
        row.source_type,
        row.first_seen_at,
        row.topic,
        guess,
        runner_up,
        gap,
        reason,
        spot_check,
    )


REVIEW_KINDS = {"confirm": "确认原领域", "topic": "改为另一领域", "irrelevant": "标记不相关"}


@dataclass(frozen=True)
class ReviewOutcome:
    """What a review of several messages did: how many were recorded, and why the others were not."""

    done: int
    errors: list[str]

    def text(self, kind: str) -> str:
        head = f"已{REVIEW_KINDS[kind]} {self.done} 条(记入审计,并作为训练模型的标注)"
        return head + ("；未处理:" + ";".join(self.errors) if self.errors else "")


def apply_review(
    app: App,
    actor: str,
    mention_ids: Sequence[int],
    kind: str,
    topic: str | None = None,
    *,
    spot_checks: Collection[int] = (),
    now: datetime | None = None,
) -> ReviewOutcome:
    """Record one review of these messages, each in its own transaction (one refused message does not stop the
    rest): `confirm` the topic stored, change it to `topic`, or mark them `irrelevant`. The labels of the messages
    in `spot_checks` (the queue listed them as drawn at random) are kept as spot checks, the others as reviews."""
    from yuqing.workflow.corrections import CorrectionError, correct_mention

    if kind not in REVIEW_KINDS:
        raise ValueError(f"unknown review kind {kind!r}")
    if kind == "topic" and not topic:
        raise CorrectionError("请选择要改为的领域")
    if not mention_ids:
        raise CorrectionError("请先勾选信息")
    done, errors = 0, []
    for mention_id in mention_ids:
        how = SPOT_CHECK if mention_id in spot_checks else "review"
        try:
            with app.db.write() as session:
                change: dict[str, Any] = {"topic": topic} if kind == "topic" else {"relevant": False}
                if kind == "confirm":
                    stored = session.get(Mention, mention_id)
                    if stored is None:
                        raise CorrectionError(f"信息 #{mention_id} 不存在")
                    change = {"topic": stored.topic}
                correct_mention(session, app.settings, mention_id, actor, now=now, label_action=how, **change)
            done += 1
        except CorrectionError as exc:
            errors.append(str(exc))
    return ReviewOutcome(done, errors)
