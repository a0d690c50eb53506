"""Keywords of a search source: region words × subject words of the monitoring schemes, and their rotation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import quote

from yuqing.settings_model import SchemeSettings, SearchSettings

_SPLIT = re.compile(r"[|+()()\s]+")


def scheme_terms(expression: str) -> list[str]:
    """The words of a scheme group ("东园镇|东园|(郭滩+村委会)" → 东园镇, 东园, 郭滩, 村委会), in order, once each."""
    return list(dict.fromkeys(term for term in _SPLIT.split(expression or "") if term))


def search_keywords(search: SearchSettings, schemes: Iterable[SchemeSettings]) -> list[str]:
    """The source's own keywords, then region × subject words of every enabled scheme ("东园镇 卫生院"; a scheme
    without subject words gives its region words alone); at most search.max_keywords, each once."""
    found: dict[str, None] = {}
    for keyword in search.keywords:
        if keyword.strip():
            found.setdefault(" ".join(keyword.split()), None)
    if search.from_schemes:
        for scheme in schemes:
            if not scheme.enabled:
                continue
            regions = scheme_terms(scheme.region)
            subjects = scheme_terms(scheme.subject)
            for region in regions or [""]:
                for subject in subjects or [""]:
                    keyword = f"{region} {subject}".strip()
                    if keyword:
                        found.setdefault(keyword, None)
    return list(found)[: search.max_keywords]


def pick_keywords(keywords: list[str], last_runs: Mapping[str, datetime | None], count: int) -> list[str]:
    """The `count` keywords searched longest ago (never searched first, then config order): a rotation that
    survives restarts, since the last search of each keyword is stored."""
    order = {keyword: index for index, keyword in enumerate(keywords)}

    def key(keyword: str) -> tuple:
        last = last_runs.get(keyword)
        return (last is not None, last or datetime.min, order[keyword])

    return sorted(keywords, key=key)[:count]


def search_url(template: str, keyword: str, page_number: int, search: SearchSettings) -> str:
    """The result page `page_number` (1, 2, …) of a keyword: {keyword} percent-encoded in the site's encoding,
    {page} = page_start + (page_number - 1) × page_step."""
    encoded = quote(keyword.encode(search.keyword_encoding, errors="replace"), safe="")
    page = search.page_start + (page_number - 1) * search.page_step
    return template.replace("{keyword}", encoded).replace("{page}", str(page))
