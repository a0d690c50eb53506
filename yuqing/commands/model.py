"""`yuqing train --from-corrections` (a new topic model version from the town's corrections, switched in only when
it does better) and `yuqing model list|use` (versions, rollback)."""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from yuqing.commands import EXIT_OK, EXIT_USAGE, CommandError, open_for


def _actor(args: argparse.Namespace) -> str:
    return (getattr(args, "actor", None) or "").strip() or f"cli:{getpass.getuser()}"


def train_from_corrections(args: argparse.Namespace) -> int:
    """Train on the corrections (plus --data files), print both figures and the decision."""
    from yuqing.learning import retrain
    from yuqing.learning_data import Imported, LearningError, read_imported

    if args.out:
        raise CommandError("--from-corrections 的模型保存在数据目录的 models 下,不用 --out", EXIT_USAGE)
    if args.data and not (args.text_column and args.label_column):
        raise CommandError("导入标注文件时请同时指定 --text-column 和 --label-column", EXIT_USAGE)
    app = open_for(args)
    try:
        imported = (
            read_imported(app.settings, args.data, args.text_column, args.label_column) if args.data else Imported()
        )
        if imported.skipped:
            skipped = "、".join(f"{label} {count} 行" for label, count in imported.skipped.most_common(10))
            print(f"导入文件中标签不是已配置领域的行已跳过:{skipped}", file=sys.stderr)
        print("正在训练……", file=sys.stderr, flush=True)
        result = retrain(app, _actor(args), imported)
    except LearningError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    finally:
        app.close()
    print(result.text())
    return EXIT_OK


def cmd_model(args: argparse.Namespace) -> int:
    """List versions or switch to one (rollback)."""
    from sqlalchemy import select

    from yuqing.db.models import TopicModel
    from yuqing.learning import STATUS_NAMES, configured_name, use_version
    from yuqing.learning_data import LearningError
    from yuqing.timeutil import format_local

    app = open_for(args)
    try:
        if args.model_command == "list":
            with app.db.read() as session:
                rows = session.scalars(select(TopicModel).order_by(TopicModel.id.desc())).all()
                in_use = next((f"v{row.id}" for row in rows if row.status == "active"), configured_name(app.settings))
                print(f"在用:{in_use}")
                for row in rows:
                    figures = (
                        f"新 {row.accuracy:.1%} / 在用的{row.baseline} {row.baseline_accuracy:.1%}"
                        if row.accuracy is not None and row.baseline_accuracy is not None
                        else "—"
                    )
                    print(
                        f"v{row.id}\t{STATUS_NAMES.get(row.status, row.status)}\t{format_local(row.created_at)}\t"
                        f"{row.created_by}\t纠正 {row.correction_rows} 条 导入 {row.imported_rows} 条 "
                        f"检验 {row.held_back_rows} 条\t{figures}\t{row.decision or ''}"
                    )
            return EXIT_OK
        if args.model_command != "use":
            raise CommandError("请指定操作:yuqing model list 或 yuqing model use 版本", EXIT_USAGE)
        text = args.version.strip().lower()
        if text in ("configured", "lexicon", "0"):
            version = None
        elif re.fullmatch(r"v?\d{1,9}", text):
            version = int(text.lstrip("v"))
        else:
            raise CommandError(f"版本应为数字(如 3 或 v3)或 configured,收到 {args.version}", EXIT_USAGE)
        try:
            print(use_version(app, version, _actor(args)))
        except LearningError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from exc
        return EXIT_OK
    finally:
        app.close()
