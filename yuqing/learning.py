"""The system learns the town: a topic model trained on the town's corrections (labels), judged by cross-validation
(yuqing/learning_candidates.py) against the model in use (yuqing/learning_gate.py: on every correction, the model
in use's recipe cross-validated too), and switched in only when it does better. Versions are kept with their figures
in `topic_models` and their files under <data_dir>/models/v<N>; an admin can roll back to any of them or to the
configured classifier. Training runs beside ingest (a thread or a scheduler job) and the switch is one assignment."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from yuqing.app import App
from yuqing.db.models import TopicModel
from yuqing.learning_agreement import agreement, verdict
from yuqing.learning_coverage import coverage
from yuqing.learning_data import Imported, LearningError, unseen_rows
from yuqing.learning_gate import basis_text, gate_figures, in_use_of
from yuqing.settings_model import Settings
from yuqing.timeutil import utcnow
from yuqing.workflow import audit
from yuqing.workflow.labels import topic_examples

log = logging.getLogger("yuqing.learning")
MODELS_DIR = "models"
CHECK_SECONDS = 30.0  # how often a process looks for a model switched in by another process
STALE_TRAINING_SECONDS = 6 * 3600  # a "training" row older than this was left by a process that died
STATUS_NAMES = {
    "training": "训练中",
    "active": "使用中",
    "retired": "已停用",
    "rejected": "未采用",
    "failed": "训练失败",
}


@dataclass
class RetrainResult:
    """What one retraining did: the version, both figures (on `judged` corrections, `basis` says which:
    yuqing/learning_gate.py), how many corrections the model in use never learned from (`held_back`) and the
    decision."""

    version: int
    status: str
    accuracy: float | None
    baseline: str
    baseline_accuracy: float | None
    held_back: int
    trained: int
    imported: int
    decision: str
    judged: int = 0
    basis: str = "unseen"

    def text(self) -> str:
        """The result in one Chinese paragraph (CLI, dashboard)."""
        rests_on = basis_text(self.basis, self.judged)
        figures = (
            f"新模型 v{self.version} 得分 {self.accuracy:.1%},在用的{self.baseline} {self.baseline_accuracy:.1%}"
            f"({rests_on})"
            if self.accuracy is not None and self.baseline_accuracy is not None
            else f"在用模型未学过的纠正 {self.held_back} 条"
        )
        source = f"训练用纠正 {self.trained} 条" + (f",导入标注 {self.imported} 条" if self.imported else "")
        return f"{source};{figures}。{self.decision}"


def version_name(version: int | None) -> str:
    """“v3”, or the configured classifier's name for None."""
    return f"v{version}" if version else "配置的分类器"


def configured_name(settings: Settings) -> str:
    """The name of the classifier config gives (in use when no trained version is switched in)."""
    from pipeline.analyze import LEXICON_MODEL

    model_dir = settings.classifier.model_dir
    return f"模型目录 {Path(model_dir).name}" if model_dir else LEXICON_MODEL


def models_dir(settings: Settings) -> Path:
    """Where model versions are kept: <data_dir>/models."""
    return Path(settings.general.data_dir) / MODELS_DIR


_training_lock = threading.Lock()


def retrain(
    app: App,
    actor: str,
    imported: Imported | None = None,
    *,
    now: datetime | None = None,
) -> RetrainResult:
    """Train a new version on the town's corrections (plus imported rows), judge it against the model in use on
    the held-back corrections and switch it in only when it does better. Raises LearningError when there is not
    enough to train on or another training runs."""
    if not _training_lock.acquire(blocking=False):
        raise LearningError("已有一次训练正在进行,请稍后再试")
    try:
        return _retrain(app, actor, imported or Imported(), now or utcnow())
    finally:
        _training_lock.release()


