"""Whether the corrections speak for the town: a guard the gate (yuqing/learning.py) applies before it switches a new
model in.

The gate judges a new model on the town's corrections, so it cannot see topics the corrections leave out. On real
citizen messages (TipDM, bench/learning.py) 100 corrections that held 2 城乡建设 posts, a fifth of the town, made
cross-validation say 94 % against the lexicon's 84 %; the gate switched the model in and it scored 0.66 on the
town's other messages. Real labels lean the same way: officers label what they handle.

So a topic that holds at least MIN_SHARE of the town's recent relevant messages (as filed) must hold at least
1/FACTOR of its share of the corrections. A random sample almost always does; so do the 分类复核 queue's
corrections, a fifth of which are spot checks at random (yuqing/review_queue.py), even for a topic the queue never
asks about. When one does not, the new model is not switched in automatically, and the decision names the topics to
review (分类复核) first. An admin can still switch by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from yuqing.db.models import Mention
from yuqing.labels import topic_text
from yuqing.settings_model import Settings

DAYS = 90  # the town's recent messages the corrections are held against
MIN_SHARE = 0.05  # topics rarer than this in the town are not checked
FACTOR = 8  # a checked topic may be under-represented in the corrections by up to this factor (above 5: the queue)


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
            f"“{topic_text(settings, topic)}”占近 {DAYS} 天信息的 {self.share(topic):.0%},纠正中只有 "
            f"{self.labelled.get(topic, 0)} 条"
            for topic in self.missing
        ]
        return (
            f"但纠正没有覆盖本地信息的主要领域:{';'.join(parts)}。比较只凭纠正,看不出新模型在这些信息上的表现,"
            "因此不自动切换;请先在“分类复核”中确认这些领域的信息再训练,或由管理员在“模型”页手动切换。"
        )

    def details(self) -> dict:
        """What the version's row keeps."""
        return {"town": self.town, "labelled": self.labelled, "missing": list(self.missing), "days": DAYS}


def coverage(session, labels: Iterable[str], *, now: datetime) -> Coverage:
    """How the corrections' topics (`labels`, imported rows' included) compare with the town's relevant, not
    near-copy messages of the last DAYS days, by the topic each is filed under now."""
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
    missing = tuple(
        topic
        for topic, count in sorted(town.items(), key=lambda item: (-item[1], item[0]))
        if count / total >= MIN_SHARE and labelled[topic] < count / total * corrections / FACTOR
    )
    return Coverage(town, dict(labelled), missing)
