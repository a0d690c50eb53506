"""The figures the gate compares a new model and the model in use on (yuqing/learning.py decides with them).

- The configured classifier in use (it learned no correction): every correction judges both. The new model's topic
  for each is the one cross-validation gave it (a model that did not learn that correction decided it).
- A town's version in use: the corrections it never learned from are few (the ones since it was trained, less the
  later mentions of matters it learned) and judge two models that differ by a few points: on real citizen messages
  (TipDM, bench/learning.py) that comparison called a tie three times in eight retrainings where the new model was
  better on the town's other 4,000 messages by 1.0 to 1.7 points. So both are judged by cross-validation over all
  corrections: the new model's recipe (its kind, all corrections) against the recipe of the version in use (its
  kind, the corrections it learned from), on the same folds, each correction decided by models that did not learn
  it. The difference is what the corrections since then taught. The version's own figures on the corrections it
  never learned are kept beside them. With it (and full credit on confirmations, yuqing/learning_agreement.py) two
  of those three switch; the third (300 corrections against a version trained on 100) stays a loss of 1.0.
  Not when the version in use or this retraining learned from imported files: the recipe of the version in use
  could not be rebuilt from the corrections. Then the corrections it never learned judge, as before.

Most of a town's corrections may come from the 分类复核 queue, which asks about the cases the model is least sure of:
figures on them say how both models do on hard cases, not on the town. The spot checks among the corrections (drawn
at random, yuqing/review_queue.py) do speak for the town, so the figures on them alone are kept and shown beside the
others (`spot`, said from MIN_SPOT_CHECKS on, with the error of their difference). They do not decide: a few dozen
spot checks cannot tell two models a point apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from pipeline.model_extras import PRIOR_WEIGHT
from yuqing.db.models import TopicModel
from yuqing.learning_agreement import EXACT, Agreement
from yuqing.learning_candidates import Candidate, TrainingSet, cross_validate, decided_topics
from yuqing.workflow.labels import Example

MIN_SPOT_CHECKS = 20  # fewer spot checks than this: their figures are kept but not said (they would be luck)


@dataclass(frozen=True)
class InUse:
    """The version in use as the gate needs it (None fields: the configured classifier is in use)."""

    kind: str | None = None  # its recipe: "prior" or "words"
    trained_mentions: frozenset[int] | None = None  # the corrections it learned from (None: not recorded)
    imported_rows: int = 0  # rows of imported files it learned from
    prior_weight: float = PRIOR_WEIGHT  # of the prior's scores in its recipe (pipeline/model_extras.prior_weight)


def basis_text(basis: str, judged: int) -> str:
    """What a gate's figures rest on (`GateFigures.basis`, rows), in one Chinese clause."""
    if basis == "all":
        return f"全部纠正 {judged} 条交叉检验,在用模型按其训练时的纠正重训"
    return f"在用模型未学过的纠正 {judged} 条"


def in_use_of(session) -> InUse:
    """The version in use now (the latest active row), or the configured classifier (an empty InUse)."""
    row = session.scalar(select(TopicModel).where(TopicModel.status == "active").order_by(TopicModel.id.desc()))
    if row is None:
        return InUse()
    details = row.details or {}
    learned = details.get("trained_mentions")
    return InUse(
        details.get("kind", "prior"),
        frozenset(learned) if learned is not None else None,
        row.imported_rows,
        details.get("prior_weight", PRIOR_WEIGHT),
    )


