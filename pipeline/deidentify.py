"""De-identification (seed 七(三)): find and mask phone, ID, bank card, e-mail and licence plate numbers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from datetime import date
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9@_-])"
)
_ID18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{14}(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![\d-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?|\d{6}[ -]\d{10,13})(?![\d-])")
_MOBILE = re.compile(
    r"(?<![\d+])(?P<prefix>(?:\+|00)?86[ -]?|\(\+?86\)[ -]?|（\+?86）[ -]?)?"
    r"(?P<number>1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)"
)
_LANDLINE = re.compile(
    r"(?<![\d-])(?P<area>\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ -]|0(?:10|2\d|[3-9]\d{2}))"
    r"(?P<local>[2-9]\d{6,7})(?P<ext>-\d{1,4})?(?!\d)"
)
# Cheap pre-checks: phone, ID and card numbers all hold seven digits with at most one separator among the
# first ones; a plate starts with a province and a letter; an e-mail address has an "@".
_LONG_NUMBER = re.compile(r"\d{3}[ -]?\d{4}")
_PLATE_START = re.compile(rf"[{PROVINCES}][A-HJ-NP-Z]")
_PLATE = re.compile(
    rf"(?P<head>[{PROVINCES}][A-HJ-NP-Z])(?P<sep>[·・•.\- ]?)"
    r"(?P<body>[A-HJ-NP-Z0-9]{5,6})(?![A-Za-z0-9])"
)


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit() or char in "Xx")


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a citizen ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date(2099, 12, 31)


def is_valid_id(number: str) -> bool:
    """True for an 18-digit ID with a valid birth date and check digit, or a 15-digit old ID with a valid date."""
    number = number.upper()
    if len(number) == 18 and number[:17].isdigit():
        return (
            _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            and id_check_digit(number[:17]) == number[17]
        )
    if len(number) == 15 and number.isdigit():
        return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    return False


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _plate_ok(body: str) -> bool:
    # Real plates carry at least two digits; this keeps words such as 鲁ABCDE from matching.
    if sum(char.isdigit() for char in body) < 2:
        return False
    if len(body) == 6:  # new-energy plates: D/F first (small cars) or last (large vehicles)
        return body[0] in "DF" or body[-1] in "DF"
    return True


_Span = tuple[str, int, int]


def _candidates(text: str) -> list[_Span]:
    found: list[_Span] = []
    if "@" in text:
        found += [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if _PLATE_START.search(text):
        found += [("plate", m.start(), m.end()) for m in _PLATE.finditer(text) if _plate_ok(m.group("body"))]
    if not _LONG_NUMBER.search(text):
        return found
    found += [("id_card", m.start(), m.end()) for m in _ID18.finditer(text) if is_valid_id(m.group())]
    found += [("id_card", m.start(), m.end()) for m in _ID15.finditer(text) if is_valid_id(m.group())]
    for m in _CARD.finditer(text):
        digits = _digits(m.group())
        if 16 <= len(digits) <= 19 and digits[0] in "345692" and luhn_ok(digits):
            found.append(("bank_card", m.start(), m.end()))
    found += [("mobile", m.start("number"), m.end()) for m in _MOBILE.finditer(text)]
    found += [("landline", m.start(), m.end()) for m in _LANDLINE.finditer(text)]
    return found


_PRIORITY = {"email": 0, "id_card": 1, "bank_card": 2, "mobile": 3, "landline": 4, "plate": 5}


def find_personal_data(text: str) -> list[tuple[str, int, int]]:
    """Personal data in the text as (kind, start, end), sorted and not overlapping.

    Kinds: mobile, landline, id_card, bank_card, email, plate.
    """
    if not text:
        return []
    ranked = sorted(_candidates(text), key=lambda span: (_PRIORITY[span[0]], span[1]))
    chosen: list[_Span] = []  # kept sorted by start, so an overlap check looks at two neighbours only
    starts: list[int] = []
    for kind, start, end in ranked:
        position = bisect.bisect_left(starts, start)
        if position and chosen[position - 1][2] > start:
            continue
        if position < len(chosen) and chosen[position][1] < end:
            continue
        chosen.insert(position, (kind, start, end))
        starts.insert(position, start)
    return chosen


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Star out the digits/letters of value except the first `head` and last `tail` of them."""
    positions = [index for index, char in enumerate(value) if char.isalnum()]
    hidden = set(positions[head : len(positions) - tail]) if len(positions) > head + tail else set(positions)
    return "".join("*" if index in hidden else char for index, char in enumerate(value))


