"""Selectors from config applied to pages: CSS, or XPath when the expression starts with "/" or "("."""

from __future__ import annotations

from cssselect import SelectorError
from parsel import Selector, SelectorList
from parsel.csstranslator import css2xpath

from crawlers.text import clean_text, element_to_text
from crawlers.urls import absolute_link


class SelectorConfigError(ValueError):
    """A selector in config that is not valid CSS or XPath (Chinese message naming it)."""


def is_xpath(expression: str) -> bool:
    """XPath when it starts with "/" or "(", CSS otherwise."""
    return expression.lstrip().startswith(("/", "("))


def select(node: Selector, expression: str) -> SelectorList:
    """All matches of the expression under node."""
    expression = expression.strip()
    try:
        return node.xpath(expression) if is_xpath(expression) else node.css(expression)
    except (SelectorError, ValueError) as exc:
        kind = "XPath" if is_xpath(expression) else "CSS"
        raise SelectorConfigError(f"{kind} 选择器 “{expression}” 写法有误:{exc}") from exc


def check_selectors(selectors: dict[str, str]) -> list[str]:
    """Chinese messages for the selectors (field → expression) that do not compile; empty when all are fine."""
    empty = Selector(text="<html></html>")
    problems = []
    for field, expression in selectors.items():
        if not expression:
            continue
        try:
            select(empty, expression)
        except SelectorConfigError as exc:
            problems.append(f"{field}:{exc}")
    return problems


def _value(match: Selector) -> str:
    root = match.root
    return clean_text(root) if isinstance(root, str) else element_to_text(root)


def values(node: Selector, expression: str) -> list[str]:
    """The non-empty text of every match (attribute and text results as they are, elements as visible text)."""
    if not expression:
        return []
    return [text for text in (_value(m) for m in select(node, expression)) if text]


def first_value(node: Selector, expression: str) -> str | None:
    """The first non-empty match, or None."""
    if not expression:
        return None
    for match in select(node, expression):
        text = _value(match)
        if text:
            return text
    return None


def block(node: Selector, expression: str) -> tuple[str | None, str]:
    """(HTML, text) of the first match with visible text; text-node results give (None, joined text)."""
    matches = select(node, expression) if expression else []
    strings = [clean_text(m.root) for m in matches if isinstance(m.root, str)]
    if strings:
        return None, clean_text("\n".join(s for s in strings if s))
    for match in matches:
        text = element_to_text(match.root)
        if text:
            return match.get(), text
    return None, ""


def links(node: Selector, expression: str, base_url: str, limit: int | None = None) -> tuple[list[str], int]:
    """(absolute, de-duplicated link targets, how many matches the page has): attribute values, or the href of
    matched elements. With `limit`, only the first matches are resolved (a page listing 100,000 links costs a count,
    not 100,000 URL joins on the crawler's one thread)."""
    matches, total = _first_matches(node, expression, limit * 2 if limit else None)
    found: dict[str, None] = {}
    for match in matches:
        root = match.root
        href = root if isinstance(root, str) else root.get("href") if hasattr(root, "get") else None
        url = absolute_link(base_url, href)
        if url:
            found.setdefault(url, None)
            if limit and len(found) >= limit:
                break
    return list(found), max(total, len(found))


def _first_matches(node: Selector, expression: str, limit: int | None) -> tuple[SelectorList, int]:
    """The first `limit` matches (all when None) and the number of matches, counted by lxml without building them."""
    if limit:
        path = expression.strip() if is_xpath(expression) else css2xpath(expression.strip())
        try:
            total = int(float(node.xpath(f"count({path})").get()))
            return node.xpath(f"({path})[position() <= {limit}]"), total
        except (ValueError, TypeError, SelectorError):
            pass  # not a plain location path (a union with functions, say): take them all
    matches = select(node, expression)
    return matches, len(matches)
