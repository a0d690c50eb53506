"""`yuqing check` rejects what would leave someone untold: a malformed or missing office e-mail, naming the line;
and an unknown office code anywhere it is referred to, naming the line."""

from __future__ import annotations

import pytest

from yuqing.cli import main

OFFICES = '''[duty]
email = "zhiban@example.gov.cn"

[[offices]]
code = "dzb"
name = "镇党政办"
email = "dzb@example.gov.cn"
lead = true

[[offices]]
code = "msfw"
name = "民生服务中心"
{email}
'''


def _check(tmp_path, capsys, text: str) -> tuple[int, str, str]:
    path = tmp_path / "config.toml"
    path.write_text('[logging]\nfile = ""\n' + text, encoding="utf-8")
    status = main(["--config", str(path), "check"])
    out = capsys.readouterr()
    return status, out.out, out.err.replace(str(path), "config.toml")


def test_a_complete_config_passes(tmp_path, capsys):
    status, out, _ = _check(tmp_path, capsys, OFFICES.format(email='email = "msfw@example.gov.cn"'))
    assert status == 0 and "配置有效" in out and "研判:舆情值班室(zhiban@example.gov.cn)" in out


@pytest.mark.parametrize(
    "line, message",
    [
        (
            'email = "msfw.example.gov.cn"',
            "config.toml:15: offices[2](“民生服务中心”).email: “msfw.example.gov.cn”不是有效的电子邮件地址",
        ),
        ("", "config.toml:12: offices[2](“民生服务中心”).email: 责任单位 msfw(民生服务中心)缺少 email"),
    ],
)
def test_a_bad_or_missing_office_email_is_rejected_with_its_line(tmp_path, capsys, line, message):
    status, _, err = _check(tmp_path, capsys, OFFICES.format(email=line))
    assert status == 2 and message in err and "Traceback" not in err


def test_an_unknown_office_code_is_named_with_its_line(tmp_path, capsys):
    text = (
        OFFICES.format(email='email = "msfw@example.gov.cn"') + '\n[[routing]]\noffice = "msfw"\n\n'
        '[[routing]]\noffice = "mswf"\ntopics = ["medical"]\n'
    )
    status, _, err = _check(tmp_path, capsys, text)
    assert status == 2
    assert "config.toml:21: routing[2].office: 分派规则指向未定义的责任单位 “mswf”(已定义:dzb、msfw)" in err


def test_the_duty_desk_needs_a_mailbox(tmp_path, capsys):
    text = OFFICES.format(email='email = "msfw@example.gov.cn"').replace(
        '[duty]\nemail = "zhiban@example.gov.cn"\n', ""
    )
    status, _, err = _check(tmp_path, capsys, text)
    assert status == 2 and "缺少舆情值班室邮箱 [duty] email" in err
