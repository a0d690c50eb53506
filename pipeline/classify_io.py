"""JSON-lines classification (the `yuqing classify` contract): one output line per input, errors per line."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from pipeline.analyze import SOURCE_TYPES, Analysis, AnalysisContext, TextIn, analyze


@dataclass(frozen=True)
class ClassifyReport:
    """How many lines were classified and how many were rejected."""

    written: int
    errors: int


class LineError(ValueError):
    """A line that cannot be classified; the message is Chinese."""


def _text_field(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    raise LineError(f"字段 “{name}” 应为字符串，实际为 {type(value).__name__}")


def _published_at(record: dict) -> tuple[datetime | None, str | None]:
    value = record.get("published_at")
    if value in (None, ""):
        return None, None
    if not isinstance(value, str):
        return None, "字段 “published_at” 应为 ISO 8601 时间字符串，已忽略"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")), None
    except ValueError:
        return None, f"字段 “published_at” 的值 “{value[:40]}” 不是 ISO 8601 时间，已忽略"


_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _one_line(dumped: str) -> str:
    """JSON text with the characters some readers take for line breaks escaped (still the same JSON)."""
    for char, escaped in _LINE_BREAKS.items():
        if char in dumped:
            dumped = dumped.replace(char, escaped)
    return dumped


def read_record(line: str) -> dict:
    """The JSON object on a line, with an id; raises LineError (Chinese) otherwise."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"不是有效的 JSON（第 {exc.colno} 列：{exc.msg}）") from exc
    except RecursionError as exc:
        raise LineError("JSON 嵌套过深") from exc
    if not isinstance(record, dict):
        raise LineError(f"应为 JSON 对象 {{…}}，实际为 {type(record).__name__}")
    if record.get("id") in (None, ""):
        raise LineError("缺少 “id” 字段")
    if not isinstance(record["id"], (str, int)) or isinstance(record["id"], bool):
        raise LineError("“id” 应为字符串或整数")
    return record


def to_text_in(record: dict) -> tuple[TextIn, list[str]]:
    """The TextIn for a record and any warnings (Chinese) about fields that were ignored."""
    warnings = []
    published_at, warning = _published_at(record)
    if warning:
        warnings.append(warning)
    source_type = record.get("source_type") or record.get("source") or "other"
    if not isinstance(source_type, str) or source_type not in SOURCE_TYPES:
        source_type = "other"
    text_in = TextIn(
        title=_text_field(record, "title"),
        content=_text_field(record, "content"),
        source_type=source_type,
        published_at=published_at,
        html=_text_field(record, "html") or None,
    )
    return text_in, warnings


def to_output(record_id: Any, analysis: Analysis) -> dict:
    """The output object for one analysed record (ids are echoed as given)."""
    return {
        "id": record_id,
        "topic": analysis.topic,
        "topic_name": analysis.topic_name,
        "topic_scores": analysis.topic_scores,
        "topic_terms": analysis.topic_terms,
        "topic_model": analysis.topic_model,
        "urgency": analysis.urgency,
        "urgency_name": analysis.urgency_name,
        "relevant": analysis.relevant,
        "schemes": analysis.schemes,
        "matched_terms": analysis.matched_terms,
        "reasons": analysis.reasons(),
        "negativity": analysis.negativity,
        "village": analysis.village,
        "title": analysis.title_masked,
        "content": analysis.content_masked,
        "personal_data": analysis.personal_data,
        "simhash": analysis.simhash,
    }


def classify_lines(
    source: IO[str],
    sink: IO[str],
    errors: IO[str],
    ctx: AnalysisContext,
    *,
    analyzer: Callable[[TextIn, AnalysisContext], Analysis] = analyze,
) -> ClassifyReport:
    """Classify JSON lines from `source` into `sink`; bad lines get a Chinese message on `errors` naming the
    line number, and the remaining lines are still processed. Blank lines are skipped."""
    written = failed = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = read_record(line)
            text_in, warnings = to_text_in(record)
            for warning in warnings:
                errors.write(f"第 {number} 行：{warning}\n")
            output = to_output(record["id"], analyzer(text_in, ctx))
        except LineError as exc:
            failed += 1
            errors.write(f"第 {number} 行：{exc}，已跳过\n")
            continue
        except Exception as exc:  # noqa: BLE001 - one unexpected failure must not stop the other lines
            failed += 1
            errors.write(f"第 {number} 行：分析失败（{type(exc).__name__}: {exc}），已跳过\n")
            continue
        sink.write(_one_line(json.dumps(output, ensure_ascii=False)) + "\n")
        written += 1
    sink.flush()
    errors.flush()
    return ClassifyReport(written, failed)
