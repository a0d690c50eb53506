"""Benchmark: the dashboard's overview and event-list callbacks on 1,000,000 mentions and 50,000 events (median, p95).

    python bench/dashboard.py [--mentions 1000000] [--events 50000] [--runs 40] [--db sqlite|postgresql|both]
                              [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep DIR]

Data is written with executemany (SQLite) or COPY (PostgreSQL, into a fresh database created and dropped here).
Each callback is timed two ways: the callback function itself (as Dash calls it, inside a request of a logged-in
user), and the whole POST to /_dash-update-component through the Flask test client (login guard, JSON).
The data set is bench/dashboard_data.py's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dashboard_data import generate, make_settings
from yuqing.app import open_app
from yuqing.db.models import User


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_runs(function, runs: int, warmup: int = 3) -> tuple[float, float]:
    """Median and p95 of `runs` calls, in milliseconds, after a few warm-up calls."""
    for _ in range(warmup):
        function()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), percentile(spent, 0.95)


def scenarios() -> list[tuple[str, str, str, dict]]:
    """(name, user, callback output, inputs by "id.property")."""
    overview = {"tick.n_intervals": 1, "ov-levels.value": [1, 2, 3, 4], "ov-overdue.value": []}
    events = {"tick.n_intervals": 1, "ev-statuses.value": ["open"]}
    return [
        ("总览 值班员", "duty", "ov-counts.children", overview),
        ("总览 责任单位", "office", "ov-counts.children", overview),
        (
            "总览 只看超时 1-2级",
            "duty",
            "ov-counts.children",
            {**overview, "ov-levels.value": [1, 2], "ov-overdue.value": ["overdue"]},
        ),
        ("事件列表 未办结", "duty", "ev-grid.rowData", events),
        ("事件列表 全部(最新500)", "duty", "ev-grid.rowData", {"tick.n_intervals": 1}),
        ("事件列表 关键词", "duty", "ev-grid.rowData", {"tick.n_intervals": 1, "ev-text.value": "郭滩村"}),
        (
            "事件列表 来源+30天",
            "duty",
            "ev-grid.rowData",
            {"tick.n_intervals": 1, "ev-source.value": "src03", "ev-period.value": "30"},
        ),
        ("事件列表 责任单位", "office", "ev-grid.rowData", {"tick.n_intervals": 1}),
        ("待研判清单 值班员", "duty", "q-grid.rowData", {"tick.n_intervals": 1, "q-changed.data": 0}),
        ("提示(时限80%/超时) 值班员", "duty", "alert-banner.children", {"tick.n_intervals": 1}),
        ("提示(时限80%/超时) 责任单位", "office", "alert-banner.children", {"tick.n_intervals": 1}),
    ]


def callback_function(dash_app, output: str):
    """The Python function behind the callback whose output contains `output` (what Dash runs per request)."""
    for key, entry in dash_app.callback_map.items():
        if output in key:
            return entry["callback"].__wrapped__, entry
    raise KeyError(output)


def bench_backend(label: str, db_url: str, args, reuse: bool = False) -> list[tuple]:
    from flask_login import login_user

    from dashboard.app import create_app
    from dashboard.auth import SESSION_TOKEN, DashboardUser
    from yuqing.users import start_session

    folder = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
    app = open_app(make_settings(folder, db_url))
    if reuse:
        print(f"[{label}] 沿用已生成的数据 {db_url}", flush=True)
    else:
        print(f"[{label}] 生成 {args.mentions:,} 条信息、{args.events:,} 个事件 …", flush=True)
        made = generate(app, args.mentions, args.events)
        print(f"[{label}] 数据写入 {made['seconds']:.1f} 秒", flush=True)
    dash_app = create_app(app)
    server = dash_app.server
    results = []
    with app.db.write() as session:  # a live login session for each user, as /login records one
        rows = list(session.scalars(sqlalchemy.select(User)))
        users = {u.username: DashboardUser(u) for u in rows}
        tokens = {u.username: start_session(session, u, timedelta(hours=1)) for u in rows}
    clients = {}
    for name in users:
        client = server.test_client()
        with client.session_transaction() as flask_session:
            flask_session.update(
                {"_user_id": users[name].id, "_fresh": True, "login_at": time.time(), SESSION_TOKEN: tokens[name]}
            )
        clients[name] = client
    deps = clients["duty"].get("/_dash-dependencies").get_json()
    for name, user, output, values in scenarios():
        function, _ = callback_function(dash_app, output)
        dep = next(d for d in deps if output in d["output"])
        args_in = [values.get(f"{i['id']}.{i['property']}") for i in dep["inputs"] + dep["state"]]

        def direct(user=user, function=function, args_in=args_in):
            with server.test_request_context("/_dash-update-component", method="POST"):
                login_user(users[user])
                function(*args_in)

        body = {
            "output": dep["output"],
            "outputs": [],
            "changedPropIds": [f"{dep['inputs'][0]['id']}.n_intervals"],
            "inputs": [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(dep["inputs"], args_in)],
            "state": [
                {"id": i["id"], "property": i["property"], "value": v}
                for i, v in zip(dep["state"], args_in[len(dep["inputs"]) :])
            ],
        }
        spec = dep["output"]
        parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
        body["outputs"] = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
        if not spec.startswith(".."):
            body["outputs"] = body["outputs"][0]

        def over_http(user=user, body=body):
            response = clients[user].post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
            assert response.status_code == 200, response.status_code

        results.append((label, name, *time_runs(direct, args.runs), *time_runs(over_http, args.runs)))
        print(
            f"[{label}] {name}: 函数 中位 {results[-1][2]:.0f} ms / p95 {results[-1][3]:.0f} ms;"
            f" HTTP 中位 {results[-1][4]:.0f} ms / p95 {results[-1][5]:.0f} ms",
            flush=True,
        )
    app.close()
    shutil.rmtree(folder, ignore_errors=True)
    return results


def fresh_postgres(admin_url: str) -> tuple[str, callable]:
    name = f"yuqing_bench_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - used, 0)
    return space + text if right else text + space


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite data set in DIR and reuse it on later runs")
    args = parser.parse_args(argv)
    results = []
    if args.db in ("sqlite", "both"):
        folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yuqing-bench-db-"))
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / f"complete-{args.mentions}-{args.events}"
        reuse = marker.exists()
        if not reuse:
            (folder / "bench.db").unlink(missing_ok=True)
        try:
            results += bench_backend("SQLite", f"sqlite:///{folder}/bench.db", args, reuse)
            marker.touch()
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    if args.db in ("postgresql", "both"):
        url, drop = fresh_postgres(args.pg_url)
        try:
            results += bench_backend("PostgreSQL", url, args)
        finally:
            drop()
    print(f"\n{args.mentions:,} 条信息 · {args.events:,} 个事件 · 每项 {args.runs} 次(目标 p95 < 300 ms)")
    print(
        _pad("数据库", 12)
        + _pad("回调(ms)", 24)
        + "".join(_pad(h, 10, right=True) for h in ("函数中位", "函数p95", "HTTP中位", "HTTP p95"))
    )
    for label, name, *figures in results:
        flag = "" if max(figures[1], figures[3]) < 300 else "  ← 超出目标"
        print(_pad(label, 12) + _pad(name, 24) + "".join(_pad(f"{v:.0f}", 10, right=True) for v in figures) + flag)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
