"""`yuqing --help` and every subcommand's help are in Chinese, with every option explained; errors too."""

from __future__ import annotations

import argparse
import re

import pytest

from yuqing.cli import build_parser, main

CJK = re.compile(r"[\u4e00-\u9fff]")
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "optional arguments")


def _parsers(parser: argparse.ArgumentParser, path=("yuqing",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


PARSERS = list(_parsers(build_parser()))


@pytest.mark.parametrize("path, parser", PARSERS, ids=[" ".join(p) for p, _ in PARSERS])
def test_every_help_is_chinese_and_explains_every_option(path, parser):
    text = parser.format_help()
    assert not [word for word in ARGPARSE_ENGLISH if word in text.lower()], text
    assert text.startswith("用法:") and CJK.search(parser.description or ""), path
    for action in parser._actions:
        if action.help is argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and CJK.search(action.help), (path, action.option_strings or action.dest)


def test_subcommands_are_all_listed():
    names = {" ".join(path) for path, _ in PARSERS}
    assert {"yuqing demo", "yuqing report", "yuqing user add", "yuqing user list", "yuqing export"} <= names


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["report", "quarterly"],
            "参数 monthly|daily|weekly|topic 的值 'quarterly' 无效,可选:'monthly', 'daily', 'weekly', 'topic'",
        ),
        (["export"], "缺少必需的参数:mentions|events"),
        (["demo", "--port", "x"], "参数 --port 应为整数,收到 'x'"),
        (["check", "--nope"], "无法识别的参数:--nope"),
        (["--config"], "参数 --config 后面需要一个值"),
    ],
)
def test_usage_errors_are_chinese(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("用法:yuqing") and "error" not in err
