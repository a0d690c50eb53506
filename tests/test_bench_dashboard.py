"""The dashboard benchmark keeps running as the dashboard changes: it logs its users in as /login does (a live
server-side session) and times every callback it names. A tiny data set: this checks it runs, not how fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_dashboard_benchmark_runs_end_to_end_on_a_tiny_data_set():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dashboard.py"), "--mentions", "600", "--events", "60", "--runs", "1"]
        + ["--db", "sqlite"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("SQLite ")]
    assert any("总览" in line for line in rows) and any("事件列表" in line for line in rows), done.stdout[-2000:]
    # Every timed callback answered through HTTP: a refused login would print no figures.
    assert all(len(line.split()) >= 6 for line in rows), rows
