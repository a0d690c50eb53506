"""Whether the corrections speak for the town: a guard the gate (yuqing/learning.py) applies before it switches a new
model in.

The gate judges a new model on the town's corrections, so it cannot see topics the corrections leave out. On real
citizen messages (TipDM, bench/learning.py) 100 corrections that held 2 城乡建设 posts, a fifth of the town, made
cross-validation say 94 % against the lexicon's 84 %; the gate switched the model in and it scored 0.66 on the
town's other messages. Real labels lean the same way: officers label what they handle.

So a topic that holds at least MIN_SHARE of the town's recent relevant messages (as filed) must hold at least
1/FACTOR of its share of the corrections, once that share stands for at least MIN_EXPECTED corrections (with fewer,
a random sample leaves a topic out by chance: 30 random labels miss a topic of 5 % one time in five). A random sample
then almost always passes (it leaves out a topic of MIN_EXPECTED expected labels less than one time in a hundred);
so do the 分类复核 queue's corrections, a fifth of which are spot checks at random (yuqing/review_queue.py), even
for a topic the queue never asks about. "其他" is not checked: officers re-file what the classifier could not place.
When a topic falls short, the new model is not switched in automatically, and the decision names the topics to
review first (the 分类复核 page lists one topic on request). An admin can still switch by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from pipeline.topics import OTHER
from yuqing.db.models import Mention
from yuqing.labels import topic_text
from yuqing.settings_model import Settings

DAYS = 90  # the town's recent messages the corrections are held against
MIN_SHARE = 0.05  # topics rarer than this in the town are not checked
FACTOR = 8  # a checked topic may be under-represented in the corrections by up to this factor (above 5: the queue)
MIN_EXPECTED = 5  # a topic is checked once its share of the corrections would be this many


@dataclass(frozen=True)
class Coverage:
    """The town's recent relevant messages by topic as filed, the corrections by topic, and the topics the
    corrections leave (nearly) out, most common first."""

    town: dict[str, int]
    labelled: dict[str, int]
    missing: tuple[str, ...]

    def share(self, topic: str) -> float:
        total = sum(self.town.values())
        return self.town.get(topic, 0) / total if total else 0.0

    def text(self, settings: Settings) -> str:
        """Why the new model is not switched in, in Chinese (empty when nothing is missing)."""
        if not self.missing:
            return ""
        parts = [
            f"“{topic_text(settings, topic)}”占近 {DAYS} 天信息的 {self.share(topic):.0%},标注中只有 "
            f"{self.labelled.get(topic, 0)} 条"
            for topic in self.missing
        ]
        return (
            f"但纠正没有覆盖本地信息的主要领域:{';'.join(parts)}。比较只凭纠正,看不出新模型在这些信息上的表现,"
            "因此不自动切换;请先在“分类复核”页选择这些领域,确认其中的信息后再训练,或由管理员在“模型”页手动切换。"
        )

    def details(self) -> dict:
        """What the version's row keeps."""
        return {"town": self.town, "labelled": self.labelled, "missing": list(self.missing), "days": DAYS}


def coverage(session, labels: Iterable[str], *, now: datetime, topics: Iterable[str] | None = None) -> Coverage:
    """How the corrections' topics (`labels`, imported rows' included) compare with the town's relevant, not
    near-copy messages of the last DAYS days, by the topic each is filed under now. Only `topics` (the town's, when
    given) are checked, never 其他."""
    rows = session.execute(
        select(Mention.topic, func.count())
        .where(
            Mention.relevant.is_(True),
            Mention.duplicate_of.is_(None),
            Mention.first_seen_at >= now - timedelta(days=DAYS),
        )
        .group_by(Mention.topic)
    ).all()
    town = {topic: count for topic, count in rows if count}
    labelled = Counter(labels)
    total, corrections = sum(town.values()), sum(labelled.values())
    checked = set(town if topics is None else topics) - {OTHER}
    missing = tuple(
        topic
        for topic, count in sorted(town.items(), key=lambda item: (-item[1], item[0]))
        if topic in checked
        and count / total >= MIN_SHARE
        and count / total * corrections >= MIN_EXPECTED
        and labelled[topic] < count / total * corrections / FACTOR
    )
    return Coverage(town, dict(labelled), missing)
