"""`yuqing status`: the cluster as the database and the broker see it: nodes, leader, load, queue depth."""

from __future__ import annotations

import json

from yuqing.cluster import ROLES
from yuqing.commands import open_for
from yuqing.timeutil import format_local, utcnow


def cmd_status(args) -> int:
    """The `yuqing status` command (also on SQLite: then only the single process is there to report)."""
    from yuqing.cluster.nodes import cluster_view

    app = open_for(args)
    try:
        if app.db.is_sqlite:
            print("单机模式(SQLite):所有角色在 yuqing run 一个进程内运行,无分布式节点。")
            return 0
        view = cluster_view(app)
    finally:
        app.close()
    now = utcnow()
    if args.json:
        print(
            json.dumps(
                {
                    "leader": view.leader.node if view.leader else None,
                    "queue_depth": view.queue_depth,
                    "queue_error": view.queue_error or None,
                    "due": view.due,
                    "leased": view.leased,
                    "overdue": view.overdue,
                    "nodes": [
                        {
                            "node": n.node,
                            "role": n.role,
                            "alive": n.alive,
                            "leader": n.leader,
                            "running": n.running,
                            "done": n.done,
                            "cpu_seconds": round(n.cpu_seconds, 1),
                            "last_seen_at": n.last_seen_at.isoformat(),
                        }
                        for n in view.nodes
                    ],
                },
                ensure_ascii=False,
            )
        )
        return 0
    leader = view.leader
    print(f"调度主节点:{leader.node if leader else '无(没有运行中的 yuqing scheduler)'}")
    if view.queue_depth is None:
        print(f"采集队列:无法查询({view.queue_error})")
    else:
        print(f"采集队列:{view.queue_depth} 个批次待处理")
    print(f"来源:到期待排队 {view.due} 个,已排队或采集中 {view.leased} 个,超期 {view.overdue} 个")
    print(f"{'节点':<40} {'角色':<6} {'状态':<6} {'进行中':>6} {'已完成':>8} {'CPU秒':>8}  最后心跳")
    for n in view.nodes:
        state = "主" if n.leader else "运行" if n.alive else "已停止" if n.stopped else "失联"
        age = int((now - n.last_seen_at).total_seconds())
        print(
            f"{n.node:<40} {ROLES.get(n.role, n.role):<6} {state:<6} {n.running:>6} {n.done:>8} "
            f"{n.cpu_seconds:>8.1f}  {format_local(n.last_seen_at, '%m-%d %H:%M:%S')}({age} 秒前)"
        )
    return 0