def _mask_mobile(value: str) -> str:
    digits = _digits(value)
    return digits[:3] + "****" + digits[-4:]


def _mask_landline(value: str) -> str:
    match = _LANDLINE.fullmatch(value)
    if match is None:
        return _keep_ends(value, 0, 3)
    local = match.group("local")
    return match.group("area") + "*" * (len(local) - 3) + local[-3:] + (match.group("ext") or "")


def _mask_email(value: str) -> str:
    user, _, domain = value.partition("@")
    return user[0] + "***@" + domain


def _mask_plate(value: str) -> str:
    match = _PLATE.fullmatch(value)
    if match is None:
        return value
    body = match.group("body")
    return match.group("head") + match.group("sep") + body[0] + "*" * (len(body) - 3) + body[-2:]


_MASKERS: dict[str, Callable[[str], str]] = {
    "mobile": _mask_mobile,
    "landline": _mask_landline,
    "id_card": lambda value: _keep_ends(value, 4, 4),
    "bank_card": lambda value: _keep_ends(value, 4, 4),
    "email": _mask_email,
    "plate": _mask_plate,
}


def mask_value(kind: str, value: str) -> str:
    """The masked form of one value of a kind: 138****5678, 6401**********123X, 宁E·1**45, a***@example.com."""
    return _MASKERS[kind](value)


def mask(text: str, spans: list[tuple[str, int, int]] | None = None) -> str:
    """The text with every piece of personal data masked, a short hint of each kept.

    `spans` are the text's `find_personal_data` results when the caller has them already.
    """
    spans = find_personal_data(text) if spans is None else spans
    for _ in range(3):
        if not spans:
            return text
        parts: list[str] = []
        cursor = 0
        for kind, start, end in spans:
            parts.append(text[cursor:start])
            parts.append(mask_value(kind, text[start:end]))
            cursor = end
        parts.append(text[cursor:])
        # Masking can expose a pattern that overlapped the one just masked ("a@b.cn+@c.cn"): look again.
        text = "".join(parts)
        spans = find_personal_data(text)
    return text


# Query parameters that name personal data: their values are masked even when they do not look like a number
# of a known kind (an ID with a wrong check digit, a card number of an odd length).
_PERSONAL_KEY = re.compile(
    r"phone|mobile|tel|shouji|lxdh|idno|idcard|id_card|sfz|identity|cardno|bankcard|email|mail", re.IGNORECASE
)
_URL_SAFE = "/*@:!$'()~,;"


def mask_url(url: str | None) -> str | None:
    """The URL with personal data in its path, query and fragment masked, values read percent-decoded (so an
    encoded number is found too) and re-encoded only where something was masked; scheme and host are kept.

    Stored URLs are masked like this (see docs/operations.md): a link whose own address carries a phone number
    no longer opens the page, whose content the masked evidence snapshot keeps."""
    decoded = unquote(url or "")
    if not url or not (_LONG_NUMBER.search(decoded) or "@" in decoded or _PLATE_START.search(decoded)):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask(url)
    query = "&".join(_mask_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
    path, fragment = _mask_part(parts.path, safe=_URL_SAFE + "=&"), _mask_part(parts.fragment, safe=_URL_SAFE + "=&")
    return urlunsplit((parts.scheme, parts.netloc, path, query, fragment))


def _mask_part(text: str, personal: bool = False, plus: bool = False, safe: str = _URL_SAFE) -> str:
    decoded = unquote_plus(text) if plus else unquote(text)
    masked = mask(decoded)
    if personal and masked == decoded and any(char.isdigit() for char in decoded):
        masked = _keep_ends(decoded, 3, 4) if len(decoded) >= 9 else "*" * len(decoded)
    return text if masked == decoded else quote(masked, safe=safe)


def _mask_pair(pair: str) -> str:
    key, equals, value = pair.partition("=")
    if not equals:
        return _mask_part(key, plus=True)
    return f"{key}={_mask_part(value, personal=bool(_PERSONAL_KEY.search(unquote(key))), plus=True)}"
