"""The `yuqing` command line: parses arguments, loads config once, dispatches to the command modules."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable

from yuqing.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError
from yuqing.config import ConfigError

log = logging.getLogger("yuqing.cli")


# argparse's own messages (it has no Chinese catalogue), as they read in Chinese.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", "缺少必需的参数:{0}"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", "参数 {0} 的值 {1} 无效,可选:{2}"),
    (r"argument (\S+): invalid int value: (.*)", "参数 {0} 应为整数,收到 {1}"),
    (r"argument (\S+): invalid float value: (.*)", "参数 {0} 应为数字,收到 {1}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
    (r"argument (\S+): ignored explicit argument (.*)", "参数 {0} 不接受值 {1}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数:{0}"),
]


def chinese_argparse_message(message: str) -> str:
    """An argparse error message in Chinese (unknown ones are left as they are)."""
    for pattern, text in _ARGPARSE_MESSAGES:
        found = re.fullmatch(pattern, message)
        if found:
            return text.format(*found.groups())
    return message


class _Formatter(argparse.HelpFormatter):
    """Help laid out as argparse does, with the usage line in Chinese."""

    def add_usage(self, usage, actions, groups, prefix=None):
        # prefix "" is argparse working out a subcommand's name, not a usage line to print
        super().add_usage(usage, actions, groups, prefix="用法:" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with everything it prints in Chinese: headings, the -h option, error messages; our exit status."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 参数错误:{chinese_argparse_message(message)}\n")


def _command(sub, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line help is also the description atop its own --help."""
    return sub.add_parser(name, help=text, description=text)


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = _Parser(prog="yuqing", description="东园镇政务舆情监测与回应系统。各命令的用法见 yuqing 命令 -h。")
    parser.add_argument("--config", metavar="路径", help="配置文件(默认 $YUQING_CONFIG,否则 ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志(出错时显示详细信息)")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser, title="命令")

    demo = _command(sub, "demo", "启动演示:模拟信息源 + 采集 + 研判 + 看板,全部在本机运行")
    demo.add_argument("--port", type=int, default=None, metavar="端口", help="看板端口(默认取配置)")
    demo.add_argument(
        "--sites-port", type=int, default=8901, metavar="端口", help="模拟信息源端口(默认 8901,被占用时自动换)"
    )
    demo.add_argument("--speed", type=float, default=1.0, metavar="倍数", help="模拟信息发布速度倍数(默认 1)")
    demo.add_argument("--dir", default="demo-data", metavar="目录", help="演示数据目录(默认 ./demo-data,每次重新开始)")
    demo.add_argument("--duration", type=float, default=0, metavar="秒", help="运行多少秒后自动退出(默认一直运行)")
    demo.add_argument(
        "--history-days", type=int, default=90, metavar="天数", help="启动前生成多少天的历史数据(默认 90,0 表示不生成)"
    )
    demo.add_argument(
        "--seed", type=int, default=2026, metavar="种子", help="随机种子(默认 2026;相同种子生成相同的模拟数据)"
    )

    _command(sub, "run", "正式运行:定时采集、研判、时限检查、发送提醒、看板(Ctrl-C 停止)")
    scheduler = _command(sub, "scheduler", "多机部署:调度节点(同一时刻只有一个主节点工作,其余待命接替;需 PostgreSQL)")
    scheduler.add_argument("--duration", type=float, default=0, metavar="秒", help="运行多少秒后退出(默认一直运行)")
    worker = _command(sub, "worker", "多机部署:采集节点(从消息队列领取采集批次,采集并入库;需 PostgreSQL)")
    worker.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="数量",
        help="同时采集的批次数(默认配置 [cluster] worker_batches)",
    )
    mailer = _command(sub, "mailer", "多机部署:发信节点(发送提醒邮件,可运行多个,每封只发一次;需 PostgreSQL)")
    mailer.add_argument("--duration", type=float, default=0, metavar="秒", help="运行多少秒后退出(默认一直运行)")
    web = _command(sub, "web", "多机部署:看板节点(只提供看板网页;需 PostgreSQL)")
    web.add_argument("--port", type=int, default=None, metavar="端口", help="看板端口(默认取配置)")
    status = _command(sub, "status", "显示多机部署的状态:各节点、负载、调度主节点、采集队列长度")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    _command(sub, "check", "检查配置文件并显示摘要(有误时指出文件、行号和期望的写法)")

    crawl = _command(sub, "crawl", "立即采集并显示各来源的采集结果")
    crawl.add_argument("--source", action="append", metavar="名称", help="只采集该来源(可重复)")
    crawl.add_argument("--once", action="store_true", help="每个来源采集一轮后退出(默认按间隔持续采集,Ctrl-C 停止)")

    classify = _command(sub, "classify", "对 JSON Lines 输入逐行判定领域、预警等级和相关性(标准输入 → 标准输出)")
    classify.add_argument(
        "--model", metavar="目录", help="使用 yuqing train 训练出的模型目录(默认:系统在用的模型,否则内置词库)"
    )

    train = _command(
        sub, "train", "训练领域分类模型:用本单位已标注的历史数据,或用值班员的研判和纠正(--from-corrections)"
    )
    train.add_argument(
        "--from-corrections",
        action="store_true",
        help="用数据库中的研判和纠正训练新版本,以交叉检验与在用模型比较,更好才切换(可加 --data 导入标注文件)",
    )
    train.add_argument("--data", action="append", metavar="文件", help="CSV 或 XLSX 文件(--from-corrections 时可重复)")
    train.add_argument("--text-column", metavar="列名", help="文本所在的列")
    train.add_argument("--label-column", metavar="列名", help="领域标签所在的列(--from-corrections 时为领域代码或名称)")
    train.add_argument("--out", metavar="目录", help="模型输出目录(不用 --from-corrections 时必填)")
    train.add_argument("--actor", metavar="操作人", help="记入审计日志的操作人(默认当前系统用户)")

    model = _command(sub, "model", "领域模型版本:列出、切换或回退(--from-corrections 训练出的版本)")
    model_sub = model.add_subparsers(dest="model_command", metavar="操作", parser_class=_Parser, title="操作")
    _command(model_sub, "list", "列出模型版本及其检验结果")
    use = _command(model_sub, "use", "切换到某一版本,或用 configured 回到配置的分类器(内置词库)")
    use.add_argument("version", metavar="版本", help="版本号(如 3 或 v3),或 configured")
    use.add_argument("--actor", metavar="操作人", help="记入审计日志的操作人(默认当前系统用户)")

    scheme = _command(sub, "scheme", "监测方案:列出数据库中的方案(含来源),或按当前方案重新判断最近 N 天的信息")
    scheme_sub = scheme.add_subparsers(dest="scheme_command", metavar="操作", parser_class=_Parser, title="操作")
    _command(scheme_sub, "list", "列出监测方案:版本、来自 config.toml 还是页面、以哪边为准、维护单位、各组关键词")
    reapply = _command(scheme_sub, "reapply", "按当前启用的方案重新判断最近 N 天的信息,新命中的按正常流程归入事件")
    reapply.add_argument("--days", type=int, default=7, metavar="天数", help="最近多少天首次发现的信息(默认 7,最多 90)")
    reapply.add_argument("--actor", metavar="操作人", help="记入审计日志的操作人(默认当前系统用户)")

    export = _command(sub, "export", "导出信息或事件(个人信息已脱敏)")
    export.add_argument(
        "what", choices=["mentions", "events"], metavar="mentions|events", help="mentions 导出信息;events 导出事件"
    )
    export.add_argument(
        "--format",
        choices=["jsonl", "csv", "xlsx"],
        default="jsonl",
        help="jsonl 每行一个 JSON(默认);csv 表格文本(UTF-8,Excel 可直接打开);xlsx Excel 工作簿",
    )
    export.add_argument("--out", metavar="文件", help="输出文件(默认标准输出;xlsx 必须指定)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="只导出该日期(北京时间)之后首次采集的")

    report = _command(sub, "report", "生成报告(.docx + .xlsx),登记到看板“报告”页;或某一事件的专题报告")
    report.add_argument(
        "kind",
        choices=["monthly", "daily", "weekly", "topic"],
        metavar="monthly|daily|weekly|topic",
        help="monthly 月度问责报告;daily 舆情日报;weekly 舆情周报;topic 事件专题报告(.docx + 打印版 .html)",
    )
    report.add_argument("--event", metavar="编号", type=int, help="事件编号(topic 必填)")
    report.add_argument(
        "--until", metavar="'YYYY-MM-DD HH:MM'", help="专题报告的统计截止时间(北京时间,默认现在;同一时间结果相同)"
    )
    report.add_argument("--user", metavar="用户名", help="按该看板用户的权限生成专题报告(责任单位只能生成本单位事件的)")
    report.add_argument("--month", metavar="YYYY-MM", help="月份(monthly 必填)")
    report.add_argument("--date", metavar="YYYY-MM-DD", help="日期(daily/weekly,默认昨天/上周)")
    report.add_argument("--out", metavar="目录", help="输出目录(默认配置中的 reports.out_dir)")
    report.add_argument("--mail", action="store_true", help="生成后发给镇领导邮件列表(mail.leader_emails)")

    evidence = _command(sub, "evidence", "输出一条信息的证据快照(默认脱敏版本)")
    evidence.add_argument("mention_id", type=int, metavar="信息编号", help="信息编号(看板事件页或导出中的 id)")
    evidence.add_argument("--raw", action="store_true", help="输出加密保存的原始版本(需配置 [evidence],记入审计日志)")
    evidence.add_argument("--reason", metavar="理由", help="查看原始版本的理由(--raw 时必填)")
    evidence.add_argument("--actor", metavar="查看人", help="记入审计日志的查看人(默认当前系统用户)")
    evidence.add_argument("--out", metavar="文件", help="写入文件(默认标准输出)")

    user = _command(sub, "user", "看板用户管理")
    user_sub = user.add_subparsers(dest="user_command", metavar="操作", parser_class=_Parser, title="操作")
    add = _command(user_sub, "add", "新增用户(已存在则重设密码、角色)")
    add.add_argument("name", metavar="用户名", help="登录用的用户名(字母、数字、点、下划线、连字符)")
    add.add_argument(
        "--role",
        required=True,
        choices=["duty", "office", "leader", "admin"],
        help="duty 值班员(研判);office 责任单位(核实、回应);leader 镇领导(只读、报告);admin 管理员",
    )
    add.add_argument("--office", metavar="单位代码", help="所属责任单位代码(office 角色必填,见配置 [[offices]] code)")
    add.add_argument("--display-name", default="", metavar="姓名", help="看板上显示的姓名")
    add.add_argument("--password", metavar="密码", help="密码(省略则交互输入,或读环境变量 YUQING_PASSWORD)")
    _command(user_sub, "list", "列出用户")
    return parser


def _lazy(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), function)(args)

    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _lazy("yuqing.commands.check", "cmd_check"),
    "user": _lazy("yuqing.commands.user", "cmd_user"),
    "demo": _lazy("yuqing.commands.demo", "cmd_demo"),
    "run": _lazy("yuqing.commands.run", "cmd_run"),
    "scheduler": _lazy("yuqing.commands.scheduler", "cmd_scheduler"),
    "worker": _lazy("yuqing.commands.worker", "cmd_worker"),
    "mailer": _lazy("yuqing.commands.mailer", "cmd_mailer"),
    "web": _lazy("yuqing.commands.web", "cmd_web"),
    "status": _lazy("yuqing.commands.status", "cmd_status"),
    "crawl": _lazy("yuqing.commands.crawl", "cmd_crawl"),
    "classify": _lazy("yuqing.commands.classify", "cmd_classify"),
    "train": _lazy("yuqing.commands.classify", "cmd_train"),
    "model": _lazy("yuqing.commands.model", "cmd_model"),
    "scheme": _lazy("yuqing.commands.scheme", "cmd_scheme"),
    "export": _lazy("yuqing.commands.export", "cmd_export"),
    "report": _lazy("yuqing.commands.report", "cmd_report"),
    "evidence": _lazy("yuqing.commands.evidence", "cmd_evidence"),
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except CommandError as exc:
        print(f"yuqing {args.command}: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("\n已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`yuqing export ... | head`): not an error; keep Python from complaining at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("yuqing."):
            print(f"yuqing {args.command}: 该命令尚未实现({exc.name})。", file=sys.stderr)
            return EXIT_FAILURE
        return _internal_error(args, exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a clear message, details in the log
        return _internal_error(args, exc)


def _internal_error(args: argparse.Namespace, exc: BaseException) -> int:
    log.exception("命令 %s 异常终止", args.command)
    print(
        f"yuqing {args.command}: 内部错误:{type(exc).__name__}: {exc}(详细信息已写入日志;加 -v 可在屏幕显示)",
        file=sys.stderr,
    )
    if args.verbose:
        import traceback

        traceback.print_exception(exc)
    return EXIT_FAILURE


if __name__ == "__main__":
    from yuqing.cli import main as installed_main  # one CommandError class, also under `python -m yuqing.cli`

    sys.exit(installed_main())
