"""What a retraining learns from, besides the corrections themselves (yuqing/workflow/labels.py): labelled files
an admin imports, and which corrections the model in use never learned from (they judge it against a new one)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from yuqing.db.models import TopicModel
from yuqing.settings_model import Settings
from yuqing.workflow.labels import Example, held_back


class LearningError(Exception):
    """Training or switching that cannot be done; the message (Chinese) says why."""


@dataclass
class Imported:
    """Rows of an imported labelled file, labels already mapped to topic codes."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # unknown label → rows left out
    files: list[str] = field(default_factory=list)


def topic_code(settings: Settings, label: str) -> str | None:
    """A label from an imported file as a topic code: the code itself or the topic's configured name."""
    names = settings.topic_names()
    label = label.strip()
    if label in names:
        return label
    by_name = {name: code for code, name in names.items()}
    return by_name.get(label)


def read_imported(settings: Settings, files: Sequence[str], text_column: str, label_column: str) -> Imported:
    """Labelled files (CSV/XLSX) to add to the corrections; labels must be topic codes or names (others are left
    out and counted). Raises LearningError naming the file."""
    from pipeline.datasets import DatasetError, read_labelled

    imported = Imported()
    for path in files:
        try:
            data = read_labelled(path, text_column, label_column)
        except DatasetError as exc:
            raise LearningError(str(exc)) from exc
        imported.files.append(str(path))
        for text, label in zip(data.texts, data.labels, strict=True):
            code = topic_code(settings, str(label))
            if code is None:
                imported.skipped[str(label)] += 1
            else:
                imported.texts.append(text)
                imported.labels.append(code)
    if files and not imported.texts:
        unknown = "、".join(label for label, _ in imported.skipped.most_common(8))
        raise LearningError(f"导入文件中没有可用的行:标签应为领域代码或名称(如 medical 或 就医),收到 {unknown}")
    return imported


def unseen_rows(session, examples: Sequence[Example], holdout_share: float) -> list[int]:
    """The corrections the model in use never learned from: they judge it against a new model. All of them when
    the configured classifier is in use; for a town's version, those of matters (events, else single mentions) it
    was not trained on: near-copies of what it learned would flatter it, as cross-validation keeps an event's mentions
    in one fold. A version trained before cross-validation kept a hold-out apart instead: its rows."""
    active = session.scalar(select(TopicModel).where(TopicModel.status == "active").order_by(TopicModel.id.desc()))
    if active is None:
        return list(range(len(examples)))
    trained = (active.details or {}).get("trained_mentions")
    if trained is None:
        return [i for i, e in enumerate(examples) if held_back(e.group, holdout_share)]
    seen = set(trained)
    # A matter (an event's mentions) it learned from is not new to it, though a later mention of it is.
    known = {e.group for e in examples if e.mention_id in seen}
    return [i for i, e in enumerate(examples) if e.mention_id not in seen and e.group not in known]
