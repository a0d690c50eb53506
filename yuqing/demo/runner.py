"""`yuqing demo`: the whole loop offline — simulated public sources on 127.0.0.1, crawling, pipeline, alerts, dashboard."""

from __future__ import annotations

import logging
import shutil
import socket
import tomllib
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


def _free_port(preferred: int, host: str = "127.0.0.1") -> int:
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


def _fresh_demo_dir(data_dir: Path) -> Path:
    """Every demo starts from an empty database and outbox; only a folder an earlier demo made is ever removed."""
    from yuqing.commands import CommandError

    if data_dir.exists():
        if not (data_dir / MARKER).exists() and any(data_dir.iterdir()):
            raise CommandError(f"{data_dir} 已存在且不是演示数据目录,请用 --dir 指定其他目录", 2)
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("yuqing demo data; removed by the next `yuqing demo`\n", encoding="utf-8")
    return data_dir


def demo_settings(config: str | None, data_dir: Path, sources: list[dict], dashboard_port: int) -> Settings:
    """The configuration with demo overrides: its own data folder, local outbox, simulated sources."""
    data, path = _base_config(config)
    data.setdefault("general", {})["data_dir"] = str(data_dir)
    data["database"] = {"url": f"sqlite:///{data_dir / 'yuqing.db'}"}
    mail = data.setdefault("mail", {})
    mail.update({"outbox_dir": str(data_dir / "outbox"), "smtp_host": ""})
    data.setdefault("dashboard", {}).update({"host": "127.0.0.1", "port": dashboard_port})
    data["sources"] = sources
    data.setdefault("logging", {})["file"] = str(data_dir / "logs" / "yuqing.log")
    data.setdefault("alerts", {})["quiet_hours"] = ""
    data.setdefault("scheduler", {}).update(
        {"deadline_check_seconds": 10, "outbox_seconds": 5, "health_check_seconds": 30}
    )
    return settings_from_dict(data, path)


def cmd_demo(args) -> int:
    """The `yuqing demo` command."""
    from yuqing.app import open_app
    from yuqing.demo.sites import demo_sources, reach_sources, start_sites
    from yuqing.logging_setup import setup_logging
    from yuqing.service import Service
    from yuqing.users import add_user

    data_dir = _fresh_demo_dir(Path(args.dir).resolve())
    sites = start_sites(host="127.0.0.1", port=_free_port(args.sites_port), speed=args.speed)
    try:
        probe = demo_settings(args.config, data_dir, [], 8050)
        port = _free_port(args.port or probe.dashboard.port)
        settings = demo_settings(
            args.config, data_dir, demo_sources(sites.base_url) + reach_sources(sites.base_url), port
        )
        setup_logging(
            settings.logging, timezone=settings.general.timezone, console_level="DEBUG" if args.verbose else "WARNING"
        )
        app = open_app(settings)
        with app.db.write() as session:
            for username, password, role, office, name in DEMO_USERS:
                add_user(session, username, password, role, office, name, actor="demo")
        service = Service(app)
        _print_banner(service.dashboard.url, sites.base_url, settings)
        service.run(duration=args.duration)
        app.close()
    finally:
        sites.stop()
    print("演示已结束。数据保存在", data_dir)
    return 0


def _print_banner(dashboard_url: str, sites_url: str, settings: Settings) -> None:
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
    print(" 模拟信息每隔几秒发布一条;约一分钟内看板出现按事件归并的信息,发件箱出现提醒邮件。")
    print(" 按 Ctrl-C 停止。")
    print("=" * 64, flush=True)
