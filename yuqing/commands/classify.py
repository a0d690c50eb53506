"""`yuqing classify` (JSON lines in, verdicts out) and `yuqing train` (a topic model from a user's labelled history)."""

from __future__ import annotations

import io
import sys
import time

from yuqing.config import load_settings


def _settings(args):
    # classify works without a config file (the shipped defaults); an explicit --config must exist.
    import os

    from yuqing.config import ENV_CONFIG

    explicit = args.config or os.environ.get(ENV_CONFIG)
    return load_settings(args.config, must_exist=bool(explicit))


def _sqlite_missing(settings) -> str | None:
    """The path of a SQLite database that does not exist yet (None: it exists, or another database is used)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(settings.database.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return None if Path(url.database).exists() else url.database


def _in_force(settings, trained: bool):
    """The analysis context ingest uses: the monitoring schemes in force in the database (those saved on the
    监测方案 page included) and, unless --model names one, the topic model switched in from the town's corrections.
    Without a database yet (a fresh folder, no config), the configured schemes and classifier."""
    from yuqing.analysis_context import analysis_context
    from yuqing.commands import open_database

    missing = _sqlite_missing(settings)
    if missing is not None:
        print(f"提示:数据库 {missing} 尚不存在,按配置文件中的监测方案和分类器判定", file=sys.stderr)
        return analysis_context(settings)
    app = open_database(settings)  # as `yuqing run` starts: the schemes seeded from config.toml, then the stored
    try:
        if trained:
            from yuqing.learning import refresh_active_model

            refresh_active_model(app, force=True)
        return analysis_context(app.settings)
    finally:
        app.close()


def cmd_classify(args) -> int:
    """Read JSON lines on stdin, write one verdict line per input on stdout, per-line errors on stderr."""
    from pipeline.classify_io import classify_lines
    from pipeline.training import ModelError
    from yuqing.commands import CommandError

    settings = _settings(args)
    if args.model:
        settings.classifier.model_dir = args.model
    try:
        context = _in_force(settings, trained=not args.model)
    except ModelError as exc:
        raise CommandError(str(exc), 2) from exc
    source = (
        io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        if hasattr(sys.stdin, "buffer")
        else sys.stdin
    )
    report = classify_lines(source, sys.stdout, sys.stderr, context)
    if report.errors:
        print(f"完成:{report.written} 行已判定,{report.errors} 行有错误(见上)", file=sys.stderr)
        return 1
    return 0


def cmd_train(args) -> int:
    """Train a topic model on a CSV/XLSX file and write it to --out; prints the hold-out figures."""
    from pipeline.datasets import DatasetError, read_labelled
    from pipeline.training import train
    from yuqing.commands import CommandError

    if args.from_corrections:
        from yuqing.commands.model import train_from_corrections

        return train_from_corrections(args)
    missing = [
        name
        for name, value in (
            ("--data", args.data),
            ("--text-column", args.text_column),
            ("--label-column", args.label_column),
            ("--out", args.out),
        )
        if not value
    ]
    if missing:
        raise CommandError(f"缺少参数:{'、'.join(missing)}(或用 --from-corrections 以研判和纠正训练)", 2)
    if len(args.data) > 1:
        raise CommandError("不用 --from-corrections 时只能指定一个 --data 文件", 2)
    args.data = args.data[0]
    try:
        data = read_labelled(args.data, args.text_column, args.label_column)
    except DatasetError as exc:
        raise CommandError(str(exc), 2) from exc
    labels = sorted(set(data.labels))
    print(
        f"读取 {len(data.texts)} 行({len(labels)} 类:{'、'.join(labels)}),"
        f"{data.dropped} 行缺少文本或标签已跳过。正在训练……",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    try:
        metrics = train(data.texts, data.labels, args.out)
    except ValueError as exc:
        raise CommandError(str(exc), 2) from exc
    holdout = metrics.get("holdout") or {}
    print(f"训练完成,用时 {time.monotonic() - started:.0f} 秒,模型已写入 {args.out}")
    if holdout:
        print(f"留出集(20%)准确率 {holdout.get('accuracy', 0):.3f},宏平均 F1 {holdout.get('macro_f1', 0):.3f}")
    print(f"使用方法:yuqing classify --model {args.out} < 输入.jsonl,或在 config.toml 的 [classifier] 中设置 model_dir")
    return 0
