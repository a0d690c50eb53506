"""Retraining beside ingest: the 模型 page's button starts it in a background thread (one per process at a time,
its last outcome kept for the page), and the scheduler runs it as a job ([learning] retrain)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from yuqing.app import App
from yuqing.learning import is_retraining, process_key, retrain
from yuqing.learning_data import LearningError

log = logging.getLogger("yuqing.learning")
_background: dict[str, threading.Thread] = {}
last_outcome: dict[str, tuple[bool, str]] = {}


def start_retrain(app: App, actor: str) -> bool:
    """Start retraining in a background thread (the 模型 page's button); False when one is running already."""
    key = process_key(app.settings)
    thread = _background.get(key)
    if (thread is not None and thread.is_alive()) or is_retraining():
        return False

    def run() -> None:
        try:
            result = retrain(app, actor)
            last_outcome[key] = (True, result.text())
            rank_review_queue(app)
        except LearningError as exc:
            last_outcome[key] = (False, str(exc))
        except Exception as exc:
            log.exception("重新训练出错")
            last_outcome[key] = (False, f"训练出错:{type(exc).__name__}: {exc}")

    last_outcome.pop(key, None)
    thread = threading.Thread(target=run, name="retrain", daemon=True)
    _background[key] = thread
    thread.start()
    return True


def is_training(app: App) -> bool:
    """Whether this process is retraining now."""
    thread = _background.get(process_key(app.settings))
    return (thread is not None and thread.is_alive()) or is_retraining()


def retrain_job(app: App, now: datetime | None = None) -> None:
    """Scheduled retraining ([learning] retrain); too few labels is not an error, only logged."""
    try:
        result = retrain(app, "system", now=now)
        log.info("定时重新训练:%s", result.text())
        rank_review_queue(app)
    except LearningError as exc:
        log.info("定时重新训练未进行:%s", exc)


def rank_review_queue(app: App) -> None:
    """Rank the 分类复核 queue with the newest version now, in the retraining's thread: segmenting a month of messages
    takes seconds, which the first page load would otherwise wait."""
    from yuqing.review_queue import review_queue

    try:
        review_queue(app, limit=1)
    except Exception:  # best effort: the page ranks them itself when opened
        log.exception("分类复核排序出错(打开页面时会重新排序)")
