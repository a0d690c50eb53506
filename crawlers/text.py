"""Plain text out of HTML elements and fragments, and counts such as "1.2万" out of labels."""

from __future__ import annotations

import html
import re
import unicodedata

from lxml import etree
from lxml import html as lxml_html

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "header",
    "footer",
    "form",
    "hr",
    "td",
    "th",
}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head"}
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u2000-\u200b\u202f\u205f]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """Folds runs of spaces, strips each line and drops extra blank lines; keeps the characters as published."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip(" \u3000") for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def element_to_text(element) -> str:
    """Visible text of an lxml element, with line breaks at block boundaries (iterative: deep junk is fine)."""
    if not isinstance(getattr(element, "tag", None), str):
        return clean_text(str(element)) if isinstance(element, str) else ""
    out: list[str] = []
    skipping = 0
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _SKIP:
                skipping += 1
            elif not skipping:
                if tag in _BLOCK:
                    out.append("\n")
                if tag and node.text:
                    out.append(node.text)
            continue
        if tag in _SKIP:
            skipping -= 1
        elif not skipping and tag in _BLOCK and tag != "br":
            out.append("\n")
        if node is not element and node.tail and not skipping:
            out.append(node.tail)
    return clean_text("".join(out))


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment (feed content, an API's HTML field); plain text passes through unescaped."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return clean_text(html.unescape(fragment))
    try:
        text = element_to_text(lxml_html.fragment_fromstring(fragment, create_parent="div"))
    except (etree.LxmlError, ValueError):
        text = ""
    # The parser gives up on some junk (e.g. nesting deeper than libxml2 allows); strip tags by hand then.
    return text or clean_text(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))


_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|w|千|k|亿)?", re.I)
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}


def parse_count(value: object) -> int | None:
    """An integer from 12, "1,234", "1.2万", "3k", "评论(56)"; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if 0 <= value < 2**31 else None  # also rejects NaN and infinities
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "")
    match = _COUNT.search(text)
    if not match:
        return None
    number = float(match.group(1)) * _MULTIPLIERS.get((match.group(2) or "").lower(), 1)
    return int(number) if number < 2**31 else None
