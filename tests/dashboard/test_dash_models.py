"""模型 page: admins only (checked on the server); training runs in the background and reports its outcome."""

from __future__ import annotations

import time

from dash_support import viewer

from dashboard.access import DENIED
from dashboard.actions import start_model_training, use_model_version
from dashboard.queries.admin import query_models
from yuqing.learning import process_key
from yuqing.learning_jobs import is_training, last_outcome


def test_only_admins_train_or_switch_models(seeded_app):
    app, _ = seeded_app
    for name in ("duty", "leader", "msfw"):
        assert start_model_training(app, viewer(name)).message == DENIED
        assert use_model_version(app, viewer(name), "configured", "").message == DENIED


def test_admin_starts_training_in_the_background_and_sees_why_it_did_not_train(seeded_app):
    app, _ = seeded_app
    result = start_model_training(app, viewer("admin"))
    assert result.ok and "后台" in result.message
    deadline = time.monotonic() + 60
    while is_training(app) and time.monotonic() < deadline:
        time.sleep(0.1)
    ok, text = last_outcome[process_key(app.settings)]
    assert not ok and "可用于训练的标注不足" in text
    with app.db.read() as session:
        data = query_models(session, app.settings)
    assert data["in_use"] == "内置词库" and data["versions"] == []
    assert data["labels_total"] >= 3  # the seeded 研判 are labels
    assert use_model_version(app, viewer("admin"), "configured", "").message == "已在使用内置词库,无需切换"
    assert not use_model_version(app, viewer("admin"), "42", "").ok
