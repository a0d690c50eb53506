"""The one place that reads config.toml and turns it into validated, typed settings."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from yuqing.settings_model import KeyedProblem, SchemeSettings, Settings

if TYPE_CHECKING:
    from pipeline.schemes import SchemeSyntaxError

ENV_CONFIG = "YUQING_CONFIG"
ENV_DATABASE_URL = "YUQING_DATABASE_URL"
ENV_EVIDENCE_KEY = "YUQING_EVIDENCE_KEY"


class ConfigError(Exception):
    """A configuration mistake, with a message in Chinese naming the file, the key or line, and what was expected."""


def default_config_path(explicit: str | None = None) -> Path:
    """--config PATH, else $YUQING_CONFIG, else ./config.toml."""
    return Path(explicit or os.environ.get(ENV_CONFIG) or "config.toml")


def load_settings(path: str | Path | None = None, *, must_exist: bool = True) -> Settings:
    """Read, validate and resolve a configuration file."""
    config_path = default_config_path(str(path) if path else None)
    if not config_path.exists():
        if must_exist:
            raise ConfigError(f"{config_path}: 找不到配置文件(可用 --config 指定,或设置环境变量 {ENV_CONFIG})")
        raw_text = ""
    else:
        try:
            raw_text = config_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{config_path}: 文件不是 UTF-8 编码(第 {exc.start} 字节附近),请另存为 UTF-8") from exc
    return settings_from_text(raw_text, config_path)


def settings_from_text(text: str, config_path: Path) -> Settings:
    """Validate TOML text as if it were the file at config_path."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = _translate_toml_error(str(exc))
        where = f"{config_path}:{line}" if line else str(config_path)
        raise ConfigError(f"{where}: TOML 语法错误:{reason}") from exc
    return settings_from_dict(data, config_path, text)


def settings_from_dict(data: dict[str, Any], config_path: Path, text: str = "") -> Settings:
    """Validate an already-parsed configuration mapping."""
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, config_path, data, text)) from exc
    _check_scheme_expressions(settings, config_path, text)
    _check_evidence_keys(settings, config_path, text)
    settings.config_path = str(config_path)
    return _resolve_paths(settings, config_path.resolve().parent)


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    """Make relative file paths relative to the config file, and apply $YUQING_DATABASE_URL."""

    def resolve(value: str) -> str:
        return value if not value or os.path.isabs(value) else str(base / value)

    settings.general.data_dir = resolve(settings.general.data_dir)
    settings.mail.outbox_dir = resolve(settings.mail.outbox_dir)
    settings.reports.out_dir = resolve(settings.reports.out_dir)
    settings.logging.file = resolve(settings.logging.file)
    if settings.classifier.model_dir:
        settings.classifier.model_dir = resolve(settings.classifier.model_dir)
    url = os.environ.get(ENV_DATABASE_URL) or settings.database.url
    match = re.match(r"^(sqlite(?:\+\w+)?:///)(?!/)(.+)$", url)
    if match and match.group(2) != ":memory:":
        url = match.group(1) + resolve(match.group(2))
    settings.database.url = url
    return settings


def operational_problems(settings: Settings) -> list[tuple[tuple, str]]:
    """What `yuqing check` rejects beyond a valid file: (key path, Chinese reason) for settings that would leave
    someone untold (an office without an e-mail address cannot be warned of its deadlines)."""
    problems: list[tuple[tuple, str]] = []
    for index, office in enumerate(settings.offices):
        if not office.email:
            problems.append(
                (
                    ("offices", index, "email"),
                    f"责任单位 {office.code}({office.name})缺少 email:时限预警和超时提醒无法送达该单位",
                )
            )
    if settings.offices and not settings.duty.email:
        problems.append((("duty", "email"), "缺少舆情值班室邮箱 [duty] email:研判时限预警和超时提醒无法送达值班室"))
    return problems


def describe_problems(settings: Settings, problems: list[tuple[tuple, str]]) -> str:
    """Problems as “file:line: key: reason” lines, the line found in the configuration file when it exists."""
    path = Path(settings.config_path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = []
    for loc, reason in problems:
        line = _find_line(text, loc)
        where = f"{path}:{line}" if line else str(path)
        lines.append(f"{where}: {_format_loc(loc, tomllib.loads(text) if text else {})}: {reason}")
    return "配置不完整:\n  " + "\n  ".join(lines)


def _check_evidence_keys(settings: Settings, config_path: Path, text: str) -> None:
    """Raw evidence needs a valid encryption key (from the file or $YUQING_EVIDENCE_KEY) before anything is stored."""
    from cryptography.fernet import Fernet

    evidence = settings.evidence
    evidence.raw_key = os.environ.get(ENV_EVIDENCE_KEY) or evidence.raw_key
    line = _find_line(text, ("evidence", "raw_key")) or _find_line(text, ("evidence", "keep_raw"))
    where = f"{config_path}:{line}" if line else str(config_path)
    if evidence.keep_raw and not evidence.raw_key:
        raise ConfigError(
            f"{where}: [evidence] keep_raw = true 时必须提供加密密钥 raw_key(或环境变量 {ENV_EVIDENCE_KEY})。"
            "生成密钥:python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\""
        )
    for name, key in [("raw_key", evidence.raw_key)] + [("old_raw_keys", k) for k in evidence.old_raw_keys]:
        if not key:
            continue
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"{where}: [evidence] {name} 不是有效的密钥(应为 44 个字符的 URL 安全 Base64,"
                "可用 Fernet.generate_key() 生成)"
            ) from exc


SCHEME_GROUPS = {"region": "地域词", "subject": "主体词", "event": "事件词", "exclude": "排除词"}


