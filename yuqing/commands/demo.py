"""`yuqing demo`: the simulated public sources on 127.0.0.1, three months of history, then the whole loop live."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from yuqing.db.models import User


def cmd_demo(args) -> int:
    """The `yuqing demo` command."""
    from yuqing.app import open_app
    from yuqing.demo.runner import DEMO_USERS, demo_settings, free_port, fresh_demo_dir, prepare_history, print_banner
    from yuqing.demo.sites import demo_sources, reach_sources, start_sites
    from yuqing.logging_setup import setup_logging
    from yuqing.service import Service
    from yuqing.users import add_user

    data_dir = fresh_demo_dir(Path(args.dir).resolve())
    early = demo_settings(args.config, data_dir, [], 8050)
    setup_logging(early.logging, timezone=early.general.timezone, console_level="DEBUG" if args.verbose else "WARNING")
    history = None
    seed = getattr(args, "seed", 2026)
    sites_port = free_port(args.sites_port)
    archive = None
    if getattr(args, "history_days", 0) > 0:
        history, archive = prepare_history(
            args.config, data_dir, args.history_days, seed, sites_url=f"http://127.0.0.1:{sites_port}"
        )
    sites = start_sites(host="127.0.0.1", port=sites_port, speed=args.speed, seed=seed, archive=archive)
    try:
        probe = demo_settings(args.config, data_dir, [], 8050)
        port = free_port(args.port or probe.dashboard.port)
        settings = demo_settings(
            args.config, data_dir, demo_sources(sites.base_url) + reach_sources(sites.base_url), port
        )
        setup_logging(
            settings.logging, timezone=settings.general.timezone, console_level="DEBUG" if args.verbose else "WARNING"
        )
        app = open_app(settings)
        with app.db.write() as session:
            existing = set(session.scalars(select(User.username)))  # a history made them already
            for username, password, role, office, name in DEMO_USERS:
                if username not in existing:
                    add_user(session, username, password, role, office, name, actor="demo")
        service = Service(app)
        print_banner(service.dashboard.url, sites.base_url, settings, history)
        service.run(duration=args.duration)
        app.close()
    finally:
        sites.stop()
    print("演示已结束。数据保存在", data_dir)
    return 0
