"""Text normalisation: HTML to main text, entities, full/half width, traditional to simplified, whitespace."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import lxml.html
from lxml import etree

# Removed with their content: never part of what a reader sees as the article.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "head",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
)
# Block-level tags: a line break after each keeps paragraphs apart.
_BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
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
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "hr",
    "main",
    "figure",
    "figcaption",
)
# Full-width forms that Chinese text uses as its own punctuation stay as they are.
_KEEP_FULL_WIDTH = set("，。！？：；（）、“”‘’《》【】〔〕…—～")


def _build_width_table() -> dict[int, str]:
    table: dict[int, str] = {0x3000: " "}
    for code in range(0xFF01, 0xFF5F):
        char = chr(code)
        if char not in _KEEP_FULL_WIDTH:
            table[code] = chr(code - 0xFEE0)
    # Kangxi radicals and compatibility ideographs look like ordinary characters but do not match keywords.
    for start, end in ((0x2F00, 0x2FD6), (0xF900, 0xFB00)):
        for code in range(start, end):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code):
                table[code] = folded
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD):  # zero-width characters and soft hyphen
        table[code] = ""
    return table


_WIDTH_TABLE = _build_width_table()
# translate() looks up every character; most texts need nothing from the table, which this finds quickly.
_NEEDS_WIDTH = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_WIDTH_TABLE)) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_SEPARATORS = re.compile(r"[\x85\u2028\u2029]")  # line breaks to str.splitlines; plain "\n" here
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f\u205f]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def html_to_text(markup: str | bytes | None) -> str:
    """Visible main text of an HTML page or fragment, one line per paragraph (entities decoded)."""
    if not markup:
        return ""
    data = fix_surrogates(markup).encode("utf-8") if isinstance(markup, str) else markup
    parser = lxml.html.HTMLParser(encoding="utf-8" if isinstance(markup, str) else None, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.LxmlError, ValueError):
        return ""
    for candidate in ("article", "main"):
        found = root.find(f".//{candidate}")
        if found is not None and len(found.text_content().strip()) > 20:
            root = found
            break
    for element in list(root.iter(*_DROP_TAGS)):
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag == "br":
            continue
        element.text = "\n" + (element.text or "")
    return collapse_whitespace(root.text_content())


def fix_surrogates(text: str) -> str:
    """Replace lone UTF-16 surrogates (possible in decoded JSON) so the text can be encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def to_half_width(text: str) -> str:
    """Full-width letters, digits and ASCII symbols to half width; Chinese punctuation is kept."""
    return text.translate(_WIDTH_TABLE) if _NEEDS_WIDTH.search(text) else text


def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified (OpenCC t2s)."""
    return _converter().convert(text) if text else text


def collapse_whitespace(text: str) -> str:
    """Runs of spaces to one space, blank lines removed, each line trimmed; paragraph breaks survive."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def normalize(text: str | None) -> str:
    """Plain text ready for matching: entities decoded, control characters dropped, half width,
    simplified Chinese, whitespace collapsed. The caller keeps the original separately."""
    if not text:
        return ""
    text = fix_surrogates(text)
    text = html.unescape(text) if "&" in text else text
    text = _LINE_SEPARATORS.sub("\n", _CONTROL.sub(" ", text))
    text = to_half_width(text)
    text = to_simplified(text)
    return collapse_whitespace(text)


def normalize_html(markup: str | bytes | None) -> str:
    """HTML to the same normalised plain text as `normalize`."""
    return normalize(html_to_text(markup))
