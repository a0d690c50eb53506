"""How far a model's topic agrees with the topic officers gave a post, as retraining judges it
(yuqing/learning_candidates.py, yuqing/learning.py), and how the gate's comparison reads (`verdict`).

The same topic scores 1. A different topic that the same office is responsible for (`[[offices]] topics`) scores 1
when the officer confirmed the topic they were shown, and `[learning] office_credit` (0.5 by default) when they
changed it to theirs: the matter still reaches the office that acts on it, only its filing differs. Any other topic
scores 0. With office_credit 0, only the exact topic scores.

Why not the exact topic alone: a duty officer who confirms a post confirms the topic they were shown, which says
that topic is acceptable, not that a neighbouring one under the same office is wrong (城乡建设 filed as urban or
housing). Judged by the exact topic, a town's model that files such posts the other way loses to the lexicon on
the officers' own confirmations, even when it sends more matters to the right office. An officer who changed the
topic chose theirs over the one shown: there the exact topic counts more.

Why full credit on confirmations: most labels are confirmations of the topic the classifier in use showed, so any
partial credit there favours that classifier over a model that files within the same office otherwise. On real
citizen messages (TipDM, bench/learning.py --split train --other, the gate of yuqing/learning_gate.py) half credit
on confirmations kept a better model out at 1,000 corrections (in use 0.8825 on the town's other 3,856 messages,
0.9009 with full credit) and chose a weaker one at 3,000 (0.9038 against 0.9139)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from yuqing.settings_model import Settings
from yuqing.workflow.labels import Example


@dataclass(frozen=True)
class Agreement:
    """The scoring rule: each topic's office (topics that exactly one office lists) and the partial credit."""

    office_of: dict[str, str] = field(default_factory=dict)
    office_credit: float = 0.0

    def score(self, decided: str | None, label: str, confirmed: bool = False) -> float:
        """1 for the officers' topic; another topic of the same office 1 when the officers confirmed the topic
        they were shown, `office_credit` when they changed it (none at all when office_credit is 0); else 0."""
        if decided is None:
            return 0.0
        if decided == label:
            return 1.0
        office = self.office_of.get(label)
        if office is None or self.office_of.get(decided) != office or self.office_credit <= 0:
            return 0.0
        return 1.0 if confirmed else self.office_credit

    def share(self, decided: Sequence[str | None], examples: Sequence[Example], rows: Sequence[int]) -> float | None:
        """The mean score of the examples at `rows` (None when there are no rows)."""
        if not rows:
            return None
        return sum(self.score(decided[i], examples[i].label, examples[i].confirmed) for i in rows) / len(rows)

    def paired_error(
        self, first: Sequence[str | None], second: Sequence[str | None], examples: Sequence[Example]
    ) -> float:
        """The standard error of the difference between two models' mean scores on the same examples (first[i] and
        second[i] decided examples[i]): how far apart their figures can be by the luck of which posts judge them."""
        differences = [
            self.score(a, e.label, e.confirmed) - self.score(b, e.label, e.confirmed)
            for a, b, e in zip(first, second, examples, strict=True)
        ]
        if len(differences) < 2:
            return 0.0
        return statistics.stdev(differences) / math.sqrt(len(differences))

    @property
    def partial(self) -> bool:
        """Whether any two topics share an office and earn partial credit."""
        return self.office_credit > 0 and len(set(self.office_of.values())) < len(self.office_of)

    def text(self) -> str:
        """The rule in one Chinese clause, for decisions."""
        if not self.partial:
            return "按领域是否一致计分"
        return f"领域一致计 1 分,领域不同但归同一责任单位:值班员确认的计 1 分、改过的计 {self.office_credit:g} 分"


EXACT = Agreement()


def agreement(settings: Settings) -> Agreement:
    """The town's scoring rule from its offices' topics and `[learning] office_credit`."""
    listed: dict[str, set[str]] = {}
    for office in settings.offices:
        for topic in office.topics:
            listed.setdefault(topic, set()).add(office.code)
    office_of = {topic: next(iter(codes)) for topic, codes in listed.items() if len(codes) == 1}
    return Agreement(office_of, settings.learning.office_credit)


def verdict(
    gain: float, error: float, min_gain: float, baseline: str, version: int, *, blocked: str = ""
) -> tuple[str, str]:
    """The gate: switch only when the new model scores better than the one in use (by more than min_gain) and
    nothing `blocks` it (why not, in Chinese: yuqing/learning_coverage.py). The decision says when the difference is
    within the error of the comparison: the admin then knows it is a tie of luck and may switch by hand."""
    within = abs(gain) <= error
    spread = f"相差 {gain * 100:+.1f} 个百分点"
    if within:
        spread += f",在误差范围(±{error * 100:.1f})内"
    if gain > min_gain and blocked:
        return "rejected", f"新模型得分高于在用的{baseline}({spread}),{blocked}"
    if gain > min_gain:
        return "active", f"新模型优于在用的{baseline}({spread}),已切换为 v{version}。"
    advice = f";如需采用,管理员可在“模型”页切换为 v{version}" if within else ""
    return "rejected", f"新模型不优于在用的{baseline}({spread}),未切换(仍使用{baseline}){advice}。"
