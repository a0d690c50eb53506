"""RSS 0.9x/1.0/2.0 and Atom feeds parsed with lxml, tolerant of the broken XML real sites serve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html.entities import name2codepoint

from lxml import etree

from crawlers.dates import parse_datetime
from crawlers.text import clean_text, html_to_text, parse_count
from crawlers.urls import absolute_link

_ENTRY_TAGS = {"item", "entry"}
_FEED_ROOTS = {"rss", "RDF", "feed", "channel"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_AMPERSAND = re.compile(r"&(?:(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER_OPTIONS = {
    "recover": True,
    "resolve_entities": False,
    "no_network": True,
    "remove_comments": True,
    "huge_tree": False,
}


class FeedError(ValueError):
    """The document is not an RSS or Atom feed (Chinese message)."""


@dataclass
class FeedEntry:
    """One item or entry, with its own XML as evidence."""

    url: str
    title: str
    html: str | None
    content: str
    author: str | None
    published_at: datetime | None
    comments: int | None
    raw: bytes


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""  # QName() rejects odd namespaces junk can declare


@dataclass
class Feed:
    """The usable entries, and the first XML syntax error the parser had to repair (None when well-formed)."""

    entries: list[FeedEntry]
    syntax_error: str | None
    title: str = ""  # the channel's / feed's own title


def parse_feed(text: str, base_url: str, now: datetime | None = None) -> Feed:
    """The entries of a feed, in document order; raises FeedError if the text is not a feed at all."""
    root, syntax_error = _parse_xml(text)
    if _local(root) not in _FEED_ROOTS:
        raise FeedError(f"不是 RSS/Atom 文档(根元素为 <{_local(root) or '?'}>)")
    entries = []
    for element in root.iter():
        if _local(element) in _ENTRY_TAGS:
            entry = _entry(element, base_url, now)
            if entry:
                entries.append(entry)
    channel = next((c for c in root if _local(c) == "channel"), root)
    title = html_to_text(_text(_first(_children(channel), "title")))
    return Feed(entries, syntax_error, title)


def _repair(text: str) -> str:
    """Fix what Chinese CMS feeds commonly get wrong: HTML entities (&nbsp;), bare &, control characters."""

    def entity(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return "&amp;"
        if name in _XML_ENTITIES or name.startswith("#"):
            return match.group(0)
        codepoint = name2codepoint.get(name)
        return f"&#{codepoint};" if codepoint else f"&amp;{name};"

    parts = _CDATA.split(_CONTROL.sub("", text))
    return "".join(part if index % 2 else _AMPERSAND.sub(entity, part) for index, part in enumerate(parts))


def _parse_xml(text: str):
    text = _repair(_XML_DECLARATION.sub("", text.lstrip("\ufeff"), count=1))
    if not text.strip():
        raise FeedError("内容为空")
    parser = etree.XMLParser(encoding="utf-8", **_PARSER_OPTIONS)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"XML 无法解析:{exc}") from exc
    if root is None:
        raise FeedError("XML 无法解析(文档残缺)")
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    syntax_error = f"第 {errors[0].line} 行:{errors[0].message}" if errors else None
    return root, syntax_error


def _children(element) -> dict[str, list]:
    found: dict[str, list] = {}
    for child in element:
        name = _local(child)
        if name:
            found.setdefault(name, []).append(child)
    return found


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _first(children: dict[str, list], *names: str):
    for name in names:
        for element in children.get(name, []):
            if _text(element).strip() or len(element):
                return element
    return None


def _link(element, children: dict[str, list], base_url: str) -> str | None:
    for link in children.get("link", []):
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return absolute_link(base_url, href)
        if not href and _text(link).strip():
            return absolute_link(base_url, _text(link).strip())
    for guid in children.get("guid", []):
        if guid.get("isPermaLink", "true") != "false":
            url = absolute_link(base_url, _text(guid).strip())
            if url:
                return url
    about = next((value for key, value in element.attrib.items() if key.endswith("about")), None)
    return absolute_link(base_url, about)


def _body(children: dict[str, list]) -> tuple[str | None, str]:
    element = _first(children, "encoded", "content", "description", "summary")
    if element is None:
        return None, ""
    if len(element):  # Atom type="xhtml": markup as child elements
        markup = "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
        markup = re.sub(r"\sxmlns(:\w+)?=\"[^\"]*\"", "", markup)
    else:
        markup = _text(element)
    text = html_to_text(markup)
    return (markup if "<" in markup else None), text


def _author(children: dict[str, list]) -> str | None:
    element = _first(children, "author", "creator")
    if element is None:
        return None
    name = next((c for c in element if _local(c) == "name"), None)
    return clean_text(_text(name if name is not None else element)) or None


def _comment_count(children: dict[str, list]) -> int | None:
    # RSS 2.0 <comments> is a URL; only slash:comments is a count.
    for element in children.get("comments", []):
        if "slash" in element.tag.rsplit("}", 1)[0]:
            return parse_count(_text(element))
    return None


def _entry(element, base_url: str, now: datetime | None) -> FeedEntry | None:
    children = _children(element)
    url = _link(element, children, base_url)
    title = html_to_text(_text(_first(children, "title")))
    html, content = _body(children)
    if not url or not (title or content):
        return None
    date_element = _first(children, "pubDate", "published", "date", "issued", "updated", "modified", "created")
    return FeedEntry(
        url=url,
        title=title,
        html=html,
        content=content,
        author=_author(children),
        published_at=parse_datetime(_text(date_element).strip(), now=now) if date_element is not None else None,
        comments=_comment_count(children),
        raw=etree.tostring(element, encoding="utf-8", with_tail=False),
    )
