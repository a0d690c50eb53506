"""`yuqing demo`: the whole loop offline — simulated public sources on 127.0.0.1, crawling, pipeline, alerts, dashboard."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing.config import ConfigError, default_config_path, settings_from_dict
from yuqing.db.models import ROLES
from yuqing.settings_model import Settings

log = logging.getLogger("yuqing.demo")

DEMO_USERS = [
    # (username, password, role, office, display name)
    ("zhiban", "zhiban2026", "duty", None, "值班员 张敏"),
    ("zhiban2", "zhiban2026", "duty", None, "值班员 赵磊"),  # the next shift: acknowledges 张敏's handover
    ("minsheng", "minsheng2026", "office", "msfw", "民生服务中心 李强"),
    ("anquan", "anquan2026", "office", "zzwb", "综治维稳办公室 王芳"),
    ("lingdao", "lingdao2026", "leader", None, "镇领导 马建国"),
    ("admin", "admin2026", "admin", None, "系统管理员"),
]


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """The preferred port if it is free, else one the system picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError("没有可用端口")


def _base_config(explicit: str | None) -> tuple[dict, Path]:
    """The administrator's config (offices, schemes, deadlines...) or the project's default one."""
    candidates = [default_config_path(explicit)] if explicit else [default_config_path(None)]
    candidates.append(Path(__file__).resolve().parents[2] / "config.toml")
    for path in candidates:
        if path.exists():
            try:
                return tomllib.loads(path.read_text(encoding="utf-8")), path
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: TOML 语法错误:{exc}") from exc
    return {}, Path("config.toml")


MARKER = ".yuqing-demo"


def fresh_demo_dir(data_dir: Path) -> Path:
    """Every demo starts from an empty database and outbox; only a folder an earlier demo made is ever removed."""
    from yuqing.commands import CommandError

    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            raise CommandError(f"{data_dir} 已存在且不是演示数据目录,请用 --dir 指定其他目录", 2)
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("yuqing demo data; removed by the next `yuqing demo`\n", encoding="utf-8")
    return data_dir


def demo_settings(
    config: str | None, data_dir: Path, sources: list[dict], dashboard_port: int, outbox: str = "outbox"
) -> Settings:
    """The configuration with demo overrides: its own data folder, local outbox, simulated sources."""
    data, path = _base_config(config)
    data.setdefault("general", {})["data_dir"] = str(data_dir)
    data["database"] = {"url": f"sqlite:///{data_dir / 'yuqing.db'}"}
    data.setdefault("reports", {})["out_dir"] = str(data_dir / "reports")
    mail = data.setdefault("mail", {})
    mail.update({"outbox_dir": str(data_dir / outbox), "smtp_host": ""})
    data.setdefault("dashboard", {}).update({"host": "127.0.0.1", "port": dashboard_port})
    data["sources"] = sources
    data.setdefault("logging", {})["file"] = str(data_dir / "logs" / "yuqing.log")
    data.setdefault("alerts", {})["quiet_hours"] = ""
    data.setdefault("scheduler", {}).update(
        {"deadline_check_seconds": 10, "outbox_seconds": 5, "health_check_seconds": 30}
    )
    return settings_from_dict(data, path)


def cache_root() -> Path:
    """Where generated histories are kept between demos ($YUQING_DEMO_CACHE, else ~/.cache/yuqing/demo-history)."""
    explicit = os.environ.get("YUQING_DEMO_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "yuqing" / "demo-history"


def prepare_history(
    config: str | None,
    data_dir: Path,
    days: int,
    seed: int,
    now: datetime | None = None,
    use_cache: bool = True,
    sites_url: str | None = None,
):
    """Put `days` of simulated history into the fresh demo folder: from the cache when this seed, span, day,
    folder, sites address and code version were made before, else by playing it through the real code (and
    caching it). The reports due by now (the monthly report of last month, the briefings of the last days) are
    made too. Returns the figures and the history's posts (for the sites to serve their pages)."""
    from yuqing.app import open_app
    from yuqing.demo import history
    from yuqing.demo.sites import demo_sources
    from yuqing.reports.jobs import daily_job, monthly_job, weekly_job
    from yuqing.users import add_user

    started = time.monotonic()
    now = now or datetime.now(UTC)
    end = history.history_end(now)
    sites_url = sites_url or history.BASE_URL
    settings = demo_settings(config, data_dir, demo_sources(sites_url), 8050, outbox="outbox-history")
    key = history.cache_key(history.settings_digest(settings), data_dir, days, seed, end)
    posts = history.plan_posts(seed, days, end)
    cache_dir = cache_root() / key
    cached = use_cache and history.restore(cache_dir, data_dir)
    if cached:
        print(f"正在载入 {days} 天历史数据(缓存)……", flush=True)
    else:
        print(f"正在生成 {days} 天历史数据(首次需一至三分钟,当天再次启动时使用缓存)……", flush=True)
    app = open_app(settings, now=end - timedelta(days=days + 1))  # the sources were watched before the history
    bursts = logging.getLogger("yuqing.bursts")
    level = bursts.level
    bursts.setLevel(logging.ERROR)  # the bursts of the history are in its events, not news on the console
    made = None
    try:
        if not cached:
            with app.db.write() as session:
                for username, password, role, office, name in DEMO_USERS:
                    add_user(session, username, password, role, office, name, actor="demo")
                for username, role, office, name in history.HISTORY_USERS:
                    add_user(session, username, f"{username}2026", role, office, name, actor="demo")
            made = history.simulate(app, posts, seed, end, sites_url)
            if use_cache:
                app.close()  # the whole database in one file (the WAL checkpointed) before it is copied
                try:
                    history.store(cache_dir, data_dir)
                except OSError as exc:
                    log.warning("历史数据缓存未保存:%s", exc)
                app = open_app(settings)
        for job in (monthly_job, weekly_job, daily_job):
            job(app, now)
        history.deliver_all(app, now)
        stats = history.count_history(app, None if cached else made)
    finally:
        bursts.setLevel(level)
        app.close()
    stats.cached = cached
    stats.seconds = time.monotonic() - started
    print(stats.line(), flush=True)
    return stats, [post.entry() for post in posts]


def print_banner(dashboard_url: str, sites_url: str, settings: Settings, history=None) -> None:
    print("=" * 64)
    print(" 东园镇政务舆情监测与回应系统 · 演示模式(全部在本机运行,无需联网)")
    print("=" * 64)
    print(f" 看板地址:  {dashboard_url}")
    print(
        f" 模拟信息源:{sites_url}  (新闻网 RSS、政务微博、论坛(GBK)、镇长信箱、同城 APP 接口、塞上搜索、RSSHub 微博/公众号)"
    )
    print(f" 提醒邮件:  {settings.mail.outbox_dir}  (每封一个 .eml 文件)")
    print(f" 运行日志:  {settings.logging.file}")
    print(" 演示账号(用户名 / 密码 / 角色):")
    for username, password, role, office, name in DEMO_USERS:
        print(f"   {username:<10} {password:<14} {ROLES[role]}{'(' + office + ')' if office else ''}  {name}")
    if history is not None:
        print(f" {history.line()}")
        print(" 历史事件的处理记录、超时与问责建议见“责任单位”页,月报、日报、周报见“报告”页。")
    print(" 模拟信息每隔几秒发布一条;约一分钟内看板出现按事件归并的信息,发件箱出现提醒邮件。")
    print(" 按 Ctrl-C 停止。")
    print("=" * 64, flush=True)
