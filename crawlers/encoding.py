"""Choosing the text encoding of a Chinese page: trust a declaration only when the bytes agree with it."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

# The most frequent characters of Chinese web text, simplified and traditional. Text decoded with the wrong
# codec is made of rare characters, so the share of these among the CJK characters tells right from wrong.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多"
    "定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因"
    "由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解"
    "问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少"
    "图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府世车镇村政府局委办县市省街道"
    "社区留言回复信箱书记反映群众领导部门工作问题情况调查通知公告关于布服务安全环境保护养老医疗教育住房网友请您"
    "們個國來時說對會發動過產種後與學經進點從實現體製機當業還應開於這裡麼沒問題關辦區縣鎮鄉處調查通關於發佈環境"
    "護養醫療記門導眾書給讓見視聽說請謝單價錢買賣東車長們為們無與將對並"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_CJK = 8  # fewer CJK characters than this: too little text to judge, accept what decodes
_PLAUSIBLE = 0.25
_SAMPLE = 64 * 1024
FALLBACKS = ("utf-8", "gb18030", "big5hkscs")


def normalise(name: str | None) -> str | None:
    """A Python codec name for a declared charset (gb2312/gbk → gb18030, big5 → big5hkscs), or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        resolved = resolve_encoding(name) or codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if resolved in ("gbk", "gb2312", "hz") else resolved


def _strict(sample: bytes, encoding: str) -> str | None:
    """The sample decoded strictly; an incomplete character cut off at the end is tolerated (truncated bodies)."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except (UnicodeDecodeError, LookupError):
        return None


def plausibility(text: str) -> float | None:
    """Share of common characters among the CJK ones, or None when there are too few CJK characters to tell."""
    cjk = _CJK.findall(text)
    if len(cjk) < _MIN_CJK:
        return None
    return sum(ch in _COMMON for ch in cjk) / len(cjk)


def header_charset(content_type: str | bytes | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def choose_encoding(body: bytes, content_type: str | bytes | None = None, override: str | None = None) -> str:
    """The encoding to decode `body` with.

    Order: the per-source override; a BOM; then the declared charsets (header, <meta>, <?xml?>) and the usual
    suspects (UTF-8, GB18030, Big5), taking the first that decodes strictly into plausible Chinese. When none
    decodes cleanly, the candidate with the fewest undecodable bytes wins (the text is then decoded with
    replacement characters).
    """
    forced = normalise(override)
    if forced:
        return forced
    bom = read_bom(body)
    if bom[0]:
        return normalise(bom[0]) or bom[0]
    sample = body[:_SAMPLE]
    declared = [normalise(header_charset(content_type)), normalise(html_body_declared_encoding(sample))]
    declared = [name for name in declared if name]
    candidates = list(dict.fromkeys(declared + list(FALLBACKS)))
    if sample.isascii():
        return declared[0] if declared else "utf-8"
    scored: list[tuple[float, int, str]] = []
    for rank, encoding in enumerate(candidates):
        if encoding in ("cp1252", "latin-1", "iso8859-1", "ascii"):
            continue  # a Western declaration on a non-ASCII Chinese page is nearly always wrong
        text = _strict(sample, encoding)
        if text is None:
            continue
        score = plausibility(text)
        if score is None or score >= _PLAUSIBLE:
            return encoding
        scored.append((score, -rank, encoding))
    if scored:
        return max(scored)[2]
    return min(candidates, key=lambda enc: _replacements(sample, enc))


def _replacements(sample: bytes, encoding: str) -> int:
    try:
        return sample.decode(encoding, errors="replace").count("\ufffd")
    except LookupError:
        return len(sample)


def decode(body: bytes, encoding: str) -> str:
    """Bytes → text with the chosen encoding; undecodable bytes become U+FFFD, never an exception."""
    return body.decode(encoding, errors="replace")
