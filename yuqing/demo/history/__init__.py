"""The demo's history: months of posts by the simulated sources, put through the real ingest, clustering,
routing and deadline code at their own times, with simulated officers acting through the real workflow functions,
the periodic jobs (deadline check, digests, bursts, effects, mail delivery, reports) run at historical times.

Nothing is written into the tables directly: every row comes from `ingest_item`, `yuqing.workflow.*`,
`yuqing.reports.jobs` and the other job functions, each given the simulated `now`.

The parts: `plan` (the posts and when), `officers` (the duty desk and the offices), `simulation` (the clock and
the periodic jobs), `cache` (a day's history kept between demos). This package is their one import point.
"""

from yuqing.demo.history.cache import cache_key, code_version, restore, settings_digest, store
from yuqing.demo.history.officers import HISTORY_USERS
from yuqing.demo.history.plan import CST, HistPost, history_end, issue, plan_posts
from yuqing.demo.history.simulation import BASE_URL, HistoryStats, count_history, deliver_all, pending_mail, simulate

__all__ = [
    "BASE_URL",
    "CST",
    "HISTORY_USERS",
    "HistPost",
    "HistoryStats",
    "cache_key",
    "code_version",
    "count_history",
    "deliver_all",
    "history_end",
    "issue",
    "pending_mail",
    "plan_posts",
    "restore",
    "settings_digest",
    "simulate",
    "store",
]