def scheme_expression_problems(scheme: SchemeSettings) -> list[tuple[str, SchemeSyntaxError]]:
    """Every group expression of a monitoring scheme that cannot be parsed: (group, error naming the position).
    The one check of a scheme's expressions, for config.toml and for the 监测方案 page alike."""
    from pipeline.schemes import SchemeSyntaxError, parse

    problems = []
    for group in SCHEME_GROUPS:
        try:
            parse(getattr(scheme, group))
        except SchemeSyntaxError as exc:
            problems.append((group, exc))
    return problems


def _check_scheme_expressions(settings: Settings, config_path: Path, text: str) -> None:
    for index, scheme in enumerate(settings.schemes):
        for group, exc in scheme_expression_problems(scheme)[:1]:
            line = _find_line(text, ("schemes", index, group))
            where = f"{config_path}:{line}" if line else str(config_path)
            raise ConfigError(
                f"{where}: 监测方案 “{scheme.name}” 的 {group} 表达式无法解析:{exc}\n    表达式:{getattr(scheme, group)}"
            ) from exc


_TOML_PHRASES = [
    ("Expected '=' after a key in a key/value pair", "键后面应为 “=”"),
    ("Invalid value", "值无效(字符串需加引号,布尔值为 true/false)"),
    ("Invalid statement", "无法识别的语句"),
    ("Cannot overwrite a value", "同一个键重复定义"),
    ("Cannot declare", "同一个表重复定义"),
    ("Unclosed array", "数组缺少 “]”"),
    ("Unterminated string", "字符串缺少结束引号"),
    ("Illegal character", "非法字符"),
    ("Expected newline or end of document after a statement", "一行只能写一个配置项,语句后应换行"),
]


def _translate_toml_error(message: str) -> tuple[int | None, str]:
    """'Invalid value (at line 3, column 8)' → (3, '第 8 列:值无效…'), keeping the original English after it."""
    position = re.search(r"\(at line (\d+), column (\d+)\)", message)
    reason = message[: position.start()].strip() if position else message
    for english, chinese in _TOML_PHRASES:
        if reason.startswith(english):
            reason = chinese + reason[len(english) :]
            break
    if not position:
        return None, f"{reason}  [{message}]"
    return int(position.group(1)), f"第 {position.group(2)} 列,{reason}  [{message}]"


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知的配置项(拼写错误?)",
    "missing": "缺少必填项",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为字符串(加引号)",
    "list_type": "应为数组,例如 [\"a\", \"b\"]",
    "dict_type": "应为表(小节)",
    "model_type": "应为表(小节)",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值太小",
    "greater_than": "数值太小",
    "less_than_equal": "数值太大",
    "string_pattern_mismatch": "格式不符合要求(只允许字母、数字、下划线、连字符)",
}


def _describe_validation_error(exc: ValidationError, config_path: Path, data: dict, text: str) -> str:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, KeyedProblem):
            loc = loc + cause.loc
        key = _format_loc(loc, data)
        line = _find_line(text, loc)
        where = f"{config_path}:{line}" if line else str(config_path)
        reason = _PYDANTIC_MESSAGES.get(error["type"])
        detail = error.get("msg", "")
        if error["type"] == "value_error":
            reason = detail.removeprefix("Value error, ")
        elif error["type"] == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            reason = f"取值不在允许范围内,应为 {expected}"
        elif reason is None:
            reason = detail
        got = error.get("input")
        got_text = "" if error["type"] in ("missing", "value_error") or isinstance(got, dict) else f"(实际为 {got!r})"
        lines.append(f"{where}: {key}: {reason}{got_text}")
    return "配置有误:\n  " + "\n  ".join(lines)


def _format_loc(loc: tuple, data: dict) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            name = (
                node[item].get("name") or node[item].get("code")
                if isinstance(node, list) and item < len(node) and isinstance(node[item], dict)
                else None
            )
            parts[-1] = f"{parts[-1]}[{item + 1}]" + (f"(“{name}”)" if name else "")
        else:
            parts.append(str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) if parts else "(整个文件)"


def _find_line(text: str, loc: tuple) -> int | None:
    """Best-effort line number of a key path such as ("sources", 2, "kind") in TOML text."""
    if not text:
        return None
    lines = text.splitlines()
    start, end = 0, len(lines)
    table: list[str] = []
    for index, item in enumerate(loc):
        if isinstance(item, int):
            continue
        nxt = loc[index + 1] if index + 1 < len(loc) else None
        table.append(str(item))
        header_name = ".".join(table)
        if isinstance(nxt, int):
            headers = [
                i for i in range(start, end) if re.match(rf"^\s*\[\[\s*{re.escape(header_name)}\s*\]\]", lines[i])
            ]
            if nxt < len(headers):
                start = headers[nxt]
                following = [
                    i
                    for i in range(start + 1, len(lines))
                    if re.match(r"^\s*\[\[?\s*[\w.]+\s*\]\]?", lines[i])
                    and not re.match(rf"^\s*\[\[?\s*{re.escape(header_name)}\.", lines[i])
                ]
                end = following[0] if following else len(lines)
                continue
        header = next(
            (i for i in range(start, end) if re.match(rf"^\s*\[\s*{re.escape(header_name)}\s*\]", lines[i])), None
        )
        if header is not None:
            start = header
            continue
        key = next((i for i in range(start, end) if re.match(rf"^\s*{re.escape(str(item))}\s*=", lines[i])), None)
        if key is not None:
            return key + 1
    return start + 1 if start or loc and isinstance(loc[1:2] and loc[1], int) else None
