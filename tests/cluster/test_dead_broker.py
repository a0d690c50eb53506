"""A broker that cannot be reached: the worker refuses to start with a Chinese message naming it; the leader keeps
the due sources due (nothing queued is lost) and says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yuqing.app import open_app
from yuqing.cli import main
from yuqing.cluster import schedule
from yuqing.cluster.leader import SchedulerRole
from yuqing.db.models import SourceSchedule

pytestmark = pytest.mark.postgres
DEAD = "amqp://guest:secret@127.0.0.1:1//"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_worker_refuses_a_dead_broker(tmp_path, pg_url, capsys):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{pg_url}"\n[logging]\nfile = ""\n[cluster]\nbroker_url = "{DEAD}"\n', encoding="utf-8"
    )
    assert main(["--config", str(config), "worker"]) == 1
    err = capsys.readouterr().err
    assert "无法连接消息队列 amqp://guest:***@127.0.0.1:1//" in err and "secret" not in err


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_leader_keeps_sources_due_while_the_broker_is_down(settings_factory, pg_url, caplog):
    settings = settings_factory(
        {
            "cluster": {"broker_url": DEAD},
            "sources": [{"name": "a", "kind": "rss", "url": "http://127.0.0.1:9/a.xml", "interval": 60}],
        },
        db_url=pg_url,
    )
    app = open_app(settings)
    try:
        schedule.sync_sources(app)
        with app.db.write() as session:
            session.get(SourceSchedule, "a").next_due_at = session.get(SourceSchedule, "a").next_due_at.replace(
                year=2020
            )
        role = SchedulerRole(app)
        role.celery.conf.broker_connection_timeout = 1
        assert role.enqueue_due() == 0
        assert "无法把采集批次送入消息队列 amqp://guest:***@127.0.0.1:1//" in caplog.text
        with app.db.read() as session:
            row = session.scalars(select(SourceSchedule)).one()
            assert row.lease_token is None and row.leased_until is None  # due again at the next tick
    finally:
        app.close()
