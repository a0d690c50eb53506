"""Personal data leaves the database only masked. Every field that is shown on a page, mailed, exported,
reported or kept as evidence goes through `masked` (pipeline.deidentify finds and masks phone and ID numbers,
bank cards, e-mail addresses, plates and names next to them); URLs keep their scheme and host, and have their
path and query masked (see docs/operations.md)."""

from __future__ import annotations

import re

from pipeline.deidentify import mask, mask_url

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S*$")


def masked(value: str | None) -> str:
    """The value with its personal data masked ("" for None); a bare URL is masked as a URL."""
    if not value:
        return ""
    if _URL.match(value):
        return mask_url(value) or ""
    return mask(value)


def masked_page(text: str, escaped_links: re.Pattern[str]) -> str:
    """A whole page (HTML, XML, JSON or text) masked, the links matched by `escaped_links` masked as URLs."""
    return escaped_links.sub(lambda match: mask_url(match.group()) or "", mask(text))
