"""Canonical URLs: one spelling per page, so the same post is recognised however it was linked."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from yuqing.privacy import masked

TRACKING_PARAMS = {"spm", "from", "fromsource", "share_token", "shareid", "wfr", "fbclid", "gclid"}


def is_tracking(name: str) -> bool:
    """Query parameters that only say how a visitor arrived (utm_*, spm, from, ...)."""
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, with sorted query and normalised escaping, and personal
    data in it masked (the stored key of a mention is de-identified like everything else it stores)."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(masked(cleaned))


def absolute_link(base: str, href: str | None) -> str | None:
    """An absolute http(s) URL for a link found on a page, or None for javascript:, mailto:, anchors and junk."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None