@dataclass
class GateFigures:
    """Both figures, the error of their difference and what they rest on (`basis`): "all" the corrections
    (cross-validated recipes), or "unseen", the corrections the model in use never learned."""

    basis: str
    accuracy: float | None
    baseline_accuracy: float | None
    error: float
    judged: int
    unseen: dict = field(default_factory=dict)  # the figures on the corrections the model in use never learned
    exact: dict = field(default_factory=dict)  # the same figures by the exact topic alone
    spot: dict = field(default_factory=dict)  # the same figures on the spot checks among them alone

    def text(self) -> str:
        """What the figures rest on, in one Chinese clause (decisions, CLI)."""
        return basis_text(self.basis, self.judged)

    def unseen_text(self) -> str:
        """With the figures over all corrections, the ones on the corrections the model in use never learned, in a
        parenthesis (or nothing)."""
        new, old = self.unseen.get("new"), self.unseen.get("in_use")
        if self.basis != "all" or new is None or old is None:
            return ""
        return f"(其中在用模型未学过的 {self.unseen['rows']} 条:新模型 {new:.1%},在用模型 {old:.1%})"

    def spot_text(self) -> str:
        """The figures on the spot checks (messages drawn at random for review) in a parenthesis, or nothing when
        there are fewer than MIN_SPOT_CHECKS."""
        new, old = self.spot.get("new"), self.spot.get("in_use")
        if new is None or old is None or self.spot["rows"] < MIN_SPOT_CHECKS:
            return ""
        return (
            f"(其中随机抽检的 {self.spot['rows']} 条代表全部信息:新模型 {new:.1%},在用模型 {old:.1%},"
            f"相差的误差 ±{self.spot['error'] * 100:.1f} 个百分点)"
        )

    def details(self) -> dict:
        """What the version's row keeps."""
        return {
            "gate_basis": self.basis,
            "gate_error": round(self.error, 4),
            "unseen": self.unseen,
            "exact_topic": self.exact,
            "spot_checks": self.spot,
        }


def gate_figures(
    context,
    data: TrainingSet,
    best: Candidate,
    unseen: Sequence[int],
    judge: Agreement,
    in_use: InUse,
    *,
    name: str,
    manifest: dict,
) -> GateFigures:
    """The figures of the new model (`best`, cross-validated on `data`) and of the model in use (`context`)."""
    examples = data.examples
    judged = [examples[i] for i in unseen]
    in_use_topics = decided_topics(context, judged)
    new_topics = [best.decided[i] for i in unseen]
    rows = range(len(unseen))
    on_unseen = {
        "rows": len(unseen),
        "new": judge.share(new_topics, judged, rows),
        "in_use": judge.share(in_use_topics, judged, rows),
    }
    recipe = _in_use_recipe(context, data, judge, in_use, name=name, manifest=manifest)
    if recipe is None:
        return GateFigures(
            "unseen",
            on_unseen["new"],
            on_unseen["in_use"],
            judge.paired_error(new_topics, in_use_topics, judged),
            len(unseen),
            on_unseen,
            {"new": EXACT.share(new_topics, judged, rows), "in_use": EXACT.share(in_use_topics, judged, rows)},
            _on_spot_checks(judge, new_topics, in_use_topics, judged),
        )
    everything = range(len(examples))
    return GateFigures(
        "all",
        judge.share(best.decided, examples, everything),
        judge.share(recipe.decided, examples, everything),
        judge.paired_error(best.decided, recipe.decided, examples),
        len(examples),
        on_unseen,
        {
            "new": EXACT.share(best.decided, examples, everything),
            "in_use": EXACT.share(recipe.decided, examples, everything),
        },
        _on_spot_checks(judge, best.decided, recipe.decided, examples),
    )


def _on_spot_checks(
    judge: Agreement, new: Sequence[str | None], in_use: Sequence[str | None], examples: Sequence[Example]
) -> dict:
    """Both models' figures on the spot checks among `examples` (new[i] and in_use[i] decided examples[i])."""
    rows = [i for i, example in enumerate(examples) if example.spot_check]
    if not rows:
        return {}
    error = judge.paired_error([new[i] for i in rows], [in_use[i] for i in rows], [examples[i] for i in rows])
    return {
        "rows": len(rows),
        "new": judge.share(new, examples, rows),
        "in_use": judge.share(in_use, examples, rows),
        "error": round(error, 4),
    }


def _in_use_recipe(
    context, data: TrainingSet, judge: Agreement, in_use: InUse, *, name: str, manifest: dict
) -> Candidate | None:
    """The version in use's recipe cross-validated over all corrections, or None when it cannot be rebuilt."""
    if in_use.kind is None or in_use.trained_mentions is None or in_use.imported_rows or data.imported_texts:
        return None
    learned = {i for i, e in enumerate(data.examples) if e.mention_id in in_use.trained_mentions}
    if not learned:
        return None
    return cross_validate(
        context,
        data,
        name=name,
        manifest=manifest,
        agreement=judge,
        kinds=[in_use.kind],
        learned=learned,
        prior_weight=in_use.prior_weight,
    )[0]