def _retrain(app: App, actor: str, imported: Imported, now: datetime) -> RetrainResult:

    from pipeline.training import save_model
    from yuqing.analysis_context import analysis_context
    from yuqing.learning_candidates import (
        FOLDS,
        choice_notes,
        cross_validate,
        preferred,
        prior_classifier,
        set_margin,
        town_corpus,
        training_set,
    )
    from yuqing.learning_candidates import KINDS as KIND_NAMES

    settings = app.settings
    judge = agreement(settings)
    conf = settings.learning
    refresh_active_model(app, force=True)
    with app.db.read() as session:
        examples = topic_examples(session, topics=settings.topic_names())
        running = session.scalar(
            select(TopicModel.id).where(
                TopicModel.status == "training",
                TopicModel.created_at > utcnow() - timedelta(seconds=STALE_TRAINING_SECONDS),
            )
        )
        unseen = unseen_rows(session, examples, conf.holdout_share)
        in_use_recipe = in_use_of(session)
        covered = coverage(
            session, [e.label for e in examples] + imported.labels, now=now, topics=settings.topic_names()
        )
    if running is not None:
        raise LearningError(f"模型 v{running} 正在训练,请稍后再试")
    labels = {e.label for e in examples} | set(imported.labels)
    if len(examples) + len(imported.texts) < conf.min_labels or len(labels) < 2:
        raise LearningError(
            f"可用于训练的标注不足:纠正 {len(examples)} 条,导入 {len(imported.texts)} 条,共 {len(labels)} 类;"
            f"至少需要 {conf.min_labels} 条、两类。研判和纠正信息领域都会积累标注。"
        )
    if examples and len({e.group for e in examples}) < 2:
        raise LearningError("纠正都属于同一事件,无法交叉检验新模型;请在更多事件上研判或纠正后再训练。")
    context = analysis_context(settings)
    baseline = context.model_version
    with app.db.write() as session:
        row = TopicModel(
            created_at=now,
            created_by=actor,
            status="training",
            correction_rows=len(examples),
            imported_rows=len(imported.texts),
            held_back_rows=len(unseen),
            baseline=baseline,
            details={"files": imported.files, "skipped_labels": dict(imported.skipped)},
        )
        session.add(row)
        session.flush()
        version = row.id
    started = time.monotonic()
    directory = models_dir(settings) / f"v{version}"
    manifest = {"town_version": version, "trained_by": actor}
    try:
        corpus = town_corpus(app, leave_out={e.mention_id for e in examples})
        data = training_set(examples, imported.texts, imported.labels, prior=prior_classifier(settings), corpus=corpus)
        tried = cross_validate(context, data, name=f"模型 v{version}", manifest=manifest, agreement=judge)
        best = preferred(tried, examples, judge)
        model = data.fit(best.kind, range(len(examples)), manifest)
        set_margin(model, best.margin)
        partial = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(partial, ignore_errors=True)
        save_model(model, partial)
        shutil.rmtree(directory, ignore_errors=True)
        partial.rename(directory)
        gate = gate_figures(
            context, data, best, unseen, judge, in_use_recipe, name=f"模型 v{version}", manifest=manifest
        )
        accuracy, baseline_accuracy = gate.accuracy, gate.baseline_accuracy
    except (ValueError, OSError) as exc:
        with app.db.write() as session:
            failed = session.get(TopicModel, version)
            assert failed is not None
            failed.status, failed.decision = "failed", f"训练失败:{exc}"
            audit.record(
                session,
                actor=actor,
                action="model_train",
                entity="model",
                entity_id=version,
                field="model_status",
                after="failed",
                comment=failed.decision,
                at=now,
            )
        raise LearningError(f"训练失败:{exc}") from exc
    if len(unseen) < conf.min_held_back or accuracy is None or baseline_accuracy is None:
        status = "rejected"
        why = "新模型学到的新内容太少" if gate.basis == "all" else "无法可靠比较"
        decision = f"在用的{baseline}未学过的纠正仅 {len(unseen)} 条(少于 {conf.min_held_back} 条),{why},未切换。"
    else:
        gain, blocked = accuracy - baseline_accuracy, covered.text(settings)
        status, decision = verdict(gain, gate.error, conf.min_gain, baseline, version, blocked=blocked)
        decision = f"比较依据:{gate.text()}{gate.unseen_text()}{gate.spot_text()};{decision}"
    folds = min(FOLDS, len({e.group for e in examples}))
    decision = (
        f"{folds} 折交叉检验(纠正 {len(examples)} 条;{judge.text()}):{'、'.join(c.text() for c in tried)},"
        f"取{KIND_NAMES[best.kind]}{choice_notes(tried, best, configured_name(settings), data.prior_weight)}。"
        f"{decision}"
    )
    with app.db.write() as session:
        kept = session.get(TopicModel, version)
        assert kept is not None
        row = kept
        row.path = str(directory.relative_to(Path(settings.general.data_dir)))
        row.accuracy, row.baseline_accuracy, row.held_back_rows = accuracy, baseline_accuracy, gate.judged
        row.decision = decision
        row.details = {
            **row.details,
            "labels": dict(Counter(e.label for e in examples) + Counter(imported.labels)),
            "seconds": round(time.monotonic() - started, 1),
            "kind": best.kind,
            "tried": {c.kind: c.accuracy for c in tried},
            "folds": folds,
            "prior_margin": best.margin,
            "prior_weight": data.prior_weight,
            "office_credit": judge.office_credit if judge.partial else 0.0,
            **gate.details(),
            "coverage": covered.details(),
            "trained_mentions": sorted(e.mention_id for e in examples),
        }
        figures = (
            f"新模型 {accuracy:.1%},在用的{baseline} {baseline_accuracy:.1%},{gate.text()}"
            if accuracy is not None and baseline_accuracy is not None
            else gate.text()
        )
        audit.record(
            session,
            actor=actor,
            action="model_train",
            entity="model",
            entity_id=version,
            field="model_status",
            before="training",
            after=status,
            comment=f"{figures}。{decision}",
            at=now,
        )
        if status == "active":
            _switch(session, row, actor, now, f"训练后自动切换:{figures}")
        else:
            row.status = status
    if status == "active":
        from yuqing.analysis_context import set_active_model

        set_active_model(settings, f"v{version}", model)
        _seen[process_key(settings)] = (time.monotonic(), version)
    log.info("模型 v%s:%s", version, decision)
    return RetrainResult(
        version,
        status,
        accuracy,
        baseline,
        baseline_accuracy,
        len(unseen),
        len(examples),
        len(imported.texts),
        decision,
        gate.judged,
        gate.basis,
    )


