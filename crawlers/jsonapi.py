"""JSON APIs read with dotted field paths from config ("data.list", "user.nick", "items.0.id")."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawlers.dates import parse_datetime
from crawlers.text import clean_text, html_to_text, parse_count
from crawlers.urls import absolute_link
from yuqing.settings_model import JsonPaths

_JSONP = re.compile(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
_PAGE_PARAMS = ("page", "p", "pn", "pageNo", "pageNum", "page_no", "pageIndex")


class ApiError(ValueError):
    """The API answer is not what the config describes (Chinese message)."""


@dataclass
class ApiEntry:
    """One object of the item list, with the object itself as evidence."""

    url: str
    title: str
    html: str | None
    content: str
    author: str | None
    published_at: datetime | None
    reposts: int | None
    comments: int | None
    raw: bytes
    comment_list: list | None = None


def json_comments(obj: dict, paths: JsonPaths, now: datetime | None) -> list:
    from crawlers.comments import json_comments as read

    return read(obj, paths, now)


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path; numeric parts index lists; None when any step is missing."""
    if not path:
        return None
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.lstrip("-").isdigit() and -len(data) <= int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _string(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def load_json(text: str) -> Any:
    """Parsed JSON (a JSONP wrapper is unwrapped); raises ApiError with the position of a syntax error."""
    match = _JSONP.match(text) if not text.lstrip().startswith(("{", "[")) else None
    try:
        return json.loads(match.group(1) if match else text)
    except json.JSONDecodeError as exc:
        raise ApiError(f"不是有效的 JSON(第 {exc.lineno} 行第 {exc.colno} 列:{exc.msg})") from exc
    except RecursionError as exc:
        raise ApiError("JSON 嵌套过深") from exc


def parse_api(data: Any, paths: JsonPaths, page_url: str, now: datetime | None = None) -> list[ApiEntry]:
    """The entries at paths.items; raises ApiError when that path is not a list."""
    items = get_path(data, paths.items)
    if not isinstance(items, list):
        found = "不存在" if items is None else f"是 {type(items).__name__} 而不是列表"
        raise ApiError(f"字段路径 “{paths.items}” {found}")
    entries = []
    for obj in items:
        if isinstance(obj, dict):
            entry = _entry(obj, paths, page_url, now)
            if entry:
                entries.append(entry)
    return entries


def _entry(obj: dict, paths: JsonPaths, page_url: str, now: datetime | None) -> ApiEntry | None:
    ident = _string(get_path(obj, paths.id)).strip()
    url = absolute_link(page_url, _string(get_path(obj, paths.url)))
    if not url and ident:
        parts = urlsplit(page_url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({"id": ident}), ""))
    markup = _string(get_path(obj, paths.content))
    content = html_to_text(markup)
    title = clean_text(html_to_text(_string(get_path(obj, paths.title))))
    if not url or not (title or content):
        return None
    return ApiEntry(
        url=url,
        title=title,
        html=markup if "<" in markup else None,
        content=content,
        author=clean_text(_string(get_path(obj, paths.author))) or None,
        published_at=parse_datetime(get_path(obj, paths.time), now=now),
        reposts=parse_count(get_path(obj, paths.reposts)) if paths.reposts else None,
        comments=parse_count(get_path(obj, paths.comments)) if paths.comments else None,
        raw=json.dumps(obj, ensure_ascii=False).encode("utf-8"),
        comment_list=json_comments(obj, paths, now) if paths.comment_list else None,
    )


def next_page_url(data: Any, paths: JsonPaths, page_url: str) -> str | None:
    """The next page: a URL at paths.next_page, or, when that value is true / a page number, this URL's page+1."""
    if not paths.next_page:
        return None
    value = get_path(data, paths.next_page)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, str):
        if value.strip().lower() in ("true", "false", "0", "1", ""):
            value = value.strip().lower() in ("true", "1")
        else:
            return absolute_link(page_url, value)
    if value is None or value is False or value == 0:
        return None
    parts = urlsplit(page_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    name = next((k for k, _ in query if k in _PAGE_PARAMS), "page")
    current = next((v for k, v in query if k == name), "1")
    target = int(value) if not isinstance(value, bool) and str(value).strip().isdigit() else None
    page = target if target and target > 1 else (int(current) + 1 if current.isdigit() else 2)
    query = [(k, v) for k, v in query if k != name] + [(name, str(page))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
