"""`yuqing evidence MENTION_ID`: a mention's evidence snapshot, de-identified, or the raw copy (audited)."""

from __future__ import annotations

import getpass
import gzip
import sys

from sqlalchemy import select

from yuqing.commands import command_settings, open_database
from yuqing.db.models import Snapshot
from yuqing.snapshots import EvidenceError, open_raw
from yuqing.timeutil import format_local


def cmd_evidence(args) -> int:
    """The `yuqing evidence MENTION_ID [--raw --reason …] [--out FILE]` command."""
    app = open_database(command_settings(args))
    try:
        if args.raw:
            snapshot, body = open_raw(app, args.mention_id, args.actor or getpass.getuser(), args.reason or "")
            note = f"原始证据(已记入审计日志,保存至 {format_local(snapshot.raw_expires_at)})"
            url, fetched_at = snapshot.url, snapshot.fetched_at
        else:
            with app.db.read() as session:
                snapshot = session.scalars(
                    select(Snapshot)
                    .where(Snapshot.mention_id == args.mention_id)
                    .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
                    .limit(1)
                ).first()
                if snapshot is None:
                    raise EvidenceError(f"信息 {args.mention_id} 没有证据快照")
                body, url, fetched_at = gzip.decompress(snapshot.body_gz), snapshot.url, snapshot.fetched_at
            note = "已脱敏的证据"
    finally:
        app.close()
    if args.out:
        with open(args.out, "wb") as out:
            out.write(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    print(
        f"{note}:{url},采集于 {format_local(fetched_at)},{len(body)} 字节"
        + (f",已写入 {args.out}" if args.out else ""),
        file=sys.stderr,
    )
    return 0
