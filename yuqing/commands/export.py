"""`yuqing export mentions|events`: JSON lines, CSV or XLSX, personal data masked, formulas neutralised."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime

from sqlalchemy import func, select

from yuqing.commands import CommandError, open_for
from yuqing.db.models import Event, Mention
from yuqing.export import EVENT_FIELDS, MENTION_FIELDS, iter_events, iter_mentions, write_csv, write_jsonl, write_xlsx
from yuqing.timeutil import LOCAL


def cmd_export(args) -> int:
    """The `yuqing export` command."""
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=LOCAL)
        except ValueError as exc:
            raise CommandError(f"--since 应为 YYYY-MM-DD 形式的日期,收到 “{args.since}”", 2) from exc
    if args.format == "xlsx" and not args.out:
        raise CommandError("导出 xlsx 需要用 --out 指定文件名", 2)
    app = open_for(args)
    fields = MENTION_FIELDS if args.what == "mentions" else EVENT_FIELDS
    with app.db.read() as session:
        model = Mention if args.what == "mentions" else Event
        total = session.scalar(select(func.count()).select_from(model))
        rows = (
            iter_mentions(session, since)
            if args.what == "mentions"
            else iter_events(session, app.settings.topic_names(), since)
        )
        if args.out:
            from tqdm import tqdm

            rows = tqdm(rows, total=total, desc="导出", unit="条", file=sys.stderr, disable=not sys.stderr.isatty())
        if args.format == "xlsx":
            count = write_xlsx(rows, args.out, fields, "信息" if args.what == "mentions" else "事件")
        else:
            with contextlib.ExitStack() as stack:
                out = stack.enter_context(open(args.out, "w", encoding="utf-8", newline="")) if args.out else sys.stdout
                count = write_jsonl(rows, out) if args.format == "jsonl" else write_csv(rows, out, fields)
    if args.out:
        print(f"已导出 {count} 条到 {args.out}", file=sys.stderr)
    app.close()
    return 0