def _switch(session, row: TopicModel, actor: str, now: datetime, comment: str) -> None:
    """Make this row the one active version (retiring the one before), audited."""
    previous = session.scalars(select(TopicModel).where(TopicModel.status == "active", TopicModel.id != row.id)).all()
    for old in previous:
        old.status = "retired"
    audit.record(
        session,
        actor=actor,
        action="model_activate",
        entity="model",
        entity_id=row.id,
        field="model",
        before=", ".join(f"v{old.id}" for old in previous) or None,
        after=f"v{row.id}",
        comment=comment,
        at=now,
    )
    row.status, row.activated_at = "active", now


def use_version(app: App, version: int | None, actor: str, comment: str = "", now: datetime | None = None) -> str:
    """回退/切换 (admins): put a kept version back in use, or with None the configured classifier. Audited.
    Returns a Chinese confirmation; raises LearningError."""
    from pipeline.training import ModelError
    from yuqing.analysis_context import set_active_model
    from yuqing.learning_candidates import load_version

    now = now or utcnow()
    settings = app.settings
    model = None
    with app.db.write() as session:
        if version is None:
            active = session.scalars(select(TopicModel).where(TopicModel.status == "active")).all()
            if not active:
                return f"已在使用{configured_name(settings)},无需切换"
            session.execute(update(TopicModel).where(TopicModel.status == "active").values(status="retired"))
            audit.record(
                session,
                actor=actor,
                action="model_activate",
                entity="model",
                entity_id="configured",
                field="model",
                before=", ".join(f"v{a.id}" for a in active),
                after=configured_name(settings),
                comment=comment or "管理员回退",
                at=now,
            )
            message = f"已切换回{configured_name(settings)}"
        else:
            row = session.get(TopicModel, version)
            if row is None or row.status in ("training", "failed") or not row.path:
                raise LearningError(f"模型 v{version} 不存在或未训练完成")
            if row.status == "active":
                return f"模型 v{version} 已在使用中"
            try:
                model = load_version(settings, row.path)
            except ModelError as exc:
                raise LearningError(str(exc)) from exc
            _switch(session, row, actor, now, comment or "管理员切换")
            message = f"已切换为模型 v{version}(检验得分 {row.accuracy or 0:.1%})"
    set_active_model(settings, f"v{version}" if version else None, model)
    _seen[process_key(settings)] = (time.monotonic(), version)
    return message


_seen: dict[str, tuple[float, int | None]] = {}  # per database: (when looked, active version)


def process_key(settings: Settings) -> str:
    """The key of this database in the process's model memory."""
    return f"{settings.general.data_dir}|{settings.database.url}"


def refresh_active_model(app: App, *, force: bool = False) -> None:
    """Load the version switched in (by this or another process) if it is not the one in use here; looks at the
    database at most every CHECK_SECONDS. A model that cannot be loaded leaves the classifier as it is (logged)."""
    from pipeline.training import ModelError
    from yuqing.analysis_context import set_active_model
    from yuqing.learning_candidates import load_version

    settings = app.settings
    key = process_key(settings)
    seen = _seen.get(key)
    if seen is not None and not force and time.monotonic() - seen[0] < CHECK_SECONDS:
        return
    with app.db.read() as session:
        row = session.execute(
            select(TopicModel.id, TopicModel.path).where(TopicModel.status == "active").order_by(TopicModel.id.desc())
        ).first()
    version = row[0] if row else None
    if seen is None or seen[1] != version:
        model = None
        if row is not None:
            try:
                model = load_version(settings, row[1] or "")
            except ModelError:
                log.exception("无法加载模型 v%s,继续使用当前分类器", version)
                _seen[key] = (time.monotonic(), seen[1] if seen else None)
                return
        set_active_model(settings, f"v{version}" if version else None, model)
    _seen[key] = (time.monotonic(), version)


def forget(settings: Settings) -> None:
    """Drop this process's memory of the active model (tests, a database replaced)."""
    from yuqing.analysis_context import set_active_model

    _seen.pop(process_key(settings), None)
    set_active_model(settings, None)


def is_retraining() -> bool:
    """Whether a retraining holds this process's training lock now."""
    return _training_lock.locked()
