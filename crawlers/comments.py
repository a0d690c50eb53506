"""Comments and replies read with a post: forum floors after the first (HTML selectors) or an API's comment list."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from parsel import Selector

from crawlers import selectors as sel
from crawlers.dates import parse_datetime
from crawlers.text import clean_text, html_to_text
from yuqing.settings_model import HtmlSelectors, JsonPaths

MAX_COMMENTS = 200  # read per post per visit; a thread with thousands of floors is sampled from its first page
MAX_COMMENT_TEXT = 2000


def _key(given: str | None, position: int, text: str) -> str:
    if given:
        return given.strip()[:64]
    return hashlib.sha1(f"{position}\n{text}".encode()).hexdigest()[:40]


def html_comments(page: Selector, selectors: HtmlSelectors, now: datetime) -> list[dict[str, Any]]:
    """The comments on a detail page: {key, position, author, content, published_at} in page order."""
    if not selectors.comment:
        return []
    found = []
    for position, block in enumerate(sel.select(page, selectors.comment)[:MAX_COMMENTS], start=1):
        if selectors.comment_body:
            text = sel.block(block, selectors.comment_body)[1]
        else:
            text = sel.first_value(block, "self::*") or ""
        text = text[:MAX_COMMENT_TEXT]
        if not text:
            continue
        found.append(
            {
                "key": _key(sel.first_value(block, selectors.comment_id), position, text),
                "position": position,
                "author": sel.first_value(block, selectors.comment_author),
                "content": text,
                "published_at": parse_datetime(sel.first_value(block, selectors.comment_time), now=now),
            }
        )
    return found


def json_comments(obj: dict, paths: JsonPaths, now: datetime | None) -> list[dict[str, Any]]:
    """The comments listed inside one API object (paths.comment_list)."""
    from crawlers.jsonapi import get_path

    if not paths.comment_list:
        return []
    listed = get_path(obj, paths.comment_list)
    if not isinstance(listed, list):
        return []
    found = []
    for position, item in enumerate(listed[:MAX_COMMENTS], start=1):
        if not isinstance(item, dict):
            continue
        raw = get_path(item, paths.comment_content)
        text = clean_text(html_to_text(str(raw))) if isinstance(raw, (str, int, float)) else ""
        if not text:
            continue
        ident = get_path(item, paths.comment_id)
        author = get_path(item, paths.comment_author) if paths.comment_author else None
        found.append(
            {
                "key": _key(str(ident) if isinstance(ident, (str, int)) else None, position, text),
                "position": position,
                "author": clean_text(str(author)) if isinstance(author, (str, int)) and author != "" else None,
                "content": text[:MAX_COMMENT_TEXT],
                "published_at": parse_datetime(get_path(item, paths.comment_time), now=now)
                if paths.comment_time
                else None,
            }
        )
    return found
